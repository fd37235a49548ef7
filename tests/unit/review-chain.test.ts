import { describe, expect, it } from 'vitest';
import { seedOrgs } from '../../infra/seed/data.ts';
import { reviewChain } from '../../shared/domain/review.ts';
import type { Org } from '../../shared/schemas/views/orgs.ts';

const seeded = seedOrgs();
const tree = new Map(seeded.map((o) => [o.id, o]));
const orgOf = (id: string) => tree.get(id);
const pathOf = (id: string) => {
  const org = tree.get(id);
  if (!org) throw new Error(`no seed org ${id}`);
  return org.path;
};
const chainOf = (employerOrgId: string) => reviewChain(pathOf(employerOrgId), orgOf);

describe('reviewChain (R2/R12 逐级审核: the employer union first, the city union last)', () => {
  it('enterprise → township → unit → city when the enterprise sits under a township', () => {
    expect(pathOf('lc-dcf-gucheng-textile')).toEqual([
      'sd',
      'lc',
      'lc-dongchangfu',
      'lc-dcf-gucheng',
      'lc-dcf-gucheng-textile',
    ]);
    expect(chainOf('lc-dcf-gucheng-textile')).toEqual([
      'lc-dcf-gucheng-textile',
      'lc-dcf-gucheng',
      'lc-dongchangfu',
      'lc',
    ]);
    expect(chainOf('lc-cp-wenzhuang-aluminium')).toEqual([
      'lc-cp-wenzhuang-aluminium',
      'lc-cp-wenzhuang',
      'lc-chiping',
      'lc',
    ]);
  });

  it('enterprise → unit → city when there is no township', () => {
    expect(chainOf('lc-dcf-machinery')).toEqual(['lc-dcf-machinery', 'lc-dongchangfu', 'lc']);
    expect(chainOf('lc-kfq-logistics')).toEqual(['lc-kfq-logistics', 'lc-kaifaqu', 'lc']);
  });

  it('enterprise → city for the city-direct unit (市直属单位 does not review)', () => {
    expect(orgOf('lc-shizhi')?.directToCity).toBe(true);
    expect(chainOf('lc-sz-power')).toEqual(['lc-sz-power', 'lc']);
    expect(chainOf('lc-sz-transit')).toEqual(['lc-sz-transit', 'lc']);
  });

  it('skips only the city-direct unit: a township under it still reviews', () => {
    const township: Org = {
      id: 'lc-sz-street',
      name: '街道',
      kind: 'township',
      parentId: 'lc-shizhi',
      path: ['sd', 'lc', 'lc-shizhi', 'lc-sz-street'],
    };
    const enterprise: Org = {
      id: 'lc-sz-street-shop',
      name: '企业',
      kind: 'enterprise',
      parentId: 'lc-sz-street',
      path: [...township.path, 'lc-sz-street-shop'],
    };
    const extended = new Map([...tree, [township.id, township], [enterprise.id, enterprise]]);
    expect(reviewChain(enterprise.path, (id) => extended.get(id))).toEqual([
      'lc-sz-street-shop',
      'lc-sz-street',
      'lc',
    ]);
  });

  it('skips a unit only: an enterprise or township marked directToCity still reviews (R2 单位同意)', () => {
    const flagged = (id: string) => {
      const org = orgOf(id);
      return org && (org.kind === 'enterprise' || org.kind === 'township')
        ? { ...org, directToCity: true }
        : org;
    };
    expect(reviewChain(pathOf('lc-dcf-gucheng-textile'), flagged)).toEqual([
      'lc-dcf-gucheng-textile',
      'lc-dcf-gucheng',
      'lc-dongchangfu',
      'lc',
    ]);
  });

  it('every seeded enterprise starts with itself, ends at the city, and never reaches the province', () => {
    const enterprises = seeded.filter((o) => o.kind === 'enterprise');
    expect(enterprises.length).toBeGreaterThanOrEqual(7);
    for (const e of enterprises) {
      const chain = chainOf(e.id);
      expect(chain[0]).toBe(e.id);
      expect(chain.at(-1)).toBe('lc');
      expect(chain).not.toContain('sd');
      expect(chain).not.toContain('lc-shizhi');
      // Each step is an ancestor of the one before: the chain walks the employer's path upwards.
      const positions = chain.map((id) => e.path.indexOf(id));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect(positions).toEqual([...positions].sort((a, b) => b - a));
      expect(new Set(chain).size).toBe(chain.length);
      expect(chain.length).toBeGreaterThanOrEqual(2);
      expect(chain.length).toBeLessThanOrEqual(4);
    }
  });

  it('stops at the city: the province is never consulted', () => {
    const withoutProvince = (id: string) => (id === 'sd' ? undefined : orgOf(id));
    expect(reviewChain(pathOf('lc-dcf-gucheng-textile'), withoutProvince)).toEqual([
      'lc-dcf-gucheng-textile',
      'lc-dcf-gucheng',
      'lc-dongchangfu',
      'lc',
    ]);
  });

  it('throws when an org on the path up to the city is unknown', () => {
    const path = ['sd', 'lc', 'lc-dongchangfu', 'lc-dcf-nowhere', 'lc-dcf-gucheng-textile'];
    expect(() => reviewChain(path, orgOf)).toThrow(/lc-dcf-nowhere/);
    expect(() => reviewChain(['sd', 'lc', 'lc-dongchangfu', 'lc-dcf-ghost'], orgOf)).toThrow(/lc-dcf-ghost/);
  });
});
