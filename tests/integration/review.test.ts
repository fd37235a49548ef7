import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { addDays, shanghaiDate } from '../../shared/domain/dates.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { expectOk, programmeBody, publishProgramme } from '../support/api.ts';
import { draftBody, postUpload, sampleFiles } from '../support/fixtures.ts';
import { pool } from '../support/pool.ts';
import { verifiedAttachments } from '../support/rush.ts';
import { type ApiResponse, startTestStack, type TestStack } from './harness.ts';

/**
 * The review issue, points 1–4, through HTTP: the chain each application carries, the reviewer routes
 * and every rule and error code of a decision, places following decisions, and the audit trail.
 */

let stack: TestStack;
let deps: Deps;
const today = shanghaiDate(new Date());
const year = Number(addDays(today, -10).slice(0, 4));
const enrolmentYear = Number(today.slice(0, 4));

const TEXTILE_CHAIN = ['lc-dcf-gucheng-textile', 'lc-dcf-gucheng', 'lc-dongchangfu', 'lc'];
const ALUMINIUM_CHAIN = ['lc-cp-wenzhuang-aluminium', 'lc-cp-wenzhuang', 'lc-chiping', 'lc'];
const LOGISTICS_CHAIN = ['lc-kfq-logistics', 'lc-kaifaqu', 'lc'];

const funding = [{ funderOrgId: 'sd', amountFen: 100000 }];

/** A programme with these units (1000 元 a place from the province), review batches and window. */
async function createProgramme(
  id: string,
  allocations: { unitOrgId: string; places: number }[],
  reviewBatches: { id: string; opensOn: string; closesOn: string }[],
  applicationWindow = { opensOn: addDays(today, -10), closesOn: addDays(today, 30) },
) {
  await publishProgramme(
    stack,
    programmeBody({
      id,
      title: `审核测试 ${id}`,
      year,
      enrolmentYear,
      applicationWindow,
      reviewBatches,
      allocations: allocations.map((a) => ({ ...a, funding })),
    }),
  );
}

const openBatch = [{ id: 'b1', opensOn: addDays(today, -5), closesOn: addDays(today, 40) }];

beforeAll(async () => {
  stack = await startTestStack();
  deps = createDeps(loadConfig());
  await createProgramme(
    'rv-main',
    [
      { unitOrgId: 'lc-dongchangfu', places: 60 },
      { unitOrgId: 'lc-shizhi', places: 10 },
      { unitOrgId: 'lc-chiping', places: 10 },
      { unitOrgId: 'lc-kaifaqu', places: 1 },
    ],
    openBatch,
  );
  await createProgramme('rv-queue', [{ unitOrgId: 'lc-dongchangfu', places: 20 }], openBatch);
  await createProgramme('rv-filter', [{ unitOrgId: 'lc-dongchangfu', places: 20 }], openBatch);
  await createProgramme('rv-audit', [{ unitOrgId: 'lc-chiping', places: 1 }], openBatch);
  await createProgramme('rv-cost', [{ unitOrgId: 'lc-linqing', places: 100 }], openBatch);
  // Applications open today, but the only review batch opens in three weeks.
  await createProgramme(
    'rv-closed',
    [{ unitOrgId: 'lc-dongchangfu', places: 5 }],
    [{ id: 'later', opensOn: addDays(today, 20), closesOn: addDays(today, 30) }],
    { opensOn: addDays(today, -10), closesOn: addDays(today, 10) },
  );
});
afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

// ---------------------------------------------------------------------------------------------------
// Helpers: every application is a real draft made through the API by its own worker; its five
// documents are written as verified straight to the table (the upload path has its own tests), except
// where a test downloads or re-uploads one, which goes through the presigned forms.

interface App {
  id: string;
  sub: string;
  token: string;
  n: number;
}

let people = 0;

