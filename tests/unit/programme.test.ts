import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoProgramme, lc2022, seedOrgs } from '../../infra/seed/data.ts';
import { isWithinWindow } from '../../shared/domain/dates.ts';
import { programmeErrors, referencedOrgIds } from '../../shared/domain/programme.ts';
import { CreateProgrammeBody, type ProgrammeInput } from '../../shared/schemas/programmes.ts';
import type { Org } from '../../shared/schemas/views/orgs.ts';

/** The seeded tree plus a second city under the province, to test allocations across cities. */
function orgTree(): Map<string, Org> {
  const orgs = new Map(seedOrgs().map((o) => [o.id, o]));
  orgs.set('hz', { id: 'hz', name: '菏泽市总工会', kind: 'city', parentId: 'sd', path: ['sd', 'hz'] });
  orgs.set('hz-mudan', {
    id: 'hz-mudan',
    name: '牡丹区',
    kind: 'unit',
    parentId: 'hz',
    path: ['sd', 'hz', 'hz-mudan'],
  });
  return orgs;
}

const orgs = orgTree();

/** A fresh copy of the seeded 2022 programme to break one rule at a time. */
function valid(): ProgrammeInput {
  return structuredClone(lc2022);
}

/** Exactly one error, at `path`, with a Chinese message a union officer can read. */
function expectOnly(input: ProgrammeInput, path: string) {
  const errors = programmeErrors(input, orgs);
  expect(errors).toEqual([{ path, message: expect.stringMatching(/\p{Script=Han}/u) }]);
}

