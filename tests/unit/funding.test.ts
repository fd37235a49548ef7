import { describe, expect, it } from 'vitest';
import { seedOrgs } from '../../infra/seed/data.ts';
import {
  committedByFunder,
  fundersCommittedMore,
  fundingNotGoverned,
  fundingOf,
} from '../../shared/domain/funding.ts';
import type { Org } from '../../shared/schemas/views/orgs.ts';

/** R6 at the domain level: who may commit whose money, and how much each funder commits. */
const orgs = new Map<string, Org>(seedOrgs().map((o) => [o.id, o]));

describe('fundingNotGoverned (R6: only a funder’s own admins or those above commit its money)', () => {
  const changes = [
    { path: 'allocations.0.funding.0.funderOrgId', funderOrgId: 'sd' },
    { path: 'allocations.0.funding.1.funderOrgId', funderOrgId: 'lc' },
    { path: 'allocations.0.funding.2.funderOrgId', funderOrgId: 'lc-chiping' },
  ];

  it('lets the province commit every share below it', () => {
    expect(fundingNotGoverned('sd', changes, orgs)).toEqual([]);
  });

  it('refuses the city the province’s share, naming the funder at the share’s path', () => {
    expect(fundingNotGoverned('lc', changes, orgs)).toEqual([
      {
        path: 'allocations.0.funding.0.funderOrgId',
        message: '只有山东省总工会或其上级工会的管理员可以承诺其资金',
      },
    ]);
  });

  it('lets a county commit only its own money, never the city’s or a neighbour’s', () => {
    expect(fundingNotGoverned('lc-chiping', changes, orgs).map((e) => e.path)).toEqual([
      'allocations.0.funding.0.funderOrgId',
      'allocations.0.funding.1.funderOrgId',
    ]);
    expect(
      fundingNotGoverned('lc-linqing', [{ path: 'topUps.0.funderOrgId', funderOrgId: 'lc-chiping' }], orgs),
    ).toHaveLength(1);
  });

  it('leaves an unknown funder to the programme rules', () => {
    expect(fundingNotGoverned('lc', [{ path: 'x', funderOrgId: 'nowhere' }], orgs)).toEqual([]);
  });
});

describe('fundingOf', () => {
  it('lists every share and top-up at its request path, in order', () => {
    expect(
      fundingOf({
        allocations: [
          { funding: [{ funderOrgId: 'sd', amountFen: 1 }] },
          {
            funding: [
              { funderOrgId: 'lc', amountFen: 1 },
              { funderOrgId: 'lc-chiping', amountFen: 1 },
            ],
          },
        ],
        topUps: [{ funderOrgId: 'lc-cp-wenzhuang-aluminium', amountFen: 1 }],
      }),
    ).toEqual([
      { path: 'allocations.0.funding.0.funderOrgId', funderOrgId: 'sd' },
      { path: 'allocations.1.funding.0.funderOrgId', funderOrgId: 'lc' },
      { path: 'allocations.1.funding.1.funderOrgId', funderOrgId: 'lc-chiping' },
      { path: 'topUps.0.funderOrgId', funderOrgId: 'lc-cp-wenzhuang-aluminium' },
    ]);
    expect(fundingOf({ allocations: [] })).toEqual([]);
  });
});

describe('committedByFunder and fundersCommittedMore (R6, R15)', () => {
  const before = [
    {
      places: 20,
      funding: [
        { funderOrgId: 'sd', amountFen: 100_000 },
        { funderOrgId: 'lc', amountFen: 100_000 },
      ],
    },
    {
      places: 12,
      funding: [
        { funderOrgId: 'sd', amountFen: 100_000 },
        { funderOrgId: 'lc-chiping', amountFen: 50_000, places: 2 },
      ],
    },
  ];

  it('sums amount × the places each share funds, per funder across allocations', () => {
    expect([...committedByFunder(before)]).toEqual([
      ['sd', 3_200_000],
      ['lc', 2_000_000],
      ['lc-chiping', 100_000],
    ]);
  });

  it('names exactly the funders whose commitment a reallocation grows', () => {
    // 2 places move from the first unit to the second: the city commits less, the province the same.
    const after = [
      { ...before[0], places: 18 },
      { ...before[1], places: 14 },
    ] as typeof before;
    expect(fundersCommittedMore(before, after)).toEqual([]);
    const grown = [
      before[0],
      { ...before[1], funding: [...(before[1]?.funding ?? []), { funderOrgId: 'x', amountFen: 1 }] },
    ];
    expect(fundersCommittedMore(before, grown as typeof before)).toEqual(['x']);
    const more = [{ ...before[0], places: 21 }, before[1]] as typeof before;
    expect(fundersCommittedMore(before, more)).toEqual(['sd', 'lc']);
  });
});
