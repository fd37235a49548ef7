import { describe, expect, it } from 'vitest';
import { seedOrgs } from '../../infra/seed/data.ts';
import { mayGrant } from '../../shared/domain/members.ts';
import { childPath, mayActOn, parentKinds, unitOf } from '../../shared/domain/orgs.ts';
import { AppError } from '../../shared/errors.ts';
import { actAs, actingOrg, identityFromClaims } from '../../shared/http/auth.ts';
import type { OrgKind } from '../../shared/schemas/orgs.ts';

const tree = new Map(seedOrgs().map((o) => [o.id, o]));
const org = (id: string) => {
  const found = tree.get(id);
  if (!found) throw new Error(`no seed org ${id}`);
  return found;
};

describe('mayActOn (R12: each union acts for itself and below)', () => {
  it('lets an org act on itself and everything under it', () => {
    expect(mayActOn('lc', org('lc'))).toBe(true);
    expect(mayActOn('lc', org('lc-chiping'))).toBe(true);
    expect(mayActOn('lc', org('lc-dcf-gucheng-textile'))).toBe(true);
    expect(mayActOn('sd', org('lc-dcf-gucheng-textile'))).toBe(true);
    expect(mayActOn('lc-dongchangfu', org('lc-dcf-gucheng-textile'))).toBe(true);
    expect(mayActOn('lc-dcf-gucheng', org('lc-dcf-gucheng-textile'))).toBe(true);
  });

  it('never sideways or upwards', () => {
    expect(mayActOn('lc-chiping', org('lc-dongchangfu'))).toBe(false);
    expect(mayActOn('lc-chiping', org('lc-dcf-gucheng-textile'))).toBe(false);
    expect(mayActOn('lc-chiping', org('lc'))).toBe(false);
    expect(mayActOn('lc-dcf-gucheng', org('lc-dongchangfu'))).toBe(false);
    expect(mayActOn('lc', org('sd'))).toBe(false);
  });

  it('does not confuse ids that share a prefix', () => {
    expect(mayActOn('lc-dcf', org('lc-dcf-gucheng'))).toBe(false);
    expect(mayActOn('l', org('lc'))).toBe(false);
  });
});

describe('parentKinds (R12 组织注册)', () => {
  it('fixes which kind registers under which', () => {
    expect(parentKinds).toEqual({
      province: [],
      city: ['province'],
      unit: ['city'],
      township: ['unit'],
      enterprise: ['unit', 'township'],
    });
  });

  it('holds for every seeded org', () => {
    for (const o of tree.values()) {
      if (o.parentId === null) expect(parentKinds[o.kind]).toEqual([]);
      else expect(parentKinds[o.kind]).toContain(org(o.parentId).kind);
    }
  });

  it('never lets a kind sit under itself or below', () => {
    const depth: Record<OrgKind, number> = { province: 0, city: 1, unit: 2, township: 3, enterprise: 4 };
    for (const [kind, parents] of Object.entries(parentKinds) as [OrgKind, readonly OrgKind[]][]) {
      for (const parent of parents) expect(depth[parent]).toBeLessThan(depth[kind]);
    }
  });
});

describe('unitOf and childPath', () => {
  const kindOf = (id: string) => tree.get(id)?.kind;

  it('finds the allocation unit of an enterprise, a township and a unit', () => {
    expect(unitOf(org('lc-dcf-gucheng-textile'), kindOf)).toBe('lc-dongchangfu');
    expect(unitOf(org('lc-dcf-gucheng'), kindOf)).toBe('lc-dongchangfu');
    expect(unitOf(org('lc-sz-power'), kindOf)).toBe('lc-shizhi');
    expect(unitOf(org('lc-chiping'), kindOf)).toBe('lc-chiping');
    expect(unitOf(org('lc'), kindOf)).toBeUndefined();
  });

  it('extends the parent’s path', () => {
    expect(childPath(org('lc-dongchangfu'), 'x')).toEqual(['sd', 'lc', 'lc-dongchangfu', 'x']);
    expect(org('lc-dongchangfu').path).toEqual(['sd', 'lc', 'lc-dongchangfu']);
  });
});

function unauthenticated(fn: () => unknown): AppError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  const err = caught as AppError;
  expect(err.code).toBe('unauthenticated');
  expect(err.status).toBe(401);
  return err;
}

