import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lc2022, seedOrgs } from '../../infra/seed/data.ts';
import {
  attemptKey,
  type PayableApplication,
  pages,
  paymentKey,
  payoutPlan,
  payoutTotals,
  reconcileTotals,
  sharesByApplication,
  sharesForRank,
  transferKey,
  transferShareKey,
} from '../../shared/domain/payout.ts';
import { programmeErrors } from '../../shared/domain/programme.ts';
import type { Allocation, ProgrammeInput } from '../../shared/schemas/programmes.ts';
import type { Org } from '../../shared/schemas/views/orgs.ts';

const orgs = new Map<string, Org>(seedOrgs().map((o) => [o.id, o]));
const SHARE = 100_000;
const base: Allocation['funding'] = [
  { funderOrgId: 'sd', amountFen: SHARE },
  { funderOrgId: 'lc', amountFen: SHARE },
];

const app = (id: string, unitOrgId: string, employerOrgId: string, sequence: number): PayableApplication => ({
  id,
  unitOrgId,
  employerOrgId,
  sequence,
});

describe('payoutPlan (R6, R7)', () => {
  it('routes a county worker through one aggregated city → county transfer per unit and run', () => {
    const plan = payoutPlan(
      { id: 'p', ownerOrgId: 'lc' },
      [{ unitOrgId: 'lc-chiping', places: 5, funding: base }],
      [
        app('a1', 'lc-chiping', 'lc-cp-wenzhuang-aluminium', 1),
        app('a2', 'lc-chiping', 'lc-cp-wenzhuang-aluminium', 2),
      ],
      orgs,
    );
    const shares = ['a1', 'a2'].flatMap((id) =>
      ['sd', 'lc'].map((funder) => transferShareKey('p', id, funder, 'lc')),
    );
    expect(plan.transfers).toEqual([
      {
        key: transferKey('p', 'lc', 'lc-chiping', shares),
        kind: 'transfer',
        payerOrgId: 'lc',
        payeeOrgId: 'lc-chiping',
        amountFen: 400_000,
        funding: [
          { funderOrgId: 'sd', amountFen: 200_000 },
          { funderOrgId: 'lc', amountFen: 200_000 },
        ],
        applicationIds: ['a1', 'a2'],
        shareKeys: shares,
      },
    ]);
    expect(plan.payments).toHaveLength(2);
    expect(plan.payments[0]).toEqual({
      key: paymentKey('p', 'a1', 'lc-chiping'),
      kind: 'payment',
      payerOrgId: 'lc-chiping',
      applicationId: 'a1',
      amountFen: 200_000,
      funding: [
        { funderOrgId: 'sd', amountFen: SHARE },
        { funderOrgId: 'lc', amountFen: SHARE },
      ],
      // The shares the transfer brings for it: holding the payment marks the application with them.
      carriedShares: ['sd', 'lc'].map((funder) => transferShareKey('p', 'a1', funder, 'lc')),
      dependsOn: transferKey('p', 'lc', 'lc-chiping', shares),
    });
    // Each application's own shares of the transfer, as its payment carries them (what a failed
    // transfer takes back from each application).
    const transfer = plan.transfers[0];
    if (!transfer) throw new Error('no transfer planned');
    expect(sharesByApplication('p', transfer)).toEqual(
      plan.payments.map((p) => ({ applicationId: p.applicationId, shareKeys: p.carriedShares })),
    );
    expect(sharesByApplication('p', { ...transfer, shareKeys: transfer.shareKeys?.slice(2) })).toEqual([
      { applicationId: 'a1', shareKeys: [] },
      { applicationId: 'a2', shareKeys: plan.payments[1]?.carriedShares },
    ]);
  });

  it('adds the unit’s own share to its payment to the worker, not to the transfer', () => {
    const plan = payoutPlan(
      { id: 'p', ownerOrgId: 'lc' },
      [
        {
          unitOrgId: 'lc-dongchangfu',
          places: 3,
          funding: [...base, { funderOrgId: 'lc-dongchangfu', amountFen: 50_000 }],
        },
      ],
      [app('a1', 'lc-dongchangfu', 'lc-dcf-machinery', 7)],
      orgs,
    );
    expect(plan.transfers[0]?.amountFen).toBe(200_000);
    expect(plan.payments).toHaveLength(1);
    expect(plan.payments[0]?.amountFen).toBe(250_000);
    expect(plan.payments[0]?.funding).toEqual([
      { funderOrgId: 'sd', amountFen: SHARE },
      { funderOrgId: 'lc', amountFen: SHARE },
      { funderOrgId: 'lc-dongchangfu', amountFen: 50_000 },
    ]);
  });

  it('pays workers of the city-direct unit (lc-shizhi) straight from the city union, with no transfer', () => {
    const plan = payoutPlan(
      { id: 'p', ownerOrgId: 'lc' },
      [{ unitOrgId: 'lc-shizhi', places: 20, funding: base }],
      [app('a1', 'lc-shizhi', 'lc-sz-power', 1)],
      orgs,
    );
    expect(plan.transfers).toEqual([]);
    expect(plan.payments).toEqual([
      {
        key: paymentKey('p', 'a1', 'lc'),
        kind: 'payment',
        payerOrgId: 'lc',
        applicationId: 'a1',
        amountFen: 200_000,
        funding: [
          { funderOrgId: 'sd', amountFen: SHARE },
          { funderOrgId: 'lc', amountFen: SHARE },
        ],
      },
    ]);
  });

  it('funds a county’s extra places by the county alone, for its holders beyond the shares’ `places`', () => {
    // 茌平区: 20 places from province and city, 2 more the county adds and funds itself (R6 可增加名额).
    const allocation = {
      unitOrgId: 'lc-chiping',
      places: 22,
      funding: [
        { funderOrgId: 'sd', amountFen: SHARE, places: 20 },
        { funderOrgId: 'lc', amountFen: SHARE, places: 20 },
        { funderOrgId: 'lc-chiping', amountFen: 80_000 },
      ],
    };
    const holders = Array.from({ length: 22 }, (_, i) =>
      app(`a${i}`, 'lc-chiping', 'lc-cp-wenzhuang-aluminium', 100 - i),
    );
    const plan = payoutPlan({ id: 'p', ownerOrgId: 'lc' }, [allocation], holders, orgs);
    // Receipt order, not input order: the two latest submissions (a0, a1) hold the county's extra places.
    const byApp = new Map(plan.payments.map((p) => [p.applicationId, p]));
    expect(byApp.get('a0')?.funding).toEqual([{ funderOrgId: 'lc-chiping', amountFen: 80_000 }]);
    expect(byApp.get('a1')?.funding).toEqual([{ funderOrgId: 'lc-chiping', amountFen: 80_000 }]);
    expect(byApp.get('a0')?.dependsOn).toBeUndefined();
    expect(byApp.get('a21')?.amountFen).toBe(280_000);
    expect(plan.transfers).toHaveLength(1);
    expect(plan.transfers[0]?.amountFen).toBe(20 * 200_000);
    expect(plan.transfers[0]?.applicationIds).toHaveLength(20);
    expect(sharesForRank(allocation, 19)).toHaveLength(3);
    expect(sharesForRank(allocation, 20)).toHaveLength(1);
  });

  it('pays township and employer top-ups from that org to workers under it, and to no one else', () => {
    const programme = {
      id: 'p',
      ownerOrgId: 'lc',
      topUps: [
        { funderOrgId: 'lc-dcf-gucheng', amountFen: 20_000 },
        { funderOrgId: 'lc-dcf-gucheng-textile', amountFen: 10_000 },
      ],
    };
    const plan = payoutPlan(
      programme,
      [{ unitOrgId: 'lc-dongchangfu', places: 5, funding: base }],
      [
        app('t1', 'lc-dongchangfu', 'lc-dcf-gucheng-textile', 1),
        app('m1', 'lc-dongchangfu', 'lc-dcf-machinery', 2),
      ],
      orgs,
    );
    const of = (id: string) => plan.payments.filter((p) => p.applicationId === id);
    expect(of('t1').map((p) => [p.payerOrgId, p.amountFen])).toEqual([
      ['lc-dongchangfu', 200_000],
      ['lc-dcf-gucheng', 20_000],
      ['lc-dcf-gucheng-textile', 10_000],
    ]);
    expect(of('t1')[1]?.funding).toEqual([{ funderOrgId: 'lc-dcf-gucheng', amountFen: 20_000 }]);
    expect(of('t1')[1]?.dependsOn).toBeUndefined();
    expect(of('m1').map((p) => p.payerOrgId)).toEqual(['lc-dongchangfu']);
    // Top-ups never travel through the city union.
    expect(plan.transfers[0]?.amountFen).toBe(400_000);
  });

  it('gives the same keys when planned again and leaves out what other runs hold or paid', () => {
    const input = [
      app('a1', 'lc-linqing', 'lc-lq-yandian-bearing', 1),
      app('a2', 'lc-linqing', 'lc-lq-yandian-bearing', 2),
    ];
    const allocations = [{ unitOrgId: 'lc-linqing', places: 20, funding: base }];
    const first = payoutPlan({ id: 'p', ownerOrgId: 'lc' }, allocations, input, orgs);
    const again = payoutPlan({ id: 'p', ownerOrgId: 'lc' }, allocations, input, orgs);
    expect(again).toEqual(first);
    // No key names a run: what another run holds is the same key, whoever plans it.
    const transfer = first.transfers[0];
    expect(transfer?.shareKeys).toHaveLength(4);
    const held = new Set([first.payments[0]?.key as string, ...(transfer?.shareKeys ?? [])]);
    const later = payoutPlan({ id: 'p', ownerOrgId: 'lc' }, allocations, input, orgs, { held });
    expect(later.transfers).toEqual([]);
    expect(later.payments.map((p) => p.applicationId)).toEqual(['a2']);
    expect(later.payments[0]?.key).toBe(first.payments[1]?.key);
    // Shares already carried by a transfer that is paid: the payment waits for nothing.
    expect(later.payments[0]?.dependsOn).toBeUndefined();
  });

  it('transfers only the shares no run holds, and waits for a transfer this run sends again', () => {
    const input = [
      app('a1', 'lc-linqing', 'lc-lq-yandian-bearing', 1),
      app('a2', 'lc-linqing', 'lc-lq-yandian-bearing', 2),
    ];
    const allocations = [{ unitOrgId: 'lc-linqing', places: 20, funding: base }];
    const a1Shares = ['sd', 'lc'].map((f) => transferShareKey('p', 'a1', f, 'lc'));
    const plan = payoutPlan({ id: 'p', ownerOrgId: 'lc' }, allocations, input, orgs, {
      held: new Set(a1Shares),
      inFlightShares: new Map(a1Shares.map((k) => [k, 'adopted-transfer'])),
    });
    expect(plan.transfers).toHaveLength(1);
    expect(plan.transfers[0]?.applicationIds).toEqual(['a2']);
    expect(plan.transfers[0]?.amountFen).toBe(200_000);
    const byApp = new Map(plan.payments.map((p) => [p.applicationId, p]));
    expect(byApp.get('a1')?.dependsOn).toBe('adopted-transfer');
    expect(byApp.get('a2')?.dependsOn).toBe(plan.transfers[0]?.key);
  });

  it('sends a definitely failed payment or transfer again under the next key of its chain, never its own', () => {
    const input = [app('a1', 'lc-linqing', 'lc-lq-yandian-bearing', 1)];
    const allocations = [{ unitOrgId: 'lc-linqing', places: 20, funding: base }];
    const first = payoutPlan({ id: 'p', ownerOrgId: 'lc' }, allocations, input, orgs);
    const payment = first.payments[0]?.key as string;
    const transfer = first.transfers[0]?.key as string;
    expect(payment).toBe(paymentKey('p', 'a1', 'lc-linqing'));
    expect(attemptKey(payment, undefined)).toBe(payment);
    // Both refused by the rail: the money is free again (nothing held), the keys are not.
    const retry = payoutPlan({ id: 'p', ownerOrgId: 'lc' }, allocations, input, orgs, {
      held: new Set(),
      failed: new Set([payment, transfer]),
    });
    const payment2 = retry.payments[0]?.key as string;
    const transfer2 = retry.transfers[0]?.key as string;
    expect(payment2).toMatch(/^[0-9a-f]{40}$/);
    expect(transfer2).toMatch(/^[0-9a-f]{40}$/);
    expect(new Set([payment, transfer, payment2, transfer2]).size).toBe(4);
    expect(retry.payments[0]?.dependsOn).toBe(transfer2);
    expect(retry.payments[0]?.amountFen).toBe(first.payments[0]?.amountFen);
    // Whoever plans it next derives the same key: the chain depends on the failures only.
    expect(attemptKey(payment, new Set([payment]))).toBe(payment2);
    // A second refusal moves on again; an attempt not refused stays (held or paid, it is left out).
    const third = attemptKey(payment, new Set([payment, payment2]));
    expect([payment, payment2]).not.toContain(third);
    const held = payoutPlan({ id: 'p', ownerOrgId: 'lc' }, allocations, input, orgs, {
      held: new Set([payment2, ...(retry.transfers[0]?.shareKeys ?? [])]),
      failed: new Set([payment, transfer]),
    });
    expect(held).toEqual({ transfers: [], payments: [] });
  });

  it('plans nothing for nothing payable', () => {
    expect(payoutPlan({ id: 'p', ownerOrgId: 'lc' }, lc2022.allocations, [], orgs)).toEqual({
      transfers: [],
      payments: [],
    });
  });

  it('conserves money: per funder, payments to workers equal the shares, and transfers equal the unions’ part', () => {
    const units = lc2022.allocations;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: units.length - 1 }), fc.integer({ min: 1, max: 1_000_000 })),
          {
            maxLength: 60,
          },
        ),
        fc.integer({ min: 0, max: 90_000 }),
        (picks, unitShare) => {
          const allocations = units.map((a) => ({
            ...a,
            funding:
              unitShare > 0
                ? [...a.funding, { funderOrgId: a.unitOrgId, amountFen: unitShare, places: 3 }]
                : a.funding,
          }));
          const applications = picks.map(([u, seq], i) =>
            app(`x${i}`, units[u]?.unitOrgId ?? 'lc-shizhi', 'none', seq * 100 + i),
          );
          const plan = payoutPlan({ id: 'p', ownerOrgId: 'lc' }, allocations, applications, orgs);
          const totals = payoutTotals(plan.payments);
          const perUnit = new Map<string, number>();
          for (const a of applications) perUnit.set(a.unitOrgId, (perUnit.get(a.unitOrgId) ?? 0) + 1);
          const expected = (funder: string) =>
            [...perUnit].reduce((n, [unit, count]) => {
              const alloc = allocations.find((a) => a.unitOrgId === unit);
              const share = alloc?.funding.find((f) => f.funderOrgId === funder);
              return n + (share ? share.amountFen * Math.min(count, share.places ?? alloc?.places ?? 0) : 0);
            }, 0);
          for (const funder of ['sd', 'lc']) {
            expect(totals.byFunder.find((t) => t.funderOrgId === funder)?.totalFen ?? 0).toBe(
              expected(funder),
            );
          }
          // What the city hands units equals what units hand workers out of province and city money.
          const viaUnits = plan.payments
            .filter((p) => p.payerOrgId !== 'lc')
            .flatMap((p) => p.funding.filter((f) => f.funderOrgId === 'sd' || f.funderOrgId === 'lc'))
            .reduce((n, f) => n + f.amountFen, 0);
          expect(plan.transfers.reduce((n, t) => n + t.amountFen, 0)).toBe(viaUnits);
          for (const i of [...plan.transfers, ...plan.payments])
            expect(Number.isSafeInteger(i.amountFen)).toBe(true);
          expect(new Set(plan.payments.map((p) => p.key)).size).toBe(plan.payments.length);
        },
      ),
    );
  });
});

