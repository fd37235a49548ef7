import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lc2022, seedOrgs } from '../../infra/seed/data.ts';
import { quotaBoard, shareTotalFen } from '../../shared/domain/quota.ts';

const names = new Map(seedOrgs().map((o) => [o.id, o.name]));
const nameOf = (id: string) => names.get(id) ?? `?${id}`;

describe('shareTotalFen (R6: money is integer fen)', () => {
  it('is the amount per place times the unit’s places', () => {
    expect(shareTotalFen({ funderOrgId: 'sd', amountFen: 100_000 }, 20)).toBe(2_000_000);
  });

  it('counts only the places a limited share funds', () => {
    expect(shareTotalFen({ funderOrgId: 'lc-chiping', amountFen: 50_000, places: 5 }, 20)).toBe(250_000);
    expect(shareTotalFen({ funderOrgId: 'lc-chiping', amountFen: 50_000, places: 20 }, 20)).toBe(1_000_000);
  });

  it('never counts more places than the unit has', () => {
    expect(shareTotalFen({ funderOrgId: 'lc-chiping', amountFen: 50_000, places: 30 }, 20)).toBe(1_000_000);
  });
});

describe('quotaBoard', () => {
  it('lists each unit with its counters and funding, and totals per funder in order of appearance', () => {
    const board = quotaBoard(
      'p',
      [
        {
          unitOrgId: 'lc-chiping',
          places: 30,
          claimed: 30,
          waitlisted: 4,
          funding: [
            { funderOrgId: 'sd', amountFen: 100_000 },
            { funderOrgId: 'lc', amountFen: 100_000, places: 20 },
            { funderOrgId: 'lc-chiping', amountFen: 80_000, places: 10 },
          ],
        },
        {
          unitOrgId: 'lc-shizhi',
          places: 2,
          claimed: 1,
          waitlisted: 0,
          funding: [
            { funderOrgId: 'lc', amountFen: 120_000 },
            { funderOrgId: 'sd', amountFen: 100_000 },
          ],
        },
      ],
      nameOf,
    );
    expect(board).toEqual({
      programmeId: 'p',
      units: [
        {
          unitOrgId: 'lc-chiping',
          name: '茌平区',
          places: 30,
          claimed: 30,
          waitlisted: 4,
          funding: [
            { funderOrgId: 'sd', amountFen: 100_000, totalFen: 3_000_000 },
            { funderOrgId: 'lc', amountFen: 100_000, totalFen: 2_000_000 },
            { funderOrgId: 'lc-chiping', amountFen: 80_000, totalFen: 800_000 },
          ],
        },
        {
          unitOrgId: 'lc-shizhi',
          name: '市直属单位',
          places: 2,
          claimed: 1,
          waitlisted: 0,
          funding: [
            { funderOrgId: 'lc', amountFen: 120_000, totalFen: 240_000 },
            { funderOrgId: 'sd', amountFen: 100_000, totalFen: 200_000 },
          ],
        },
      ],
      totals: {
        places: 32,
        claimed: 31,
        waitlisted: 4,
        funding: [
          { funderOrgId: 'sd', totalFen: 3_200_000 },
          { funderOrgId: 'lc', totalFen: 2_240_000 },
          { funderOrgId: 'lc-chiping', totalFen: 800_000 },
        ],
      },
    });
  });

  it('is empty for a programme without units', () => {
    expect(quotaBoard('p', [], nameOf)).toEqual({
      programmeId: 'p',
      units: [],
      totals: { places: 0, claimed: 0, waitlisted: 0, funding: [] },
    });
  });

  it('totals equal the sums of the unit rows, in integer fen', () => {
    const share = fc.record(
      {
        funderOrgId: fc.constantFrom('sd', 'lc', 'lc-chiping'),
        amountFen: fc.integer({ min: 1, max: 1_000_000 }),
        places: fc.integer({ min: 1, max: 200 }),
      },
      { requiredKeys: ['funderOrgId', 'amountFen'] },
    );
    const unit = fc.record({
      unitOrgId: fc.constantFrom('lc-chiping', 'lc-shizhi', 'lc-linqing'),
      places: fc.integer({ min: 1, max: 200 }),
      claimed: fc.nat(200),
      waitlisted: fc.nat(50),
      funding: fc.uniqueArray(share, { minLength: 1, maxLength: 3, selector: (s) => s.funderOrgId }),
    });
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (units) => {
        const board = quotaBoard('p', units, nameOf);
        expect(board.totals.places).toBe(units.reduce((n, u) => n + u.places, 0));
        expect(board.totals.claimed).toBe(units.reduce((n, u) => n + u.claimed, 0));
        expect(board.totals.waitlisted).toBe(units.reduce((n, u) => n + u.waitlisted, 0));
        const byFunder = new Map<string, number>();
        for (const row of board.units) {
          for (const f of row.funding) {
            expect(Number.isSafeInteger(f.totalFen)).toBe(true);
            expect(f.totalFen).toBeLessThanOrEqual(f.amountFen * row.places);
            byFunder.set(f.funderOrgId, (byFunder.get(f.funderOrgId) ?? 0) + f.totalFen);
          }
        }
        expect(board.totals.funding).toEqual(
          [...byFunder].map(([funderOrgId, totalFen]) => ({ funderOrgId, totalFen })),
        );
      }),
    );
  });
});

describe('the lc-2022 quota board (R5: the notice’s attachment table)', () => {
  /** 附件: 2022年一线职工“求学圆梦行动”名额分配表 — name, places, 省总工会 万元, 市总工会 万元. */
  const attachment: [string, number, number, number][] = [
    ['市直属单位', 20, 2, 2],
    ['东昌府区', 20, 2, 2],
    ['茌平区', 20, 2, 2],
    ['临清市', 20, 2, 2],
    ['冠县', 20, 2, 2],
    ['莘县', 20, 2, 2],
    ['阳谷县', 20, 2, 2],
    ['东阿县', 20, 2, 2],
    ['高唐县', 20, 2, 2],
    ['开发区', 10, 1, 1],
    ['高新区', 5, 0.5, 0.5],
    ['度假区', 5, 0.5, 0.5],
  ];
  const wanYuanToFen = (wan: number) => Math.round(wan * 10_000 * 100);

  const board = quotaBoard(
    lc2022.id,
    lc2022.allocations.map((a) => ({ ...a, claimed: 0, waitlisted: 0 })),
    nameOf,
  );

  it('has the table’s 12 units, in its order, with its places and each union’s money', () => {
    expect(
      board.units.map((u) => [
        u.name,
        u.places,
        u.funding.find((f) => f.funderOrgId === 'sd')?.totalFen,
        u.funding.find((f) => f.funderOrgId === 'lc')?.totalFen,
      ]),
    ).toEqual(attachment.map(([name, places, sd, lc]) => [name, places, wanYuanToFen(sd), wanYuanToFen(lc)]));
    for (const unit of board.units) {
      expect(unit.funding).toEqual([
        { funderOrgId: 'sd', amountFen: 100_000, totalFen: unit.places * 100_000 },
        { funderOrgId: 'lc', amountFen: 100_000, totalFen: unit.places * 100_000 },
      ]);
    }
  });

  it('totals 200 places and 20万元 from each of the province and the city', () => {
    expect(board.totals).toEqual({
      places: 200,
      claimed: 0,
      waitlisted: 0,
      funding: [
        { funderOrgId: 'sd', totalFen: 20_000_000 },
        { funderOrgId: 'lc', totalFen: 20_000_000 },
      ],
    });
  });
});