describe('identityFromClaims', () => {
  it('reads identity only: role, org and Cognito custom attributes are ignored', () => {
    expect(identityFromClaims({ sub: 'u1', role: 'admin', org: 'lc' })).toEqual({ sub: 'u1' });
    expect(
      identityFromClaims({ sub: 'c1', 'custom:role': 'admin', 'custom:org': 'sd', exp: '1700000000' }),
    ).toEqual({ sub: 'c1' });
  });

  it('reads the name, the verified real name and ID hash, and a verified phone', () => {
    expect(
      identityFromClaims({
        sub: 'w1',
        name: '小张',
        verified_name: '张伟',
        verified_id_hash: 'h1',
        phone_number: '13906350011',
        phone_number_verified: 'true',
      }),
    ).toEqual({ sub: 'w1', name: '小张', verifiedName: '张伟', verifiedIdHash: 'h1', phone: '13906350011' });
  });

  it('ignores a phone number the issuer has not verified', () => {
    expect(identityFromClaims({ sub: 'w1', phone_number: '13906350011' })).toEqual({ sub: 'w1' });
    expect(
      identityFromClaims({ sub: 'w1', phone_number: '13906350011', phone_number_verified: 'false' }),
    ).toEqual({ sub: 'w1' });
  });

  it('answers 401 without claims or without a sub', () => {
    unauthenticated(() => identityFromClaims(undefined));
    unauthenticated(() => identityFromClaims({}));
    unauthenticated(() => identityFromClaims({ role: 'admin', org: 'lc' }));
    unauthenticated(() => identityFromClaims({ sub: '' }));
    unauthenticated(() => identityFromClaims({ sub: 42 }));
  });
});

describe('actAs (the caller from memberships and X-Acting-Org)', () => {
  const forbidden = expect.objectContaining({ code: 'forbidden', status: 403 });
  const lc = { orgId: 'lc', role: 'admin' as const };
  const chiping = { orgId: 'lc-chiping', role: 'reviewer' as const };

  it('makes an account without memberships a worker', () => {
    expect(actAs({ sub: 'w1' }, [], undefined)).toEqual({ sub: 'w1', role: 'worker', org: undefined });
  });

  it('acts for the only membership when no org is named', () => {
    expect(actAs({ sub: 'u1', name: '甲' }, [chiping], undefined)).toEqual({
      sub: 'u1',
      name: '甲',
      role: 'reviewer',
      org: 'lc-chiping',
    });
  });

  it('acts for the named org when the account belongs to it', () => {
    expect(actAs({ sub: 'u1' }, [lc, chiping], 'lc')).toMatchObject({ role: 'admin', org: 'lc' });
    expect(actAs({ sub: 'u1' }, [lc, chiping], 'lc-chiping')).toMatchObject({
      role: 'reviewer',
      org: 'lc-chiping',
    });
  });

  it('is forbidden for several memberships and no named org', () => {
    expect(() => actAs({ sub: 'u1' }, [lc, chiping], undefined)).toThrow(forbidden);
  });

  it('is forbidden for a named org the account does not belong to (a worker naming one too)', () => {
    expect(() => actAs({ sub: 'u1' }, [chiping], 'lc')).toThrow(forbidden);
    expect(() => actAs({ sub: 'w1' }, [], 'lc')).toThrow(forbidden);
  });
});

describe('mayGrant (R12: no role above one’s own, nothing outside one’s subtree)', () => {
  it('lets an admin grant reviewer or admin in its org and below', () => {
    expect(mayGrant({ role: 'admin', orgId: 'lc' }, org('lc'), 'admin')).toBe(true);
    expect(mayGrant({ role: 'admin', orgId: 'lc' }, org('lc-chiping'), 'reviewer')).toBe(true);
    expect(mayGrant({ role: 'admin', orgId: 'lc-dongchangfu' }, org('lc-dcf-gucheng-textile'), 'admin')).toBe(
      true,
    );
  });

  it('refuses sideways, upwards, and any grant by a reviewer or worker', () => {
    expect(mayGrant({ role: 'admin', orgId: 'lc-chiping' }, org('lc-dongchangfu'), 'reviewer')).toBe(false);
    expect(mayGrant({ role: 'admin', orgId: 'lc-chiping' }, org('lc'), 'reviewer')).toBe(false);
    expect(mayGrant({ role: 'reviewer', orgId: 'lc' }, org('lc-chiping'), 'reviewer')).toBe(false);
    expect(mayGrant({ role: 'reviewer', orgId: 'lc' }, org('lc'), 'admin')).toBe(false);
    expect(mayGrant({ role: 'worker', orgId: undefined }, org('lc'), 'reviewer')).toBe(false);
  });
});

describe('actingOrg', () => {
  it('is the org of a reviewer or admin and forbidden for a caller without one', () => {
    expect(actingOrg({ sub: 'u1', role: 'admin', org: 'lc' })).toBe('lc');
    expect(() => actingOrg({ sub: 'w1', role: 'worker', org: undefined })).toThrow(
      expect.objectContaining({ code: 'forbidden', status: 403 }),
    );
  });
});