describe('reconcileTotals', () => {
  it('reports each funder and payer whose paid total differs from the plan', () => {
    const planned = payoutTotals([
      {
        kind: 'transfer',
        payerOrgId: 'lc',
        amountFen: 200,
        funding: [{ funderOrgId: 'sd', amountFen: 200 }],
      },
      { kind: 'payment', payerOrgId: 'u', amountFen: 200, funding: [{ funderOrgId: 'sd', amountFen: 200 }] },
    ]);
    expect(planned.byFunder).toEqual([{ funderOrgId: 'sd', totalFen: 200 }]);
    expect(reconcileTotals(planned, planned)).toEqual([]);
    const paid = payoutTotals([
      {
        kind: 'transfer',
        payerOrgId: 'lc',
        amountFen: 200,
        funding: [{ funderOrgId: 'sd', amountFen: 200 }],
      },
    ]);
    expect(reconcileTotals(planned, paid)).toEqual([
      'funder sd: planned 200 fen, paid 0 fen',
      'payer u: planned 200 fen, paid 0 fen',
    ]);
  });
});

describe('programme top-ups (R6 乡镇/单位工会可配套)', () => {
  const input = (topUps: ProgrammeInput['topUps']): ProgrammeInput => ({ ...lc2022, topUps });
  it('accepts a township, an employer or a unit inside the programme', () => {
    expect(
      programmeErrors(
        input([
          { funderOrgId: 'lc-dcf-gucheng', amountFen: 1 },
          { funderOrgId: 'lc-sz-power', amountFen: 1 },
          { funderOrgId: 'lc-chiping', amountFen: 1 },
        ]),
        orgs,
      ),
    ).toEqual([]);
  });
  it('rejects the city or province union, unknown orgs and duplicates', () => {
    const errors = programmeErrors(
      input([
        { funderOrgId: 'lc', amountFen: 1 },
        { funderOrgId: 'nowhere', amountFen: 1 },
        { funderOrgId: 'lc-dcf-gucheng', amountFen: 1 },
        { funderOrgId: 'lc-dcf-gucheng', amountFen: 2 },
      ]),
      orgs,
    );
    expect(errors.map((e) => e.path)).toEqual([
      'topUps.0.funderOrgId',
      'topUps.1.funderOrgId',
      'topUps.3.funderOrgId',
    ]);
  });
});