function allocationIndex(input: ProgrammeInput, unitOrgId: string): number {
  const i = input.allocations.findIndex((a) => a.unitOrgId === unitOrgId);
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

describe('programmeErrors', () => {
  it('finds nothing wrong with the seeded lc-2022 programme', () => {
    expect(programmeErrors(lc2022, orgs)).toEqual([]);
    expect(CreateProgrammeBody.safeParse(lc2022).success).toBe(true);
  });

  describe('dates (R10, R12)', () => {
    it('needs the application window to close on or after it opens', () => {
      const p = valid();
      p.applicationWindow = { opensOn: '2022-05-01', closesOn: '2022-04-30' };
      expectOnly(p, 'applicationWindow.closesOn');
      p.applicationWindow = { opensOn: '2022-05-01', closesOn: '2022-05-01' };
      expect(programmeErrors(p, orgs)).toEqual([]);
    });

    it('needs the window to open in the programme year', () => {
      const p = valid();
      p.year = 2023;
      expectOnly(p, 'applicationWindow.opensOn');
    });

    it('needs each review batch to close on or after it opens', () => {
      const p = valid();
      p.reviewBatches[0] = { id: 'batch-1', opensOn: '2022-05-05', closesOn: '2022-05-04' };
      expectOnly(p, 'reviewBatches.0.closesOn');
    });

    it('refuses a review batch that opens before the application window', () => {
      const p = valid();
      p.reviewBatches[0] = { id: 'batch-1', opensOn: '2021-12-31', closesOn: '2022-06-10' };
      expectOnly(p, 'reviewBatches.0.opensOn');
      p.reviewBatches[0] = { id: 'batch-1', opensOn: '2022-01-01', closesOn: '2022-06-10' };
      expect(programmeErrors(p, orgs)).toEqual([]);
    });

    it('refuses overlapping review batches, even by one shared day', () => {
      const p = valid();
      p.reviewBatches[1] = { id: 'batch-2', opensOn: '2022-06-10', closesOn: '2022-12-09' };
      expectOnly(p, 'reviewBatches.1.opensOn');
      p.reviewBatches[1] = { id: 'batch-2', opensOn: '2022-06-11', closesOn: '2022-12-09' };
      expect(programmeErrors(p, orgs)).toEqual([]);
    });

    it('refuses review batches out of order', () => {
      const p = valid();
      p.reviewBatches.reverse();
      expect(programmeErrors(p, orgs)).toEqual([
        { path: 'reviewBatches.1.opensOn', message: expect.any(String) },
        // The earlier batch is now last and closes before the application window does.
        { path: 'reviewBatches.1.closesOn', message: expect.any(String) },
      ]);
    });

    it('needs the last review batch to close no earlier than the application window', () => {
      const p = valid();
      p.reviewBatches[1] = { id: 'batch-2', opensOn: '2022-11-01', closesOn: '2022-11-29' };
      expectOnly(p, 'reviewBatches.1.closesOn');
      p.reviewBatches[1] = { id: 'batch-2', opensOn: '2022-11-01', closesOn: '2022-11-30' };
      expect(programmeErrors(p, orgs)).toEqual([]);
    });

    it('accepts a one-day review batch', () => {
      const p = valid();
      p.reviewBatches[0] = { id: 'batch-1', opensOn: '2022-05-05', closesOn: '2022-05-05' };
      expect(programmeErrors(p, orgs)).toEqual([]);
    });

    it('checks the last of three batches against the window’s close, not the second', () => {
      const p = valid();
      p.reviewBatches = [
        { id: 'batch-1', opensOn: '2022-05-05', closesOn: '2022-06-10' },
        { id: 'batch-2', opensOn: '2022-11-01', closesOn: '2022-12-09' },
        { id: 'batch-3', opensOn: '2022-12-10', closesOn: '2022-12-20' },
      ];
      expect(programmeErrors(p, orgs)).toEqual([]);
      p.applicationWindow.closesOn = '2022-12-31';
      p.reviewBatches[1] = { id: 'batch-2', opensOn: '2022-11-01', closesOn: '2022-12-31' };
      p.reviewBatches[2] = { id: 'batch-3', opensOn: '2023-01-01', closesOn: '2023-01-05' };
      expect(programmeErrors(p, orgs)).toEqual([]);
      p.reviewBatches[2] = { id: 'batch-3', opensOn: '2022-12-31', closesOn: '2022-12-30' };
      expect(programmeErrors(p, orgs).map((e) => e.path)).toEqual([
        'reviewBatches.2.closesOn',
        'reviewBatches.2.opensOn',
        'reviewBatches.2.closesOn',
      ]);
    });

    it('refuses duplicate review batch ids', () => {
      const p = valid();
      p.reviewBatches[1] = { id: 'batch-1', opensOn: '2022-11-01', closesOn: '2022-12-09' };
      expectOnly(p, 'reviewBatches.1.id');
    });
  });

  it('refuses a level listed twice', () => {
    const p = valid();
    p.levels = ['bachelor', 'junior_college', 'bachelor'];
    expectOnly(p, 'levels');
  });

  it('reports a missing owner', () => {
    const p = valid();
    p.ownerOrgId = 'lc-nowhere';
    expectOnly(p, 'ownerOrgId');
  });

  describe('allocations (R5)', () => {
    it('refuses a unit that does not exist', () => {
      const p = valid();
      p.allocations[3] = {
        unitOrgId: 'lc-nowhere',
        places: 20,
        funding: [{ funderOrgId: 'sd', amountFen: 1 }],
      };
      expectOnly(p, 'allocations.3.unitOrgId');
    });

    it.each(['lc-dcf-machinery', 'lc-dcf-gucheng', 'lc', 'sd'])(
      'refuses places on the non-unit org %s',
      (orgId) => {
        const p = valid();
        // lc-dcf-* sit under lc-dongchangfu, which already has a row: replace that row.
        const i = allocationIndex(p, 'lc-dongchangfu');
        p.allocations[i] = {
          unitOrgId: orgId,
          places: 20,
          funding: [{ funderOrgId: 'sd', amountFen: 100_000 }],
        };
        expectOnly(p, `allocations.${i}.unitOrgId`);
      },
    );

    it('refuses a unit outside the owner’s subtree', () => {
      const p = valid();
      p.allocations.push({
        unitOrgId: 'hz-mudan',
        places: 5,
        funding: [{ funderOrgId: 'sd', amountFen: 100_000 }],
      });
      expectOnly(p, `allocations.${p.allocations.length - 1}.unitOrgId`);
    });

    it('refuses the same unit twice', () => {
      const p = valid();
      const second = p.allocations[1];
      if (!second) throw new Error('lc-2022 has more than one allocation');
      second.unitOrgId = 'lc-shizhi';
      expectOnly(p, 'allocations.1.unitOrgId');
    });
  });

  describe('funding shares (R6)', () => {
    it('refuses a funder that does not exist', () => {
      const p = valid();
      p.allocations[0]?.funding.push({ funderOrgId: 'nobody', amountFen: 50_000 });
      expectOnly(p, 'allocations.0.funding.2.funderOrgId');
    });

    it('refuses a funder that is not the unit or above it', () => {
      const p = valid();
      const i = allocationIndex(p, 'lc-shizhi');
      p.allocations[i]?.funding.push({ funderOrgId: 'lc-chiping', amountFen: 50_000 });
      expectOnly(p, `allocations.${i}.funding.2.funderOrgId`);
    });

    it('refuses a funder below the unit (a township pays only through its own top-up rules)', () => {
      const p = valid();
      const i = allocationIndex(p, 'lc-dongchangfu');
      p.allocations[i]?.funding.push({ funderOrgId: 'lc-dcf-gucheng', amountFen: 50_000 });
      expectOnly(p, `allocations.${i}.funding.2.funderOrgId`);
    });

    it('accepts the unit itself as a funder of extra places (a county’s own share)', () => {
      const p = valid();
      const i = allocationIndex(p, 'lc-dongchangfu');
      p.allocations[i]?.funding.push({ funderOrgId: 'lc-dongchangfu', amountFen: 50_000, places: 20 });
      expect(programmeErrors(p, orgs)).toEqual([]);
    });

    it('refuses the same funder twice on one unit', () => {
      const p = valid();
      p.allocations[0]?.funding.push({ funderOrgId: 'sd', amountFen: 50_000 });
      expectOnly(p, 'allocations.0.funding.2.funderOrgId');
    });

    it('refuses a share funding more places than the unit has', () => {
      const p = valid();
      const i = allocationIndex(p, 'lc-shizhi');
      p.allocations[i]?.funding.push({ funderOrgId: 'lc-shizhi', amountFen: 50_000, places: 21 });
      expectOnly(p, `allocations.${i}.funding.2.places`);
    });

    it('refuses money a funder commits beyond what integer fen can count exactly', () => {
      const p = valid();
      // 100,000 places × 1 亿元 (10^10 fen) = 10^15 fen per unit; the tenth unit passes 2^53 − 1 for sd and lc.
      for (const a of p.allocations) {
        a.places = 100_000;
        for (const share of a.funding) share.amountFen = 100_000_000_00;
      }
      expect(programmeErrors(p, orgs)).toEqual([
        { path: 'allocations.9.funding.0.amountFen', message: expect.stringMatching(/\p{Script=Han}/u) },
        { path: 'allocations.9.funding.1.amountFen', message: expect.stringMatching(/\p{Script=Han}/u) },
      ]);
      for (const a of p.allocations) for (const share of a.funding) share.amountFen = 7_500_000_000;
      // 12 × 10^5 × 7.5 × 10^9 = 9 × 10^15 ≤ 2^53 − 1: exact, accepted.
      expect(programmeErrors(p, orgs)).toEqual([]);
    });
  });

  describe('top-ups (R6 乡镇/单位工会可配套)', () => {
    const withTopUp = (funderOrgId: string) => ({ ...valid(), topUps: [{ funderOrgId, amountFen: 1 }] });
    it.each([
      ['sd', '配套方须为县级、乡镇或企业(单位)工会'],
      ['lc', '配套方须为县级、乡镇或企业(单位)工会'],
      ['nowhere', '配套方不存在'],
      ['hz-mudan', '配套方须在本项目的名额分配单位之下'],
    ])('refuses %s as a top-up funder: %s', (funderOrgId, message) => {
      expect(programmeErrors(withTopUp(funderOrgId), orgs)).toEqual([
        { path: 'topUps.0.funderOrgId', message },
      ]);
    });

    it('refuses the same top-up funder twice', () => {
      const p = withTopUp('lc-dcf-gucheng');
      p.topUps.push({ funderOrgId: 'lc-dcf-gucheng', amountFen: 2 });
      expect(programmeErrors(p, orgs)).toEqual([
        { path: 'topUps.1.funderOrgId', message: '同一配套方只能出现一次' },
      ]);
    });
  });

  it('reports every problem at once, each at its own path', () => {
    const p = valid();
    p.ownerOrgId = 'lc-nowhere';
    p.levels = ['bachelor', 'bachelor'];
    p.reviewBatches[1] = { id: 'batch-1', opensOn: '2022-11-01', closesOn: '2022-12-09' };
    p.allocations[0]?.funding.push({ funderOrgId: 'nobody', amountFen: 1 });
    expect(programmeErrors(p, orgs).map((e) => e.path)).toEqual([
      'ownerOrgId',
      'reviewBatches.1.id',
      'levels',
      'allocations.0.funding.2.funderOrgId',
    ]);
  });
});

describe('referencedOrgIds', () => {
  it('lists the owner, every unit and every funder once', () => {
    expect(referencedOrgIds(lc2022).sort()).toEqual(
      ['lc', 'sd', ...lc2022.allocations.map((a) => a.unitOrgId)].sort(),
    );
  });

  it('includes an owner that funds nothing, and every top-up funder', () => {
    const p = { ...valid(), ownerOrgId: 'sd', topUps: [{ funderOrgId: 'lc-dcf-gucheng', amountFen: 1 }] };
    p.allocations = [{ unitOrgId: 'lc-chiping', places: 1, funding: [{ funderOrgId: 'lc', amountFen: 1 }] }];
    expect(referencedOrgIds(p)).toEqual(['sd', 'lc-chiping', 'lc', 'lc-dcf-gucheng']);
  });
});

describe('demoProgramme', () => {
  const days = fc.date({
    min: new Date('2001-01-01T00:00:00Z'),
    max: new Date('2098-12-31T00:00:00Z'),
    noInvalidDate: true,
  });

  it.each([
    '2022-01-01T00:00:00+08:00',
    '2022-12-31T23:59:59.999+08:00',
    '2024-02-29T12:00:00+08:00',
    '2023-03-01T00:00:00+08:00',
    '2026-06-30T08:00:00Z',
  ])('is valid and open on %s', (at) => {
    const today = new Date(at);
    const demo = demoProgramme(today);
    expect(CreateProgrammeBody.safeParse(demo).success).toBe(true);
    expect(programmeErrors(demo, orgs)).toEqual([]);
    expect(isWithinWindow(today, demo.applicationWindow)).toBe(true);
    expect(demo.reviewBatches[0] && isWithinWindow(today, demo.reviewBatches[0])).toBe(true);
  });

  it('is valid, and open for applications and review, on any day', () => {
    fc.assert(
      fc.property(days, (today) => {
        const demo = demoProgramme(today);
        expect(CreateProgrammeBody.safeParse(demo).success).toBe(true);
        expect(programmeErrors(demo, orgs)).toEqual([]);
        expect(isWithinWindow(today, demo.applicationWindow)).toBe(true);
        expect(demo.reviewBatches[0] && isWithinWindow(today, demo.reviewBatches[0])).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
