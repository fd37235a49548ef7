import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approveAlongChain,
  callRoute,
  expectOk,
  programmeBody,
  publishProgramme,
  runReaching,
  submittedApplication,
} from '../support/api.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * The routes the union console reads (architecture.md §7): a programme's applications on the caller
 * org's chains (filters, receipt order, pages, waitlist positions), its payout runs, the dashboard
 * and the export audit.
 */

let stack: TestStack;
let cityAdmin: string;
const programmeId = 'con-api';
const enrolmentYear = Number(new Date().toISOString().slice(0, 4));
const apps: { id: string; token: string; unit: string }[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  cityAdmin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
  await publishProgramme(
    stack,
    programmeBody({
      id: programmeId,
      enrolmentYear,
      allocations: [
        { unitOrgId: 'lc-dongchangfu', places: 10, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
        { unitOrgId: 'lc-chiping', places: 1, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
      ],
    }),
  );
  // In this order, alternating between the two units; receipts are numbered per unit (东昌府 1, 2, 3;
  // 茌平 1, 2) and the second Chiping one waits.
  const plan = [
    ['lc-dcf-gucheng-textile', 'lc-dongchangfu'],
    ['lc-cp-wenzhuang-aluminium', 'lc-chiping'],
    ['lc-dcf-gucheng-textile', 'lc-dongchangfu'],
    ['lc-cp-wenzhuang-aluminium', 'lc-chiping'],
    ['lc-dcf-gucheng-textile', 'lc-dongchangfu'],
  ] as const;
  for (const [i, [employerOrgId, unit]] of plan.entries()) {
    const app = await submittedApplication(stack, {
      n: 7100 + i,
      programmeId,
      employerOrgId,
      enrolmentYear,
    });
    apps.push({ id: app.id, token: app.token, unit });
  }
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

async function allPages(token: string, query: Record<string, string> = {}) {
  const ids: string[] = [];
  const sequences: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await expectOk(stack, 'listApplications', {
      token,
      params: { programmeId },
      query: { limit: '2', ...query, ...(cursor ? { cursor } : {}) },
    });
    ids.push(...page.items.map((a) => a.id));
    sequences.push(...page.items.map((a) => a.sequence));
    cursor = page.cursor;
    if (!cursor) break;
  }
  return { ids, sequences };
}

describe('GET /v1/programmes/{programmeId}/applications', () => {
  it('gives the city admin every application, in receipt order, two a page', async () => {
    const { ids, sequences } = await allPages(cityAdmin);
    // Receipt 1 of each unit, then receipt 2 of each, then 东昌府's 3: a unit's own applications in
    // its receipt order, a tie between units by the unit's id; none lost or repeated at a page edge.
    const [d1, c1, d2, c2, d3] = apps.map((a) => a.id);
    expect(ids).toEqual([c1, d1, c2, d2, d3]);
    expect(sequences).toEqual([1, 1, 2, 2, 3]);
  });

  it('gives a county reviewer only the applications on its chains, with the waitlist position', async () => {
    const chiping = await stack.token({ sub: 'rv-cp', role: 'reviewer', org: 'lc-chiping' });
    const page = await expectOk(stack, 'listApplications', { token: chiping, params: { programmeId } });
    expect(page.items.map((a) => a.id)).toEqual(apps.filter((a) => a.unit === 'lc-chiping').map((a) => a.id));
    expect(page.items.map((a) => [a.quota.state, a.waitlistPosition])).toEqual([
      ['claimed', undefined],
      ['waitlisted', 1],
    ]);
    expect(page.items[0]?.applicant.idNumber).toMatch(/\*/);
    const other = await stack.token({ sub: 'rv-kfq', role: 'reviewer', org: 'lc-kaifaqu' });
    const none = await expectOk(stack, 'listApplications', { token: other, params: { programmeId } });
    expect(none.items).toEqual([]);
  });

  it('filters by unit, employer, status, place state and a name or 受理号', async () => {
    const byUnit = await allPages(cityAdmin, { unitOrgId: 'lc-dongchangfu' });
    expect(byUnit.ids).toEqual(apps.filter((a) => a.unit === 'lc-dongchangfu').map((a) => a.id));
    const byEmployer = await allPages(cityAdmin, { employerOrgId: 'lc-cp-wenzhuang-aluminium' });
    expect(byEmployer.ids).toEqual(apps.filter((a) => a.unit === 'lc-chiping').map((a) => a.id));
    const waiting = await allPages(cityAdmin, { quotaState: 'waitlisted' });
    expect(waiting.ids).toEqual([apps[3]?.id]);
    const inReview = await allPages(cityAdmin, { status: 'in_review' });
    expect(inReview.ids).toHaveLength(5);
    expect((await allPages(cityAdmin, { status: 'approved' })).ids).toEqual([]);
    const byName = await allPages(cityAdmin, { q: '工7102' });
    expect(byName.ids).toEqual([apps[2]?.id]);
    const first = await expectOk(stack, 'listApplications', {
      token: cityAdmin,
      params: { programmeId },
      query: { limit: '1' },
    });
    // 受理号 1 exists in both units; the unit filter tells them apart.
    const sequence = String(first.items[0]?.sequence);
    expect((await allPages(cityAdmin, { q: sequence })).ids).toEqual([apps[1]?.id, apps[0]?.id]);
    const inOneUnit = await allPages(cityAdmin, { q: sequence, unitOrgId: 'lc-dongchangfu' });
    expect(inOneUnit.ids).toEqual([apps[0]?.id]);
  });

  it('refuses a cursor it did not issue, an unknown programme and a worker', async () => {
    const bad = await callRoute(stack, 'listApplications', {
      token: cityAdmin,
      params: { programmeId },
      query: { cursor: 'abc.def' },
    });
    expect(bad.status).toBe(400);
    const missing = await callRoute(stack, 'listApplications', {
      token: cityAdmin,
      params: { programmeId: 'no-such' },
    });
    expect(missing.status).toBe(404);
    const worker = await callRoute(stack, 'listApplications', {
      token: apps[0]?.token as string,
      params: { programmeId },
    });
    expect(worker.status).toBe(403);
  });
});

describe('payout runs, the dashboard and the export audit', () => {
  it('lists a started run for the city admin and hides it from a county admin', async () => {
    const first = apps[0] as { id: string; token: string };
    await approveAlongChain(stack, first.id, first.token);
    const { runId } = await expectOk(stack, 'startPayoutRun', {
      token: cityAdmin,
      params: { programmeId },
      body: {},
    });
    await runReaching(stack, cityAdmin, runId);
    // Statuses now differ (one approved, four in review): the merge of the status partitions keeps
    // receipt order across them, page after page.
    const [d1, c1, d2, c2, d3] = apps.map((a) => a.id);
    expect((await allPages(cityAdmin)).ids).toEqual([c1, d1, c2, d2, d3]);
    const approvedOnly = await allPages(cityAdmin, { status: 'approved' });
    expect(approvedOnly.ids).toEqual([first.id]);
    const runs = await expectOk(stack, 'listPayoutRuns', { token: cityAdmin, params: { programmeId } });
    expect(runs.items.map((r) => r.runId)).toEqual([runId]);
    expect(runs.items[0]?.status).toBe('succeeded');
    const county = await stack.token({ sub: 'admin-cp', role: 'admin', org: 'lc-chiping' });
    const hidden = await callRoute(stack, 'listPayoutRuns', { token: county, params: { programmeId } });
    expect(hidden.status).toBe(404);

    const board = await expectOk(stack, 'programmeDashboard', { token: cityAdmin, params: { programmeId } });
    expect(board.byStatus.find((s) => s.status === 'approved')?.count).toBe(1);
    expect(board.byStatus.find((s) => s.status === 'in_review')?.count).toBe(4);
    expect(board.units.map((u) => [u.unitOrgId, u.applications, u.claimed, u.waitlisted])).toEqual([
      ['lc-dongchangfu', 3, 3, 0],
      ['lc-chiping', 2, 1, 1],
    ]);
    expect(board.approvalsByBatch).toEqual([{ batchId: 'b1', approvals: 1 }]);
    expect(board.money.planned).toEqual([{ funderOrgId: 'sd', totalFen: 1_100_000 }]);
    expect(board.money.paid).toEqual(runs.items[0]?.totals);

    const reviewer = await stack.token({ sub: 'rv-cp2', role: 'reviewer', org: 'lc-chiping' });
    const theirs = await expectOk(stack, 'programmeDashboard', { token: reviewer, params: { programmeId } });
    expect(theirs.units.map((u) => u.unitOrgId)).toEqual(['lc-chiping']);
    expect(theirs.money.paid).toBeUndefined();
  });

  it('records an export and refuses an unknown list', async () => {
    const recorded = await expectOk(stack, 'recordExport', {
      token: cityAdmin,
      body: { list: 'applications', programmeId, rows: 5 },
    });
    expect(recorded.auditId).toContain(recorded.at);
    const bad = await callRoute(stack, 'recordExport', {
      token: cityAdmin,
      body: { list: 'secrets', rows: 1 },
    });
    expect(bad.status).toBe(400);
  });
});