describe('payout keys', () => {
  const shares = ['s1', 's2', 's3'];
  it('are 40 lowercase hex characters', () => {
    for (const key of [
      paymentKey('p', 'a1', 'lc'),
      transferShareKey('p', 'a1', 'sd', 'lc'),
      transferKey('p', 'lc', 'lc-chiping', shares),
    ])
      expect(key).toMatch(/^[0-9a-f]{40}$/);
  });

  it('name a transfer by the set of shares it carries, whatever their order', () => {
    const key = transferKey('p', 'lc', 'lc-chiping', shares);
    expect(transferKey('p', 'lc', 'lc-chiping', ['s3', 's1', 's2'])).toBe(key);
    expect(shares).toEqual(['s1', 's2', 's3']);
  });

  it('differ when anything the money is for differs', () => {
    const key = transferKey('p', 'lc', 'lc-chiping', shares);
    const others = [
      transferKey('q', 'lc', 'lc-chiping', shares),
      transferKey('p', 'sd', 'lc-chiping', shares),
      transferKey('p', 'lc', 'lc-linqing', shares),
      transferKey('p', 'lc', 'lc-chiping', ['s1', 's2']),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
    // The share keys are separated, so two lists never run together into one key.
    expect(transferKey('p', 'lc', 'u', ['a', 'bc'])).not.toBe(transferKey('p', 'lc', 'u', ['ab', 'c']));
  });
});

describe('payoutPlan edges', () => {
  // A small tree of its own: a province, its city, one county and one enterprise (R7 routes).
  const tree = new Map<string, Org>(
    [
      { id: 'sd', name: '省', kind: 'province', parentId: null, path: ['sd'] },
      { id: 'lc', name: '市', kind: 'city', parentId: 'sd', path: ['sd', 'lc'] },
      { id: 'u', name: '县', kind: 'unit', parentId: 'lc', path: ['sd', 'lc', 'u'] },
      { id: 'e', name: '企业', kind: 'enterprise', parentId: 'u', path: ['sd', 'lc', 'u', 'e'] },
    ].map((o) => [o.id, o as Org]),
  );
  const allocation = { unitOrgId: 'u', places: 5, funding: base };

  it('pays nothing for applications of a unit without an allocation or whose org is unknown', () => {
    const plan = payoutPlan(
      { id: 'p', ownerOrgId: 'lc' },
      [allocation, { unitOrgId: 'gone', places: 5, funding: base }],
      [app('a1', 'u', 'e', 1), app('a2', 'v', 'e', 2), app('a3', 'gone', 'e', 3)],
      tree,
    );
    expect(plan.payments.map((p) => p.applicationId)).toEqual(['a1']);
    expect(plan.transfers.map((t) => t.applicationIds)).toEqual([['a1']]);
  });

  it('sends a province-owned programme’s money through the city on the unit’s path (R7)', () => {
    const plan = payoutPlan({ id: 'p', ownerOrgId: 'sd' }, [allocation], [app('a1', 'u', 'e', 1)], tree);
    expect(plan.transfers.map((t) => [t.payerOrgId, t.payeeOrgId])).toEqual([['lc', 'u']]);
  });

  it('finds the city even when the org map lacks an org above it', () => {
    const partial = new Map([...tree].filter(([id]) => id !== 'sd'));
    const plan = payoutPlan({ id: 'p', ownerOrgId: 'sd' }, [allocation], [app('a1', 'u', 'e', 1)], partial);
    expect(plan.transfers.map((t) => t.payerOrgId)).toEqual(['lc']);
  });

  it('gives no top-up to a worker whose employer the org map does not know, or is not under the unit', () => {
    const elsewhere = new Map([
      ...tree,
      [
        'x',
        { id: 'x', name: '他县企业', kind: 'enterprise', parentId: 'v', path: ['sd', 'lc', 'v', 'x'] } as Org,
      ],
    ]);
    const topUps = [
      { funderOrgId: 'e', amountFen: 5_000 },
      { funderOrgId: 'v', amountFen: 7_000 },
    ];
    const plan = payoutPlan(
      { id: 'p', ownerOrgId: 'lc', topUps },
      [allocation],
      [app('a1', 'u', 'unknown-employer', 1), app('a2', 'u', 'e', 2), app('a3', 'u', 'x', 3)],
      elsewhere,
    );
    expect(plan.payments.map((p) => [p.applicationId, p.payerOrgId])).toEqual([
      ['a1', 'u'],
      ['a2', 'u'],
      ['a2', 'e'],
      ['a3', 'u'],
    ]);
  });

  it('makes only the unit’s payment wait for an adopted transfer, never a top-up paid by someone else', () => {
    const held = ['sd', 'lc'].map((f) => transferShareKey('p', 'a1', f, 'lc'));
    const plan = payoutPlan(
      { id: 'p', ownerOrgId: 'lc', topUps: [{ funderOrgId: 'e', amountFen: 5_000 }] },
      [allocation],
      [app('a1', 'u', 'e', 1)],
      tree,
      { held: new Set(held), inFlightShares: new Map(held.map((k) => [k, 'adopted'])) },
    );
    expect(plan.transfers).toEqual([]);
    expect(plan.payments).toStrictEqual([
      {
        key: paymentKey('p', 'a1', 'u'),
        kind: 'payment',
        payerOrgId: 'u',
        applicationId: 'a1',
        amountFen: 2 * SHARE,
        funding: base.map(({ funderOrgId, amountFen }) => ({ funderOrgId, amountFen })),
        // Brought by the adopted transfer: the shares mark the application as a new transfer's would.
        carriedShares: held,
        dependsOn: 'adopted',
      },
      {
        key: paymentKey('p', 'a1', 'e'),
        kind: 'payment',
        payerOrgId: 'e',
        applicationId: 'a1',
        amountFen: 5_000,
        funding: [{ funderOrgId: 'e', amountFen: 5_000 }],
      },
    ]);
  });

  it('adds odd fen amounts exactly: no rounding anywhere in the split (R6: integer fen)', () => {
    const funding = [
      { funderOrgId: 'sd', amountFen: 33_333 },
      { funderOrgId: 'lc', amountFen: 1 },
      { funderOrgId: 'u', amountFen: 66_667 },
    ];
    const apps = [1, 2, 3].map((n) => app(`a${n}`, 'u', 'e', n));
    const plan = payoutPlan(
      { id: 'p', ownerOrgId: 'lc' },
      [{ unitOrgId: 'u', places: 3, funding }],
      apps,
      tree,
    );
    expect(plan.payments.map((p) => p.amountFen)).toEqual([100_001, 100_001, 100_001]);
    expect(plan.transfers.map((t) => [t.amountFen, t.funding])).toEqual([
      [
        100_002,
        [
          { funderOrgId: 'sd', amountFen: 99_999 },
          { funderOrgId: 'lc', amountFen: 3 },
        ],
      ],
    ]);
  });
});

describe('pages (Map items of a payout run)', () => {
  it('chunks in order: full pages, then the rest; nothing for nothing', () => {
    expect(pages([], 100)).toEqual([]);
    expect(pages([1, 2, 3, 4], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(pages([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(pages([1, 2, 3], 5)).toEqual([[1, 2, 3]]);
    expect(pages([1, 2, 3], 1)).toEqual([[1], [2], [3]]);
  });
});
