import { describe, expect, it } from 'vitest';
import { seedOrgs } from '../../infra/seed/data.ts';
import { childPath, mayActOn, parentKinds, unitOf } from '../../shared/domain/orgs.ts';
import { AppError } from '../../shared/errors.ts';
import { actingOrg, callerFromClaims } from '../../shared/http/auth.ts';
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

describe('callerFromClaims', () => {
  it('reads the local issuer’s claims', () => {
    expect(callerFromClaims({ sub: 'u1', role: 'admin', org: 'lc' })).toEqual({
      sub: 'u1',
      role: 'admin',
      org: 'lc',
    });
    expect(callerFromClaims({ sub: 'u2', role: 'reviewer', org: 'lc-chiping', exp: '1700000000' })).toEqual({
      sub: 'u2',
      role: 'reviewer',
      org: 'lc-chiping',
    });
  });

  it('reads Cognito’s custom attributes', () => {
    expect(callerFromClaims({ sub: 'c1', 'custom:role': 'reviewer', 'custom:org': 'lc-linqing' })).toEqual({
      sub: 'c1',
      role: 'reviewer',
      org: 'lc-linqing',
    });
    expect(callerFromClaims({ sub: 'c2', 'custom:role': 'worker' })).toEqual({
      sub: 'c2',
      role: 'worker',
      org: undefined,
    });
  });

  it('lets a worker have no org', () => {
    expect(callerFromClaims({ sub: 'w1', role: 'worker' })).toEqual({
      sub: 'w1',
      role: 'worker',
      org: undefined,
    });
    expect(callerFromClaims({ sub: 'w1', role: 'worker', org: '' })).toEqual({
      sub: 'w1',
      role: 'worker',
      org: undefined,
    });
  });

  it('answers 401 without claims', () => {
    unauthenticated(() => callerFromClaims(undefined));
    unauthenticated(() => callerFromClaims({}));
  });

  it('answers 401 for a missing or empty sub', () => {
    unauthenticated(() => callerFromClaims({ role: 'worker' }));
    unauthenticated(() => callerFromClaims({ sub: '', role: 'worker' }));
    unauthenticated(() => callerFromClaims({ sub: 42, role: 'worker' }));
  });

  it('answers 401 for a missing or unknown role', () => {
    unauthenticated(() => callerFromClaims({ sub: 'u1' }));
    unauthenticated(() => callerFromClaims({ sub: 'u1', role: 'superuser', org: 'lc' }));
    unauthenticated(() => callerFromClaims({ sub: 'u1', role: 'ADMIN', org: 'lc' }));
    unauthenticated(() => callerFromClaims({ sub: 'u1', 'custom:role': 'root', 'custom:org': 'lc' }));
  });

  it('answers 401 for a reviewer or admin without an org', () => {
    for (const role of ['reviewer', 'admin']) {
      const err = unauthenticated(() => callerFromClaims({ sub: 'u1', role }));
      expect(err.message).toMatch(/\p{Script=Han}/u);
      unauthenticated(() => callerFromClaims({ sub: 'u1', role, org: '' }));
      unauthenticated(() => callerFromClaims({ sub: 'u1', 'custom:role': role }));
    }
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