async function draft(programmeId: string, employerOrgId: string): Promise<App> {
  const n = 500 + ++people;
  const sub = `worker-${n}`;
  const token = await stack.token({ sub, role: 'worker' });
  const res = await stack.call('POST', '/v1/applications', {
    token,
    body: draftBody(n, { programmeId, employerOrgId, enrolmentYear }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as string;
  for (const attachment of verifiedAttachments(id, n, new Date().toISOString())) {
    await deps.applications.putAttachment(attachment);
  }
  return { id, sub, token, n };
}

const submit = (app: App) =>
  expectOk(stack, 'submitApplication', { token: app.token, params: { id: app.id } });

/** Drafts and submits, one after the other, so receipts follow the order given. */
async function submitted(programmeId: string, employerOrgId: string, count = 1): Promise<App[]> {
  const apps = await pool(
    Array.from({ length: count }, () => 0),
    8,
    () => draft(programmeId, employerOrgId),
  );
  for (const app of apps) await submit(app);
  return apps;
}

const reviewerSub = (org: string) => `officer-of-${org}`;
const tokens = new Map<string, Promise<string>>();
function reviewer(org: string): Promise<string> {
  let token = tokens.get(org);
  if (!token) {
    token = stack.token({ sub: reviewerSub(org), role: 'reviewer', org });
    tokens.set(org, token);
  }
  return token;
}

async function decide(org: string, id: string, decision: string, reason?: string): Promise<ApiResponse> {
  return stack.call('POST', `/v1/applications/${id}/decisions`, {
    token: await reviewer(org),
    body: { decision, ...(reason === undefined ? {} : { reason }) },
  });
}

async function approve(org: string, id: string) {
  const res = await decide(org, id, 'approve');
  expect(res.status, `${org} approving ${id}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

async function approveThrough(id: string, orgs: readonly string[]) {
  for (const org of orgs) await approve(org, id);
}

async function asReviewer(org: string, id: string) {
  return stack.call('GET', `/v1/applications/${id}`, { token: await reviewer(org) });
}

async function asWorker(app: App) {
  const res = await stack.call('GET', `/v1/applications/${app.id}`, { token: app.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function queue(org: string, programmeId: string, extra = '') {
  return stack.call('GET', `/v1/review/queue?programmeId=${programmeId}${extra}`, {
    token: await reviewer(org),
  });
}

/** Every id in an org's queue (the test programmes keep each queue under 100). */
async function queueIds(org: string, programmeId: string): Promise<string[]> {
  const res = await queue(org, programmeId, '&limit=100');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.cursor).toBeUndefined();
  return (res.body.items as { id: string }[]).map((i) => i.id);
}

interface Event {
  type: string;
  at: string;
  orgId?: string;
  actor?: string;
  reason?: string;
  [key: string]: unknown;
}
const eventsOf = (view: { timeline: Event[] }, type: string) => view.timeline.filter((e) => e.type === type);
const types = (view: { timeline: Event[] }) => view.timeline.map((e) => e.type);

async function unitBoard(programmeId: string, unitOrgId: string) {
  const res = await stack.call('GET', `/v1/programmes/${programmeId}/quotas`);
  expect(res.status).toBe(200);
  return (
    res.body.units as { unitOrgId: string; places: number; claimed: number; waitlisted: number }[]
  ).find((u) => u.unitOrgId === unitOrgId);
}

// ---------------------------------------------------------------------------------------------------

describe('1. the review chain (R2, R12)', () => {
  it('is derived from the employer, fixed at submission, and shown on the application', async () => {
    const app = await draft('rv-main', 'lc-dcf-gucheng-textile');
    let view = await asWorker(app);
    expect(view.review.chain.map((s: { orgId: string }) => s.orgId)).toEqual(TEXTILE_CHAIN);
    expect(view.review.currentOrgId).toBeNull();

    // While a draft, a change of employer derives the chain again.
    const moved = await stack.call('PATCH', `/v1/applications/${app.id}`, {
      token: app.token,
      body: { employerOrgId: 'lc-dcf-machinery' },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.review.chain.map((s: { orgId: string }) => s.orgId)).toEqual([
      'lc-dcf-machinery',
      'lc-dongchangfu',
      'lc',
    ]);

    await submit(app);
    view = await asWorker(app);
    expect(view.review).toEqual({
      chain: [{ orgId: 'lc-dcf-machinery' }, { orgId: 'lc-dongchangfu' }, { orgId: 'lc' }],
      currentOrgId: 'lc-dcf-machinery',
    });
    // Fixed from now on: the employer (and with it the chain) can no longer change.
    const late = await stack.call('PATCH', `/v1/applications/${app.id}`, {
      token: app.token,
      body: { employerOrgId: 'lc-dcf-gucheng-textile' },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('invalid_state');
    const reviewerView = await asReviewer('lc-dongchangfu', app.id);
    expect(reviewerView.status).toBe(200);
    expect(reviewerView.body.review.chain.map((s: { orgId: string }) => s.orgId)).toEqual([
      'lc-dcf-machinery',
      'lc-dongchangfu',
      'lc',
    ]);
  });

  it('goes from the city-direct enterprise straight to the city union', async () => {
    const [app] = await submitted('rv-main', 'lc-sz-power');
    if (!app) throw new Error('no application');
    const view = await asWorker(app);
    expect(view.review).toEqual({
      chain: [{ orgId: 'lc-sz-power' }, { orgId: 'lc' }],
      currentOrgId: 'lc-sz-power',
    });
    expect(view.quota.unitOrgId).toBe('lc-shizhi');
    // 市直属单位 is not on the chain: it neither sees nor decides.
    expect((await asReviewer('lc-shizhi', app.id)).status).toBe(404);
    expect((await asReviewer('lc', app.id)).status).toBe(200);
    await approve('lc-sz-power', app.id);
    expect(await queueIds('lc', 'rv-main')).toContain(app.id);
    const final = await approve('lc', app.id);
    expect(final).toMatchObject({ id: app.id, status: 'approved', currentOrgId: null });
  });
});

describe('2. reviewer routes', () => {
  it('approves step by step, enterprise → township → unit → city; each queue holds it only at its step', async () => {
    const [app] = await submitted('rv-main', 'lc-dcf-gucheng-textile');
    if (!app) throw new Error('no application');
    for (const [step, org] of TEXTILE_CHAIN.entries()) {
      for (const other of TEXTILE_CHAIN) {
        const ids = await queueIds(other, 'rv-main');
        if (other === org) expect(ids, `${other}'s queue at step ${step}`).toContain(app.id);
        else expect(ids, `${other}'s queue at step ${step}`).not.toContain(app.id);
      }
      const view = await asReviewer(org, app.id);
      expect(view.body.review.currentOrgId).toBe(org);
      const decided = await approve(org, app.id);
      const next = TEXTILE_CHAIN[step + 1];
      expect(decided).toEqual({
        id: app.id,
        status: next ? 'in_review' : 'approved',
        currentOrgId: next ?? null,
        quota: { unitOrgId: 'lc-dongchangfu', state: 'claimed' },
      });
    }
    for (const org of TEXTILE_CHAIN) expect(await queueIds(org, 'rv-main')).not.toContain(app.id);
    const view = await asWorker(app);
    expect(view.status).toBe('approved');
    expect(view.quota.state).toBe('claimed');
    expect(view.review.currentOrgId).toBeNull();
    for (const [i, step] of (
      view.review.chain as { orgId: string; decision: string; decidedAt: string }[]
    ).entries()) {
      expect(step.orgId).toBe(TEXTILE_CHAIN[i]);
      expect(step.decision).toBe('approve');
      expect(Number.isNaN(Date.parse(step.decidedAt))).toBe(false);
    }
    expect(types(view)).toEqual([
      'created',
      'submitted',
      'approved_step',
      'approved_step',
      'approved_step',
      'approved',
    ]);
    expect(eventsOf(view, 'approved_step').map((e) => [e.orgId, e.nextOrgId])).toEqual([
      ['lc-dcf-gucheng-textile', 'lc-dcf-gucheng'],
      ['lc-dcf-gucheng', 'lc-dongchangfu'],
      ['lc-dongchangfu', 'lc'],
    ]);
    expect(eventsOf(view, 'approved')[0]?.orgId).toBe('lc');
  });

  it('narrows the whole queue by unit, employer and level, pages staying full (待审核 filters)', async () => {
    // Six applications of one enterprise, every other one for a bachelor's degree.
    const apps: App[] = [];
    for (let i = 0; i < 6; i++) {
      const n = 500 + ++people;
      const sub = `worker-${n}`;
      const token = await stack.token({ sub, role: 'worker' });
      const level = i % 2 === 1 ? 'bachelor' : 'junior_college';
      const res = await stack.call('POST', '/v1/applications', {
        token,
        body: draftBody(n, {
          programmeId: 'rv-filter',
          employerOrgId: 'lc-dcf-machinery',
          enrolmentYear,
          level,
        }),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      for (const attachment of verifiedAttachments(res.body.id, n, new Date().toISOString())) {
        await deps.applications.putAttachment(attachment);
      }
      const app = { id: res.body.id as string, sub, token, n };
      await submit(app);
      apps.push(app);
    }
    const pagesOf = async (filter: string) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const res = await queue(
          'lc-dcf-machinery',
          'rv-filter',
          `&limit=2${filter}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        pages.push((res.body.items as { id: string }[]).map((i) => i.id));
        cursor = res.body.cursor;
      } while (cursor && pages.length < 10);
      return pages;
    };
    const bachelors = apps.filter((_, i) => i % 2 === 1).map((a) => a.id);
    // Filtered pages are as full as the matches allow, though most items read do not match.
    expect(await pagesOf('&level=bachelor')).toEqual([bachelors.slice(0, 2), bachelors.slice(2)]);
    expect((await pagesOf('&unitOrgId=lc-dongchangfu&employerOrgId=lc-dcf-machinery')).flat()).toEqual(
      apps.map((a) => a.id),
    );
    expect(await pagesOf('&employerOrgId=lc-cp-wenzhuang-aluminium')).toEqual([[]]);
    expect(await pagesOf('&unitOrgId=lc-chiping&level=bachelor')).toEqual([[]]);
    const bad = await queue('lc-dcf-machinery', 'rv-filter', '&level=doctorate');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['query.level']);
  });

  it('lists the queue in receipt order, a page at a time, with cursors only that queue accepts', async () => {
    const apps = await submitted('rv-queue', 'lc-dcf-machinery', 7);
    const receipts = await Promise.all(apps.map(async (a) => (await asWorker(a)).receipt.sequence as number));
    expect(receipts).toEqual([...receipts].sort((a, b) => a - b));

    const pages: { id: string; sequence: number }[][] = [];
    let cursor: string | undefined;
    do {
      const res = await queue('lc-dcf-machinery', 'rv-queue', `&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ programmeId: 'rv-queue', orgId: 'lc-dcf-machinery' });
      pages.push(res.body.items);
      cursor = res.body.cursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const listed = pages.flat();
    expect(listed.map((i) => i.id)).toEqual(apps.map((a) => a.id));
    expect(listed.map((i) => i.sequence)).toEqual(receipts);
    expect(new Set(listed.map((i) => i.id)).size).toBe(7);
    // The queue shows what a reviewer needs, with the ID number masked.
    const first = listed[0] as unknown as Record<string, unknown> & { applicant: { idNumber: string } };
    expect(first).toMatchObject({ employerOrgId: 'lc-dcf-machinery', unitOrgId: 'lc-dongchangfu' });
    expect(first.applicant.idNumber).toMatch(/^\d{4}\*{10}[\dX]{4}$/);

    const firstPage = await queue('lc-dcf-machinery', 'rv-queue', '&limit=3');
    const issued = firstPage.body.cursor as string;
    expect(typeof issued).toBe('string');
    const forged = [
      'not-a-cursor',
      Buffer.from('{"gsi2pk":').toString('base64url'),
      Buffer.from(JSON.stringify(['REVIEW#rv-queue#lc-dcf-machinery'])).toString('base64url'),
      Buffer.from(JSON.stringify({ gsi2pk: 'REVIEW#rv-queue#lc-dcf-machinery' })).toString('base64url'),
      Buffer.from(
        JSON.stringify({ gsi2pk: 'REVIEW#rv-queue#lc-dcf-machinery', gsi2sk: 1, pk: 'APP#x', sk: 'APP' }),
      ).toString('base64url'),
      Buffer.from(
        JSON.stringify({
          gsi2pk: 'REVIEW#rv-queue#lc-dcf-machinery',
          gsi2sk: '0',
          pk: 'x',
          sk: 'y',
          extra: 'z',
        }),
      ).toString('base64url'),
    ];
    for (const bad of forged) {
      const res = await queue('lc-dcf-machinery', 'rv-queue', `&limit=3&cursor=${bad}`);
      expect(res.status, `cursor ${bad}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    // Another org's (or programme's) cursor is refused, never read as a page of someone else's queue.
    const otherOrg = await queue('lc-dongchangfu', 'rv-queue', `&limit=3&cursor=${issued}`);
    expect(otherOrg.status).toBe(400);
    expect(otherOrg.body.error.code).toBe('validation_failed');
    const otherProgramme = await queue('lc-dcf-machinery', 'rv-main', `&limit=3&cursor=${issued}`);
    expect(otherProgramme.status).toBe(400);
    for (const limit of ['0', '101', 'abc']) {
      const res = await queue('lc-dcf-machinery', 'rv-queue', `&limit=${limit}`);
      expect(res.status, `limit ${limit}`).toBe(400);
    }

    // The next step's queue is in receipt order too, whatever the order of approvals.
    const [, a2, , , a5] = apps;
    if (!a2 || !a5) throw new Error('missing applications');
    await approve('lc-dcf-machinery', a5.id);
    await approve('lc-dcf-machinery', a2.id);
    expect(await queueIds('lc-dongchangfu', 'rv-queue')).toEqual([a2.id, a5.id]);
    expect(await queueIds('lc-dcf-machinery', 'rv-queue')).toEqual(
      apps.filter((a) => a !== a2 && a !== a5).map((a) => a.id),
    );
  });

  it('answers 403 to an org on the chain that is not at the current step', async () => {
    const [app] = await submitted('rv-main', 'lc-dcf-gucheng-textile');
    if (!app) throw new Error('no application');
    for (const org of ['lc-dcf-gucheng', 'lc-dongchangfu', 'lc']) {
      for (const [decision, reason] of [['approve'], ['reject', '材料不全'], ['return', '请补充']] as const) {
        const res = await decide(org, app.id, decision, reason);
        expect(res.status, `${org} ${decision}`).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    }
    // Nothing changed: still at the enterprise, undecided.
    const view = await asWorker(app);
    expect(view.status).toBe('in_review');
    expect(view.review.currentOrgId).toBe('lc-dcf-gucheng-textile');
    expect(view.review.chain.every((s: { decision?: string }) => s.decision === undefined)).toBe(true);
    // Once it moves up, the enterprise is the one refused.
    await approve('lc-dcf-gucheng-textile', app.id);
    const late = await decide('lc-dcf-gucheng-textile', app.id, 'approve');
    expect(late.status).toBe(403);
    expect(late.body.error.code).toBe('forbidden');
  });

  it('answers 404 to reviewers of another chain: read, decide, download, queue', async () => {
    const [app] = await submitted('rv-main', 'lc-dcf-gucheng-textile');
    if (!app) throw new Error('no application');
    const attachmentId = (await asWorker(app)).attachments[0].attachmentId as string;
    const before = (await asWorker(app)).timeline.length;
    const missing = 'ffffffffffffffffffff';
    for (const org of [
      'lc-chiping',
      'lc-cp-wenzhuang',
      'lc-cp-wenzhuang-aluminium',
      'lc-shizhi',
      'lc-dcf-machinery',
    ]) {
      const token = await reviewer(org);
      const responses = [
        await stack.call('GET', `/v1/applications/${app.id}`, { token }),
        await decide(org, app.id, 'approve'),
        await decide(org, app.id, 'reject', '不符合条件'),
        await stack.call('GET', `/v1/applications/${app.id}/attachments/${attachmentId}`, { token }),
      ];
      for (const res of responses) {
        expect(res.status, `${org}: ${JSON.stringify(res.body)}`).toBe(404);
        expect(res.body.error.code).toBe('not_found');
      }
      // Indistinguishable from an application that does not exist.
      const absent = await stack.call('GET', `/v1/applications/${missing}`, { token });
      expect(absent.status).toBe(404);
      expect(absent.body).toEqual(responses[0]?.body);
      expect(await queueIds(org, 'rv-main')).not.toContain(app.id);
    }
    const view = await asWorker(app);
    expect(view.timeline).toHaveLength(before);
    expect(view.status).toBe('in_review');
    expect(view.review.currentOrgId).toBe('lc-dcf-gucheng-textile');
  });

  it('requires a reason to reject or return (400 naming `reason`)', async () => {
    const [app] = await submitted('rv-main', 'lc-dcf-gucheng-textile');
    if (!app) throw new Error('no application');
    const org = 'lc-dcf-gucheng-textile';
    for (const [decision, reason] of [
      ['reject', undefined],
      ['return', undefined],
      ['reject', ''],
      ['return', '   '],
      ['reject', 'x'.repeat(501)],
    ] as const) {
      const res = await decide(org, app.id, decision, reason);
      expect(res.status, `${decision} ${JSON.stringify(reason)}`).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain('reason');
    }
    for (const body of [{ decision: 'maybe' }, { decision: 'approve', extra: 1 }, {}]) {
      const res = await stack.call('POST', `/v1/applications/${app.id}/decisions`, {
        token: await reviewer(org),
        body,
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const view = await asWorker(app);
    expect(view.status).toBe('in_review');
    expect(view.review.currentOrgId).toBe(org);
    expect(types(view)).toEqual(['created', 'submitted']);
  });

  it('answers 409 invalid_state for approved, rejected, withdrawn and returned applications', async () => {
    const [approved, rejected, withdrawn, returned] = await submitted('rv-main', 'lc-sz-transit', 4);
    if (!approved || !rejected || !withdrawn || !returned) throw new Error('missing applications');
    await approveThrough(approved.id, ['lc-sz-transit', 'lc']);
    expect((await decide('lc-sz-transit', rejected.id, 'reject', '非一线职工')).status).toBe(200);
    const w = await stack.call('POST', `/v1/applications/${withdrawn.id}/withdraw`, {
      token: withdrawn.token,
    });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    expect((await decide('lc-sz-transit', returned.id, 'return', '请补充申请表盖章')).status).toBe(200);

    const cases: [App, string][] = [
      [approved, 'lc'],
      [approved, 'lc-sz-transit'],
      [rejected, 'lc-sz-transit'],
      [rejected, 'lc'],
      [withdrawn, 'lc-sz-transit'],
      [returned, 'lc-sz-transit'],
    ];
    for (const [app, org] of cases) {
      const before = await asWorker(app);
      for (const [decision, reason] of [['approve'], ['reject', '理由'], ['return', '理由']] as const) {
        const res = await decide(org, app.id, decision, reason);
        expect(res.status, `${org} ${decision} on ${before.status}: ${JSON.stringify(res.body)}`).toBe(409);
        expect(res.body.error.code).toBe('invalid_state');
      }
      const after = await asWorker(app);
      expect(after.status).toBe(before.status);
      expect(after.quota).toEqual(before.quota);
      expect(after.timeline).toEqual(before.timeline);
    }
    expect((await asWorker(approved)).status).toBe('approved');
    expect((await asWorker(rejected)).status).toBe('rejected');
    expect((await asWorker(withdrawn)).status).toBe('withdrawn');
    expect((await asWorker(returned)).status).toBe('returned');
  });

  it('answers 409 review_window_closed outside every review batch, but still lets the chain read', async () => {
    const [app] = await submitted('rv-closed', 'lc-dcf-gucheng-textile');
    if (!app) throw new Error('no application');
    const org = 'lc-dcf-gucheng-textile';
    for (const [decision, reason] of [['approve'], ['reject', '理由'], ['return', '理由']] as const) {
      const res = await decide(org, app.id, decision, reason);
      expect(res.status, `${decision}: ${JSON.stringify(res.body)}`).toBe(409);
      expect(res.body.error.code).toBe('review_window_closed');
    }
    const bulk = await stack.call('POST', '/v1/review/decisions', {
      token: await reviewer(org),
      body: { items: [{ id: app.id, decision: 'approve' }] },
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results[0]).toMatchObject({
      id: app.id,
      ok: false,
      error: { code: 'review_window_closed' },
    });
    expect(await queueIds(org, 'rv-closed')).toEqual([app.id]);
    const view = await asReviewer(org, app.id);
    expect(view.status).toBe(200);
    expect(view.body.status).toBe('in_review');
    expect(view.body.review.currentOrgId).toBe(org);
    expect(types(view.body)).toEqual(['created', 'submitted']);
  });

  it('decides up to 100 ids at once, answering each on its own', async () => {
    const org = 'lc-dcf-gucheng-textile';
    const [x, y, v, r] = await submitted('rv-main', org, 4);
    const [foreign] = await submitted('rv-main', 'lc-cp-wenzhuang-aluminium');
    if (!x || !y || !v || !r || !foreign) throw new Error('missing applications');
    await approve(org, y.id); // now at the township: the enterprise may no longer decide it
    expect((await decide(org, v.id, 'reject', '重复申请')).status).toBe(200);

    const res = await stack.call('POST', '/v1/review/decisions', {
      token: await reviewer(org),
      body: {
        items: [
          { id: x.id, decision: 'approve' },
          { id: y.id, decision: 'approve' },
          { id: 'ffffffffffffffffffff', decision: 'approve' },
          { id: foreign.id, decision: 'approve' },
          { id: v.id, decision: 'approve' },
          { id: r.id, decision: 'return', reason: '请重新上传身份证' },
          { id: x.id, decision: 'approve' },
        ],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const results = res.body.results as {
      id: string;
      ok: boolean;
      result?: unknown;
      error?: { code: string };
    }[];
    expect(results.map((i) => [i.id, i.ok, i.error?.code])).toEqual([
      [x.id, true, undefined],
      [y.id, false, 'forbidden'],
      ['ffffffffffffffffffff', false, 'not_found'],
      [foreign.id, false, 'not_found'],
      [v.id, false, 'invalid_state'],
      [r.id, true, undefined],
      [x.id, false, 'forbidden'],
    ]);
    expect(results[0]?.result).toEqual({
      id: x.id,
      status: 'in_review',
      currentOrgId: 'lc-dcf-gucheng',
      quota: { unitOrgId: 'lc-dongchangfu', state: 'claimed' },
    });
    expect((await asWorker(x)).review.currentOrgId).toBe('lc-dcf-gucheng');
    expect((await asWorker(r)).status).toBe('returned');
    expect((await asWorker(y)).review.currentOrgId).toBe('lc-dcf-gucheng');
    expect((await asWorker(foreign)).review.currentOrgId).toBe('lc-cp-wenzhuang-aluminium');

    const token = await reviewer(org);
    const tooMany = await stack.call('POST', '/v1/review/decisions', {
      token,
      body: { items: Array.from({ length: 101 }, () => ({ id: x.id, decision: 'approve' })) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('validation_failed');
    const none = await stack.call('POST', '/v1/review/decisions', { token, body: { items: [] } });
    expect(none.status).toBe(400);
    const unreasoned = await stack.call('POST', '/v1/review/decisions', {
      token,
      body: {
        items: [
          { id: x.id, decision: 'approve' },
          { id: y.id, decision: 'reject' },
        ],
      },
    });
    expect(unreasoned.status).toBe(400);
    expect(unreasoned.body.error.fields.map((f: { path: string }) => f.path)).toContain('items.1.reason');
    // A refused request decides nothing, not even its valid items.
    expect((await asWorker(x)).review.currentOrgId).toBe('lc-dcf-gucheng');
  });

  it('hands out a presigned GET of a few minutes and audits every download', async () => {
    const app = await draft('rv-main', 'lc-dcf-gucheng-textile');
    // One document uploaded for real, through the presigned POST, so there are bytes to fetch.
    const file = sampleFiles['image/png'];
    const form = await stack.call('POST', `/v1/applications/${app.id}/attachments`, {
      token: app.token,
      body: { kind: 'id_card_front', contentType: 'image/png', sizeBytes: file.length },
    });
    expect(form.status, JSON.stringify(form.body)).toBe(201);
    const up = await postUpload(form.body.upload, file, 'image/png');
    expect(up.status).toBeLessThan(300);
    const attachmentId = form.body.attachmentId as string;
    await submit(app);
    const stored = (await asWorker(app)).attachments.find(
      (a: { attachmentId: string }) => a.attachmentId === attachmentId,
    );
    expect(stored?.status).toBe('verified');

    const org = 'lc-dcf-gucheng'; // any org on the chain may look, not only the current step
    const started = Date.now();
    const res = await stack.call('GET', `/v1/applications/${app.id}/attachments/${attachmentId}`, {
      token: await reviewer(org),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const url = new URL(res.body.url);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    const lifetime = Date.parse(res.body.expiresAt) - started;
    expect(lifetime).toBeGreaterThan(4 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(5 * 60_000 + 5_000);
    const download = await fetch(res.body.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from(file));

    const missing = await stack.call('GET', `/v1/applications/${app.id}/attachments/nosuchattachment`, {
      token: await reviewer(org),
    });
    expect(missing.status).toBe(404);

    const reviewerView = (await asReviewer('lc', app.id)).body;
    const downloads = eventsOf(reviewerView, 'document_downloaded');
    expect(downloads).toHaveLength(1);
    expect(downloads[0]).toMatchObject({
      orgId: org,
      actor: reviewerSub(org),
      attachmentId,
      kind: 'id_card_front',
    });
    const workerView = await asWorker(app);
    expect(eventsOf(workerView, 'document_downloaded')).toEqual([
      { type: 'document_downloaded', at: downloads[0]?.at, orgId: org, attachmentId, kind: 'id_card_front' },
    ]);
  });

  it('refuses workers on the reviewer routes and asks reviewers for a programme', async () => {
    const [app] = await submitted('rv-main', 'lc-dcf-gucheng-textile');
    if (!app) throw new Error('no application');
    const own = app.token;
    const calls = [
      await stack.call('GET', '/v1/review/queue?programmeId=rv-main', { token: own }),
      await stack.call('POST', `/v1/applications/${app.id}/decisions`, {
        token: own,
        body: { decision: 'approve' },
      }),
      await stack.call('POST', '/v1/review/decisions', {
        token: own,
        body: { items: [{ id: app.id, decision: 'approve' }] },
      }),
    ];
    for (const res of calls) {
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const anonymous = await stack.call('GET', '/v1/review/queue?programmeId=rv-main');
    expect(anonymous.status).toBe(401);
    const noProgramme = await stack.call('GET', '/v1/review/queue', {
      token: await reviewer('lc-dcf-gucheng-textile'),
    });
    expect(noProgramme.status).toBe(400);
    expect(noProgramme.body.error.code).toBe('validation_failed');
    expect(noProgramme.body.error.fields.map((f: { path: string }) => f.path)).toContain('query.programmeId');
    expect((await asWorker(app)).review.currentOrgId).toBe('lc-dcf-gucheng-textile');
    // The worker's own list takes only its own cursors, and no half-forged one (it was a 500).
    const forged = Buffer.from(JSON.stringify({ gsi1pk: `WORKER#${app.sub}` })).toString('base64url');
    const mine = await stack.call('GET', `/v1/me/applications?cursor=${forged}`, { token: own });
    expect(mine.status, JSON.stringify(mine.body)).toBe(400);
    expect(mine.body.error.code).toBe('validation_failed');
  });
});

describe('2. return and resubmission', () => {
  it('goes back to the worker, who corrects and resubmits to the same step with the same receipt and place', async () => {
    const [r, later] = await submitted('rv-main', 'lc-dcf-gucheng-textile', 2);
    if (!r || !later) throw new Error('missing applications');
    const township = 'lc-dcf-gucheng';
    await approve('lc-dcf-gucheng-textile', r.id);
    await approve('lc-dcf-gucheng-textile', later.id);
    const before = await asWorker(r);
    expect((await queueIds(township, 'rv-main')).filter((id) => id === r.id || id === later.id)).toEqual([
      r.id,
      later.id,
    ]);

    const returned = await decide(township, r.id, 'return', '身份证正面照片不清晰，请重新上传');
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body).toEqual({
      id: r.id,
      status: 'returned',
      currentOrgId: township,
      quota: { unitOrgId: 'lc-dongchangfu', state: 'claimed' },
    });
    expect(await queueIds(township, 'rv-main')).not.toContain(r.id);
    let view = await asWorker(r);
    expect(view.status).toBe('returned');
    expect(view.review.currentOrgId).toBe(township);
    expect(view.review.chain[1]).toMatchObject({
      orgId: township,
      decision: 'return',
      reason: '身份证正面照片不清晰，请重新上传',
    });
    expect(eventsOf(view, 'returned')[0]).toMatchObject({
      orgId: township,
      reason: '身份证正面照片不清晰，请重新上传',
    });
    // Nobody decides a returned application, not even the step it waits at.
    expect((await decide(township, r.id, 'approve')).status).toBe(409);

    // The person and the employer cannot change on a returned application (R8 holds its claim).
    const body = draftBody(r.n, {
      programmeId: 'rv-main',
      employerOrgId: 'lc-dcf-gucheng-textile',
      enrolmentYear,
    });
    const employer = await stack.call('PATCH', `/v1/applications/${r.id}`, {
      token: r.token,
      body: { employerOrgId: 'lc-dcf-machinery' },
    });
    expect(employer.status).toBe(400);
    expect(employer.body.error.fields.map((f: { path: string }) => f.path)).toContain('employerOrgId');
    const person = await stack.call('PATCH', `/v1/applications/${r.id}`, {
      token: r.token,
      body: {
        applicant: draftBody(9999, { programmeId: 'rv-main', employerOrgId: 'x', enrolmentYear }).applicant,
      },
    });
    expect(person.status).toBe(400);
    expect(person.body.error.fields.map((f: { path: string }) => f.path)).toContain('applicant.idNumber');
    const level = await stack.call('PATCH', `/v1/applications/${r.id}`, {
      token: r.token,
      body: { enrolment: { ...body.enrolment, level: 'bachelor' } },
    });
    expect(level.status).toBe(400);

    // It corrects a field and a document.
    const fixed = await stack.call('PATCH', `/v1/applications/${r.id}`, {
      token: r.token,
      body: { jobTitle: '数控车床高级操作工', applicant: { ...body.applicant, phone: '13912345678' } },
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body.status).toBe('returned');
    // The answer to the worker names the union that returned it, never its officer.
    expect(eventsOf(fixed.body, 'returned')[0]).toMatchObject({ orgId: township });
    expect(JSON.stringify(fixed.body)).not.toContain('"actor"');
    const file = sampleFiles['image/jpeg'];
    const form = await stack.call('POST', `/v1/applications/${r.id}/attachments`, {
      token: r.token,
      body: { kind: 'id_card_front', contentType: 'image/jpeg', sizeBytes: file.length },
    });
    expect(form.status, JSON.stringify(form.body)).toBe(201);
    expect((await postUpload(form.body.upload, file, 'image/jpeg')).status).toBeLessThan(300);

    const again = await stack.call('POST', `/v1/applications/${r.id}/submit`, { token: r.token });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual({
      id: r.id,
      status: 'in_review',
      quota: { unitOrgId: 'lc-dongchangfu', state: 'claimed' },
      receipt: before.receipt,
    });
    view = await asWorker(r);
    expect(view.status).toBe('in_review');
    expect(view.jobTitle).toBe('数控车床高级操作工');
    expect(view.applicant.phone).toBe('13912345678');
    expect(view.receipt).toEqual(before.receipt);
    expect(view.quota).toEqual(before.quota);
    expect(view.review.currentOrgId).toBe(township);
    expect(
      view.attachments.find((a: { attachmentId: string }) => a.attachmentId === form.body.attachmentId)
        ?.status,
    ).toBe('verified');
    expect(eventsOf(view, 'resubmitted')[0]).toMatchObject({ orgId: township });
    // Back in the township's queue ahead of the later receipt: it kept its place in line.
    expect((await queueIds(township, 'rv-main')).filter((id) => id === r.id || id === later.id)).toEqual([
      r.id,
      later.id,
    ]);
    const submitAgain = await stack.call('POST', `/v1/applications/${r.id}/submit`, { token: r.token });
    expect(submitAgain.status).toBe(409);
    // And the step that returned it decides it now.
    expect(await approve(township, r.id)).toMatchObject({ currentOrgId: 'lc-dongchangfu' });
  });
});

describe('3. places follow decisions', () => {
  it('rejection releases the place to the earliest waitlisted; a waitlisted approval is promoted later', async () => {
    // 开发区 has a single place in rv-main.
    const [a, b, c, d] = await submitted('rv-main', 'lc-kfq-logistics', 4);
    if (!a || !b || !c || !d) throw new Error('missing applications');
    expect((await asWorker(a)).quota.state).toBe('claimed');
    expect((await asWorker(b)).quota).toMatchObject({ state: 'waitlisted', waitlistPosition: 1 });
    expect((await asWorker(c)).quota).toMatchObject({ state: 'waitlisted', waitlistPosition: 2 });
    expect((await asWorker(d)).quota).toMatchObject({ state: 'waitlisted', waitlistPosition: 3 });
    expect(await unitBoard('rv-main', 'lc-kaifaqu')).toMatchObject({ places: 1, claimed: 1, waitlisted: 3 });

    // Waitlisted applications are reviewed like the rest: they are in the queue, in receipt order.
    const q = await queue('lc-kfq-logistics', 'rv-main', '&limit=100');
    expect(q.body.items.map((i: { id: string; quota: { state: string } }) => [i.id, i.quota.state])).toEqual([
      [a.id, 'claimed'],
      [b.id, 'waitlisted'],
      [c.id, 'waitlisted'],
      [d.id, 'waitlisted'],
    ]);

    const rejected = await decide('lc-kfq-logistics', a.id, 'reject', '所学专业与岗位无关');
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body).toEqual({
      id: a.id,
      status: 'rejected',
      currentOrgId: null,
      quota: { unitOrgId: 'lc-kaifaqu', state: 'released' },
    });
    const aView = await asWorker(a);
    expect(aView).toMatchObject({ status: 'rejected', quota: { state: 'released' } });
    expect(aView.review.chain[0]).toMatchObject({ decision: 'reject', reason: '所学专业与岗位无关' });
    expect(eventsOf(aView, 'rejected')[0]).toMatchObject({
      orgId: 'lc-kfq-logistics',
      reason: '所学专业与岗位无关',
    });
    const bView = await asWorker(b);
    expect(bView.quota).toEqual({ unitOrgId: 'lc-kaifaqu', state: 'claimed' });
    expect(bView.status).toBe('in_review');
    expect(eventsOf(bView, 'promoted')).toHaveLength(1);
    expect(eventsOf(bView, 'promoted')[0]).toMatchObject({ orgId: 'lc-kaifaqu' });
    expect((await asWorker(c)).quota).toMatchObject({ state: 'waitlisted', waitlistPosition: 1 });
    expect((await asWorker(d)).quota).toMatchObject({ state: 'waitlisted', waitlistPosition: 2 });
    expect(await unitBoard('rv-main', 'lc-kaifaqu')).toMatchObject({ places: 1, claimed: 1, waitlisted: 2 });
    expect(await queueIds('lc-kfq-logistics', 'rv-main')).toEqual([b.id, c.id, d.id]);

    // Rejecting a waiter releases its waitlist position; nobody is promoted, the holder keeps the place.
    const rejectedWaiter = await decide('lc-kfq-logistics', d.id, 'reject', '学籍验证报告有效期不足');
    expect(rejectedWaiter.status, JSON.stringify(rejectedWaiter.body)).toBe(200);
    expect(rejectedWaiter.body.quota).toEqual({ unitOrgId: 'lc-kaifaqu', state: 'released' });
    expect((await asWorker(d)).quota.state).toBe('released');
    expect((await asWorker(b)).quota.state).toBe('claimed');
    expect(eventsOf(await asWorker(c), 'promoted')).toHaveLength(0);
    expect((await asWorker(c)).quota).toMatchObject({ state: 'waitlisted', waitlistPosition: 1 });
    expect(await unitBoard('rv-main', 'lc-kaifaqu')).toMatchObject({ places: 1, claimed: 1, waitlisted: 1 });
    expect(await queueIds('lc-kfq-logistics', 'rv-main')).toEqual([b.id, c.id]);

    // The waitlisted one is approved all the way: approved, still waiting for a place.
    await approveThrough(c.id, LOGISTICS_CHAIN);
    expect(await asWorker(c)).toMatchObject({
      status: 'approved',
      quota: { state: 'waitlisted', waitlistPosition: 1 },
    });
    // The holder withdraws: the approved waiter takes the place at once.
    const w = await stack.call('POST', `/v1/applications/${b.id}/withdraw`, { token: b.token });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    expect(w.body).toMatchObject({ status: 'withdrawn', quota: { state: 'released' } });
    const cView = await asWorker(c);
    expect(cView.status).toBe('approved');
    expect(cView.quota).toEqual({ unitOrgId: 'lc-kaifaqu', state: 'claimed' });
    expect(types(cView).slice(-1)).toEqual(['promoted']);
    expect(await unitBoard('rv-main', 'lc-kaifaqu')).toMatchObject({ places: 1, claimed: 1, waitlisted: 0 });
  });
});

describe('4. audit trail (R14)', () => {
  it('records every step with time, org and reason; the worker sees orgs, never officers', async () => {
    // 茌平区 has one place in rv-audit: h holds it, w waits.
    const [h, w] = await submitted('rv-audit', 'lc-cp-wenzhuang-aluminium', 2);
    if (!h || !w) throw new Error('missing applications');
    const [enterprise, township, unit, city] = ALUMINIUM_CHAIN as [string, string, string, string];

    const attachmentId = (await asWorker(h)).attachments[0].attachmentId as string;
    const dl = await stack.call('GET', `/v1/applications/${h.id}/attachments/${attachmentId}`, {
      token: await reviewer(enterprise),
    });
    expect(dl.status, JSON.stringify(dl.body)).toBe(200);
    await approve(enterprise, h.id);
    const early = (await asReviewer(city, h.id)).body.timeline as Event[];
    expect((await decide(township, h.id, 'return', '申请表缺少单位盖章')).status).toBe(200);
    const again = await stack.call('POST', `/v1/applications/${h.id}/submit`, { token: h.token });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    await approveThrough(h.id, [township, unit, city]);
    // Approved, then withdrawn: the place passes to the waiter, who is then rejected.
    const withdrawn = await stack.call('POST', `/v1/applications/${h.id}/withdraw`, { token: h.token });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect((await decide(enterprise, w.id, 'reject', '非当年新入学')).status).toBe(200);

    const hReviewer = (await asReviewer(unit, h.id)).body as { timeline: Event[] };
    const wReviewer = (await asReviewer(unit, w.id)).body as { timeline: Event[] };
    expect(types(hReviewer)).toEqual([
      'created',
      'submitted',
      'document_downloaded',
      'approved_step',
      'returned',
      'resubmitted',
      'approved_step',
      'approved_step',
      'approved',
      'withdrawn',
    ]);
    expect(types(wReviewer)).toEqual(['created', 'submitted', 'promoted', 'rejected']);

    // Immutable: what was recorded earlier is still there, unchanged.
    for (const event of early) expect(hReviewer.timeline).toContainEqual(event);

    const expected: Record<string, { orgId: string; actor?: string; reason?: string }> = {
      submitted: { orgId: enterprise, actor: h.sub },
      document_downloaded: { orgId: enterprise, actor: reviewerSub(enterprise) },
      returned: { orgId: township, actor: reviewerSub(township), reason: '申请表缺少单位盖章' },
      resubmitted: { orgId: township, actor: h.sub },
      approved: { orgId: city, actor: reviewerSub(city) },
      withdrawn: { orgId: 'lc-chiping', actor: h.sub },
    };
    for (const event of hReviewer.timeline.filter((e) => e.type !== 'created')) {
      expect(Number.isNaN(Date.parse(event.at)), JSON.stringify(event)).toBe(false);
      expect(typeof event.orgId, JSON.stringify(event)).toBe('string');
      const want = expected[event.type];
      if (want) expect(event).toMatchObject(want);
    }
    expect(eventsOf(hReviewer, 'approved_step').map((e) => [e.orgId, e.actor])).toEqual([
      [enterprise, reviewerSub(enterprise)],
      [township, reviewerSub(township)],
      [unit, reviewerSub(unit)],
    ]);
    for (const event of wReviewer.timeline.filter((e) => e.type !== 'created')) {
      expect(Number.isNaN(Date.parse(event.at))).toBe(false);
      expect(typeof event.orgId, JSON.stringify(event)).toBe('string');
    }
    expect(eventsOf(wReviewer, 'promoted')[0]).toMatchObject({ orgId: 'lc-chiping' });
    expect(eventsOf(wReviewer, 'rejected')[0]).toMatchObject({
      orgId: enterprise,
      actor: reviewerSub(enterprise),
      reason: '非当年新入学',
    });
    // Events come in time order.
    const times = hReviewer.timeline.map((e) => e.at);
    expect(times).toEqual([...times].sort());

    // The worker: the same events, with each union named, but no officer anywhere in the answer.
    for (const [app, reviewerView] of [
      [h, hReviewer],
      [w, wReviewer],
    ] as const) {
      const own = await stack.call('GET', `/v1/applications/${app.id}`, { token: app.token });
      expect(own.status).toBe(200);
      expect(JSON.stringify(own.body)).not.toContain('"actor"');
      expect(JSON.stringify(own.body)).not.toContain('officer-of-');
      expect(own.body.timeline).toEqual(reviewerView.timeline.map(({ actor: _actor, ...rest }) => rest));
    }
    const mine = await stack.call('GET', '/v1/me/applications', { token: h.token });
    expect(mine.status).toBe(200);
    expect(mine.body.applications.map((a: { id: string }) => a.id)).toContain(h.id);
    expect(JSON.stringify(mine.body)).not.toContain('"actor"');
    expect(JSON.stringify(mine.body)).not.toContain('officer-of-');
    const withdrawnTwice = await stack.call('POST', `/v1/applications/${h.id}/withdraw`, { token: h.token });
    expect(withdrawnTwice.status).toBe(409);
    expect(types((await asReviewer(unit, h.id)).body)).toHaveLength(hReviewer.timeline.length);
  });
});

describe('what one queue page costs', () => {
  it('reads a page of 20 from the index in receipt order; prints its consumed capacity', async () => {
    const org = 'lc-lq-yandian-bearing';
    const apps = await pool(
      Array.from({ length: 60 }, () => 0),
      8,
      () => draft('rv-cost', org),
    );
    // Submitted concurrently: the queue order is the receipt order, whatever the commit order.
    const receipts = await pool(apps, 8, async (app) => ({
      id: app.id,
      sequence: (await submit(app)).receipt.sequence,
    }));
    const byReceipt = [...receipts].sort((a, b) => a.sequence - b.sequence);

    const res = await queue(org, 'rv-cost', '&limit=20');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(byReceipt.slice(0, 20).map((r) => r.id));
    expect(typeof res.body.cursor).toBe('string');
    const second = await queue(org, 'rv-cost', `&limit=20&cursor=${res.body.cursor}`);
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual(
      byReceipt.slice(20, 40).map((r) => r.id),
    );

    const page = await deps.applications.reviewQueuePage('rv-cost', org, 20);
    expect(page.items.map((i) => i.id)).toEqual(byReceipt.slice(0, 20).map((r) => r.id));
    expect(page.consumedCapacity).toBeGreaterThan(0);
    const sizes = page.items.map((i) => Buffer.byteLength(JSON.stringify(i)));
    console.log(
      `review queue page of ${page.items.length} (of 60 queued): ${page.consumedCapacity} RCU consumed ` +
        `(eventually consistent Query on gsi2; items ~${Math.round(sizes.reduce((s, n) => s + n, 0) / sizes.length)} bytes of JSON each)`,
    );
  });
});

describe('drafts stay the worker’s', () => {
  it('a union on the chain cannot read an application before it is submitted (404)', async () => {
    const app = await draft('rv-main', 'lc-dcf-gucheng-textile');
    for (const org of ['lc-dcf-gucheng-textile', 'lc-dongchangfu', 'lc']) {
      const res = await stack.call('GET', `/v1/applications/${app.id}`, { token: await reviewer(org) });
      expect(res.status, org).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    await submit(app);
    const after = await stack.call('GET', `/v1/applications/${app.id}`, {
      token: await reviewer('lc-dcf-gucheng-textile'),
    });
    expect(after.status).toBe(200);
  });
});
