import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalRunnerOptions,
  LocalWorkflowRunner,
  type TaskHandler,
} from '../../infra/local/workflows.ts';
import { CALENDAR_PREFIX, programmePartition } from '../../shared/adapters/keys.ts';
import type { WorkflowStarter } from '../../shared/adapters/workflows.ts';
import { loadConfig } from '../../shared/config.ts';
import { calendarTransitions } from '../../shared/domain/calendar.ts';
import { addDays, shanghaiDate } from '../../shared/domain/dates.ts';
import { invariantViolations } from '../../shared/domain/places.ts';
import type { Caller } from '../../shared/http/auth.ts';
import { CalendarTaskEvent } from '../../shared/schemas/calendar.ts';
import type { Programme } from '../../shared/schemas/views/programmes.ts';
import { runCalendarTask } from '../../shared/services/calendar.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { decide } from '../../shared/services/review.ts';
import { localFunctionArns } from '../../shared/workflows/asl.ts';
import { workflowDefinitions } from '../../shared/workflows/index.ts';
import { placeSnapshot, submitThroughLedger } from '../support/ledger-fixtures.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * The programme calendar's real ASL (`calendarDefinition`) run by the local runner against DynamoDB
 * Local, its Task states served by the real calendar handler — wrapped where a test injects faults or
 * moves a virtual clock. Wait states take no time (`WaitForBoundary: 0`), retries neither.
 */

const DCF = 'lc-dongchangfu';
const CP = 'lc-chiping';
const DAY = 24 * 60 * 60 * 1000;
const fast: LocalRunnerOptions = {
  waitTimeOverrides: { WaitForBoundary: 0 },
  retryIntervalOverrides: { NextStep: 0, ApplyTransition: 0, HandOver: 0 },
};

let stack: TestStack;
let deps: Deps;
let calendarHandler: TaskHandler;
const runners: LocalWorkflowRunner[] = [];

beforeAll(async () => {
  stack = await startTestStack({ workflows: { retryIntervalOverrides: fast.retryIntervalOverrides ?? {} } });
  deps = createDeps(loadConfig());
  // Loaded after the stack has set the environment, as Lambda loads it at cold start.
  calendarHandler = ((await import('../../functions/calendar.ts')) as { handler: TaskHandler }).handler;
});

afterAll(async () => {
  for (const runner of runners) await runner.stopAll();
  await stack?.stop();
});

function runnerFor(handler: TaskHandler, options: LocalRunnerOptions = fast): LocalWorkflowRunner {
  const runner = new LocalWorkflowRunner(
    workflowDefinitions(localFunctionArns()),
    localFunctionArns(),
    { calendar: handler },
    options,
  );
  runners.push(runner);
  return runner;
}

async function runToEnd(runner: LocalWorkflowRunner, programmeId: string, name: string) {
  const id = await runner.start('calendar', name, { programmeId });
  const execution = await runner.settled(id);
  expect(execution?.error).toBeUndefined();
  expect(execution?.status).toBe('SUCCEEDED');
  return id;
}

type Event = { action: string; programmeId: string; transition?: { id: string } };
type Outcome = { applied?: boolean; transitionId?: string; reason?: string; waitUntil?: string };

/** Counts what each apply of the wrapped handler did. */
function recording(inner: TaskHandler) {
  const applied: string[] = [];
  const outcomes: { transitionId: string; outcome: Outcome }[] = [];
  const handler: TaskHandler = async (event, context) => {
    const out = (await inner(event, context)) as Outcome;
    const e = event as Event;
    if (e.action === 'apply' && e.transition) {
      outcomes.push({ transitionId: e.transition.id, outcome: out });
      if (out.applied) applied.push(e.transition.id);
    }
    return out;
  };
  return { handler, applied, outcomes };
}

/** A programme of 2025, every date of it past: the calendar runs all of it at once. */
function pastProgramme(id: string): Programme {
  return {
    id,
    title: `日历 ${id}`,
    ownerOrgId: 'lc',
    year: 2025,
    enrolmentYear: 2025,
    applicationWindow: { opensOn: '2025-01-01', closesOn: '2025-11-30' },
    reviewBatches: [
      { id: 'b1', opensOn: '2025-03-01', closesOn: '2025-05-31' },
      { id: 'b2', opensOn: '2025-10-01', closesOn: '2025-12-10' },
    ],
    levels: ['junior_college'],
    allocations: [
      { unitOrgId: DCF, places: 2, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
      { unitOrgId: CP, places: 1, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
    ],
    allocationPolicy: 'first_come_first_served',
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

const reviewer = (org: string): Caller => ({ sub: `reviewer-${org}`, role: 'reviewer', org });

/**
 * Eight applications in every state the last batch's close meets: in Dongchangfu (2 places) a1
 * approved and a2 undecided hold the places, a3 (approved), a4 (in review) and a5 (returned) wait;
 * in Chiping (1 place) c1 (returned) holds it, c2 (in review) waits and c3 has withdrawn.
 */
async function populate(programmeId: string): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const [name, unit] of [
    ['a1', DCF],
    ['a2', DCF],
    ['a3', DCF],
    ['a4', DCF],
    ['a5', DCF],
    ['c1', CP],
    ['c2', CP],
    ['c3', CP],
  ] as const) {
    ids[name] = `${programmeId}-${name}`;
    await submitThroughLedger(deps, `${programmeId}-${name}`, programmeId, unit);
  }
  const inBatch1 = new Date('2025-04-01T02:00:00.000Z');
  await decide(deps, reviewer(DCF), ids.a1 as string, { decision: 'approve' }, inBatch1);
  await decide(deps, reviewer(DCF), ids.a3 as string, { decision: 'approve' }, inBatch1);
  await decide(
    deps,
    reviewer(DCF),
    ids.a5 as string,
    { decision: 'return', reason: '学籍报告不清晰' },
    inBatch1,
  );
  await decide(
    deps,
    reviewer(CP),
    ids.c1 as string,
    { decision: 'return', reason: '缺少单位盖章' },
    inBatch1,
  );
  const at = inBatch1.toISOString();
  await deps.ledger.release({
    applicationId: ids.c3 as string,
    status: 'withdrawn',
    from: ['in_review'],
    at,
    event: { type: 'withdrawn', at },
  });
  return ids;
}

async function newPopulatedProgramme(id: string) {
  await deps.programmes.create(pastProgramme(id));
  return populate(id);
}

async function partition(db: DynamoDBDocumentClient, programmeId: string) {
  const out = await db.send(
    new QueryCommand({
      TableName: loadConfig().tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': programmePartition(programmeId) },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

const placeEvents = new Set([
  'created',
  'submitted',
  'approved',
  'returned',
  'withdrawn',
  'lapsed',
  'promoted',
]);

/** Everything the calendar can have changed, without the instants it did so. */
async function world(programmeId: string, ids: Record<string, string>) {
  const applications: Record<string, unknown> = {};
  for (const [name, id] of Object.entries(ids)) {
    const bundle = await deps.applications.bundle(id);
    applications[name] = {
      status: bundle?.application.status,
      quotaState: bundle?.application.quotaState,
      // The review and place events (payout runs, started by the calendar, add their own meanwhile).
      events: bundle?.timeline
        .map((e) => e.type)
        .filter((type) => placeEvents.has(type))
        .sort(),
    };
  }
  const items = await partition(deps.db, programmeId);
  const bySk = (prefix: string) =>
    items
      .filter((i) => String(i.sk).startsWith(prefix))
      .map(({ appliedAt: _a, createdAt: _c, closedAt: _d, ...rest }) => rest);
  return {
    applications,
    units: Object.fromEntries(
      items
        .filter((i) => String(i.sk).startsWith('ALLOC#'))
        .map((i) => [i.unitOrgId, { places: i.places, claimed: i.claimed, waitlisted: i.waitlisted }]),
    ),
    calendar: bySk(CALENDAR_PREFIX),
    reports: bySk('REPORT#'),
    payoutsDue: bySk('PAYOUTDUE#'),
    notifications: [
      ...(await deps.calendar.notifications(DCF, programmeId)),
      ...(await deps.calendar.notifications(CP, programmeId)),
    ].map(({ createdAt: _c, gsi1sk: _g, ...rest }) => rest),
  };
}

const transitionIds = (programmeId: string) =>
  calendarTransitions(pastProgramme(programmeId)).map((t) => t.id);

/** What every run of the calendar over `populate`'s programme must leave, however it got there. */
async function expectClosedOnce(programmeId: string, ids: Record<string, string>) {
  const w = await world(programmeId, ids);
  const app = (name: string) =>
    w.applications[name] as { status: string; quotaState: string; events: string[] };
  for (const name of ['a2', 'a4', 'a5', 'c1', 'c2']) {
    expect(app(name), name).toMatchObject({ status: 'lapsed', quotaState: 'released' });
    expect(
      app(name).events.filter((e) => e === 'lapsed'),
      name,
    ).toHaveLength(1);
  }
  // a2's lapse freed a place: the earliest waitlisted applicant still live (a3, approved) took it.
  expect(app('a1')).toMatchObject({ status: 'approved', quotaState: 'claimed' });
  expect(app('a3')).toMatchObject({ status: 'approved', quotaState: 'claimed' });
  expect(app('a3').events.filter((e) => e === 'promoted')).toHaveLength(1);
  expect(app('c3')).toMatchObject({ status: 'withdrawn', quotaState: 'released' });
  expect(w.units).toEqual({
    [DCF]: { places: 2, claimed: 2, waitlisted: 0 },
    [CP]: { places: 1, claimed: 0, waitlisted: 0 },
  });
  const snapshot = await placeSnapshot(deps, programmeId, Object.values(ids));
  expect(invariantViolations(snapshot.units, snapshot.applications)).toEqual([]);

  expect(w.calendar.map((r) => r.transitionId).sort()).toEqual([...transitionIds(programmeId)].sort());
  expect(w.reports).toEqual([
    expect.objectContaining({
      batchId: 'b1',
      lastBatch: false,
      carriedOver: 5,
      lapsed: 0,
      counts: { in_review: 3, returned: 2, approved: 2, rejected: 0, withdrawn: 1, lapsed: 0 },
    }),
    expect.objectContaining({
      batchId: 'b2',
      lastBatch: true,
      carriedOver: 0,
      lapsed: 5,
      counts: { in_review: 0, returned: 0, approved: 2, rejected: 0, withdrawn: 1, lapsed: 5 },
    }),
  ]);
  expect(w.payoutsDue.map((p) => [p.batchId, p.status])).toEqual([
    ['b1', 'pending'],
    ['b2', 'pending'],
  ]);
  // Reminders before each batch closes, to each org with applications awaiting it (returned ones
  // await the worker): Dongchangfu has a2 and a4, Chiping c2.
  expect(
    w.notifications.map((n) => [n.orgId, n.transitionId, n.pending, n.kind, n.channel, n.status]).sort(),
  ).toEqual(
    [
      [DCF, 'b1:reminder', 2, 'review_reminder', 'sms', 'pending'],
      [DCF, 'b2:reminder', 2, 'review_reminder', 'sms', 'pending'],
      [CP, 'b1:reminder', 1, 'review_reminder', 'sms', 'pending'],
      [CP, 'b2:reminder', 1, 'review_reminder', 'sms', 'pending'],
    ].sort(),
  );
  return w;
}

describe('the calendar of a programme whose dates have all passed', () => {
  const programmeId = 'cal-past';
  let ids: Record<string, string>;

  it('carries out every transition exactly once: reminders, carry-over, lapses that release and promote', async () => {
    ids = await newPopulatedProgramme(programmeId);
    const calls = recording(calendarHandler);
    await runToEnd(runnerFor(calls.handler), programmeId, 'first');
    expect(calls.applied).toEqual(transitionIds(programmeId));
    await expectClosedOnce(programmeId, ids);
  });

  it('run again under a new name, it changes nothing', async () => {
    const before = await world(programmeId, ids);
    const calls = recording(calendarHandler);
    await runToEnd(runnerFor(calls.handler), programmeId, 'second');
    expect(calls.applied).toEqual([]);
    expect(await world(programmeId, ids)).toEqual(before);
  });

  it('even with its records of what it did deleted, every transition re-applied changes nothing', async () => {
    const before = await world(programmeId, ids);
    for (const item of await partition(deps.db, programmeId)) {
      if (!String(item.sk).startsWith(CALENDAR_PREFIX)) continue;
      await deps.db.send(
        new DeleteCommand({ TableName: loadConfig().tableName, Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    const calls = recording(calendarHandler);
    await runToEnd(runnerFor(calls.handler), programmeId, 'third');
    expect(calls.applied).toEqual(transitionIds(programmeId));
    expect(await world(programmeId, ids)).toEqual(before);
  });
});

describe('faults: each transition still happens exactly once', () => {
  it('when every apply fails once before its work and once after it, and the Retry runs it again', async () => {
    const programmeId = 'cal-fault';
    const ids = await newPopulatedProgramme(programmeId);
    const attempts = new Map<string, number>();
    const calls = recording(calendarHandler);
    const faulty: TaskHandler = async (event, context) => {
      const e = event as Event;
      if (e.action !== 'apply' || !e.transition) return calls.handler(event, context);
      const n = (attempts.get(e.transition.id) ?? 0) + 1;
      attempts.set(e.transition.id, n);
      if (n === 1) throw new Error(`injected before ${e.transition.id}`);
      const out = await calls.handler(event, context);
      if (n === 2) throw new Error(`injected after ${e.transition.id}`);
      return out;
    };
    await runToEnd(runnerFor(faulty), programmeId, 'faulty');
    for (const id of transitionIds(programmeId)) expect(attempts.get(id), id).toBe(3);
    expect(calls.applied).toEqual(transitionIds(programmeId));
    expect(calls.outcomes.filter((o) => o.outcome.reason === 'already_done')).toHaveLength(9);
    await expectClosedOnce(programmeId, ids);
  });

  it('when a task fails halfway: after one lapse, after one reminder, and before recording the close', async () => {
    const programmeId = 'cal-halfway';
    const ids = await newPopulatedProgramme(programmeId);
    const faultDeps = createDeps(loadConfig());
    const send = faultDeps.db.send.bind(faultDeps.db) as (command: unknown) => Promise<unknown>;
    const injected: string[] = [];
    const once = (label: string) => {
      if (injected.includes(label)) return false;
      injected.push(label);
      return true;
    };
    (faultDeps.db as { send: unknown }).send = async (command: { input?: Record<string, unknown> }) => {
      const input = command.input ?? {};
      const item = input.Item as Record<string, unknown> | undefined;
      if (item?.sk === `${CALENDAR_PREFIX}b2:close` && once('before recording b2:close')) {
        throw new Error('injected: the record of the close is never written');
      }
      const out = await send(command);
      const lapse = (
        (input.TransactItems as { Update?: { Key: { pk: string }; ExpressionAttributeValues: object } }[]) ??
        []
      )
        .map((t) => t.Update)
        .find(
          (u) =>
            u?.Key.pk === `APP#${ids.a4}` && Object.values(u.ExpressionAttributeValues).includes('lapsed'),
        );
      if (lapse && once('after lapsing a4'))
        throw new Error('injected: lost the answer of a committed lapse');
      // A reminder is a put of its own, or the first put of a transaction with its reviewers' SMS.
      const written = [
        item,
        ...((input.TransactItems as { Put?: { Item: Record<string, unknown> } }[]) ?? []).map(
          (t) => t.Put?.Item,
        ),
      ];
      const reminder = written.find((i) => i?.kind === 'review_reminder' && i.orgId === DCF);
      if (reminder && once('after one reminder')) {
        throw new Error('injected: lost the answer of a written reminder');
      }
      return out;
    };
    const calls = recording((event) =>
      runCalendarTask(faultDeps, CalendarTaskEvent.parse(event), new Date()),
    );
    await runToEnd(runnerFor(calls.handler), programmeId, 'halfway');
    expect(injected.sort()).toEqual(['after lapsing a4', 'after one reminder', 'before recording b2:close']);
    expect(calls.applied).toEqual(transitionIds(programmeId));
    await expectClosedOnce(programmeId, ids);
    faultDeps.db.destroy();
  });

  it('resumes after a restart: a new runner finishes what the stopped one left, nothing twice', async () => {
    const programmeId = 'cal-resume';
    const ids = await newPopulatedProgramme(programmeId);
    let stopFirst = () => undefined as unknown;
    const first = recording(calendarHandler);
    const stopping: TaskHandler = async (event, context) => {
      const out = await first.handler(event, context);
      if (first.applied.length === 4) stopFirst();
      return out;
    };
    const runner1 = runnerFor(stopping);
    const id = `local:calendar:resume`;
    stopFirst = () => void runner1.stop(id);
    await runner1.start('calendar', 'resume', { programmeId });
    expect((await runner1.settled(id))?.status).toBe('ABORTED');
    expect(first.applied).toEqual(transitionIds(programmeId).slice(0, 4));

    // `npm start` again: a fresh runner, the same data, the same execution name.
    const second = recording(calendarHandler);
    await runToEnd(runnerFor(second.handler), programmeId, 'resume');
    expect(second.applied).toEqual(transitionIds(programmeId).slice(4));
    await expectClosedOnce(programmeId, ids);
  });
});

/** A clock that moves only when the calendar waits: `WaitForBoundary` takes no time, the clock jumps. */
function virtualClock(start: Date, inner: (event: unknown, now: Date) => Promise<unknown>) {
  let now = start.getTime();
  const startedAt = new Map<string, string>();
  const waits: { from: number; until: number }[] = [];
  const handler: TaskHandler = async (event) => {
    const e = event as Event & { execution?: { id: string; startedAt: string } };
    if (e.execution) {
      // Each execution starts on the virtual clock, not the real one.
      if (!startedAt.has(e.execution.id)) startedAt.set(e.execution.id, new Date(now).toISOString());
      e.execution.startedAt = startedAt.get(e.execution.id) as string;
    }
    const out = (await inner(e, new Date(now))) as Outcome;
    if (out.waitUntil) {
      waits.push({ from: now, until: Date.parse(out.waitUntil) });
      now = Date.parse(out.waitUntil);
    }
    return out;
  };
  return { handler, waits, now: () => new Date(now) };
}

describe('waiting for boundaries', () => {
  it('waits (TimestampPath) a week at most at a time and applies each transition at its boundary', async () => {
    const programmeId = 'cal-future';
    const today = shanghaiDate(new Date());
    const programme: Programme = {
      ...pastProgramme(programmeId),
      year: Number(addDays(today, 1).slice(0, 4)),
      applicationWindow: { opensOn: addDays(today, 1), closesOn: addDays(today, 100) },
      reviewBatches: [
        { id: 'b1', opensOn: addDays(today, 20), closesOn: addDays(today, 50) },
        { id: 'b2', opensOn: addDays(today, 60), closesOn: addDays(today, 120) },
      ],
    };
    await deps.programmes.create(programme);
    const clock = virtualClock(new Date(), (event, now) =>
      runCalendarTask(deps, CalendarTaskEvent.parse(event), now),
    );
    await runToEnd(runnerFor(clock.handler), programmeId, 'future');
    const records = await deps.calendar.records(programmeId);
    const transitions = calendarTransitions(programme);
    expect(records.map((r) => r.transitionId).sort()).toEqual(transitions.map((t) => t.id).sort());
    // The clock only ever jumped to a boundary or a week ahead: each transition ran at its instant.
    for (const r of records) expect(r.appliedAt, r.transitionId).toBe(r.at);
    for (const w of clock.waits) expect(w.until - w.from).toBeLessThanOrEqual(7 * DAY);
    expect(clock.waits.length).toBeGreaterThanOrEqual(Math.ceil(121 / 7));
  });

  it('hands over to a successor execution before the one-year limit, which finishes the calendar', async () => {
    const programmeId = 'cal-long';
    const today = shanghaiDate(new Date());
    const programme: Programme = {
      ...pastProgramme(programmeId),
      year: Number(addDays(today, 1).slice(0, 4)),
      applicationWindow: { opensOn: addDays(today, 1), closesOn: addDays(today, 300) },
      reviewBatches: [
        { id: 'b1', opensOn: addDays(today, 10), closesOn: addDays(today, 100) },
        { id: 'b2', opensOn: addDays(today, 320), closesOn: addDays(today, 400) },
      ],
    };
    await deps.programmes.create(programme);
    let runner: LocalWorkflowRunner | undefined;
    // Calendars start on this test's runner (its virtual clock); anything else (payout runs) on the stack's.
    const ours = (id: string) => id.startsWith('local:calendar:');
    const starter: WorkflowStarter = {
      start: (workflow, name, input) =>
        workflow === 'calendar'
          ? (runner as LocalWorkflowRunner).start(workflow, name, input)
          : stack.workflows.start(workflow, name, input),
      stop: (id) => (ours(id) ? (runner as LocalWorkflowRunner).stop(id) : stack.workflows.stop(id)),
      status: (id) => (ours(id) ? (runner as LocalWorkflowRunner).status(id) : stack.workflows.status(id)),
    };
    const handOverDeps: Deps = { ...deps, workflows: () => starter };
    const clock = virtualClock(new Date(), (event, now) =>
      runCalendarTask(handOverDeps, CalendarTaskEvent.parse(event), now),
    );
    runner = runnerFor(clock.handler);
    const firstId = await runToEnd(runner, programmeId, 'long');
    const successor = (await deps.programmes.get(programmeId))?.calendarExecution;
    expect(successor).toBeDefined();
    expect(successor).not.toBe(firstId);
    expect((await runner.settled(successor as string))?.status).toBe('SUCCEEDED');
    const records = await deps.calendar.records(programmeId);
    expect(records.map((r) => r.transitionId).sort()).toEqual(
      calendarTransitions(programme)
        .map((t) => t.id)
        .sort(),
    );
    expect(runner.list('calendar').map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });
});

describe('publishing and editing a programme through the API', () => {
  let admin: string;
  let province: string;
  const today = shanghaiDate(new Date());
  const year = Number(today.slice(0, 4));
  const body = (id: string, batches: { id: string; opensOn: string; closesOn: string }[]) => ({
    id,
    title: '日历测试项目',
    ownerOrgId: 'lc',
    year,
    enrolmentYear: year,
    applicationWindow: { opensOn: `${year}-01-01`, closesOn: addDays(today, 60) },
    reviewBatches: batches,
    levels: ['junior_college'],
    allocations: [{ unitOrgId: DCF, places: 2, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] }],
  });
  const b1 = { id: 'b1', opensOn: addDays(today, 10), closesOn: addDays(today, 40) };
  const b2 = { id: 'b2', opensOn: addDays(today, 50), closesOn: addDays(today, 90) };

  beforeAll(async () => {
    admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
    province = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  });

  const executionOf = async (programmeId: string) =>
    (await deps.programmes.get(programmeId))?.calendarExecution;

  it('publishing starts the programme’s calendar, which waits for its first boundary', async () => {
    const res = await stack.call('POST', '/v1/programmes', {
      token: province,
      body: body('cal-api', [b1, b2]),
    });
    expect(res.status).toBe(201);
    const execution = await executionOf('cal-api');
    expect(execution).toMatch(/^local:calendar:cal-api-[0-9a-f]{12}$/);
    expect(await stack.workflows.status(execution as string)).toBe('RUNNING');
    expect(await deps.calendar.records('cal-api')).toEqual([]);
  });

  it('new dates stop the old execution and start one that runs on them', async () => {
    const old = await executionOf('cal-api');
    const res = await stack.call('PATCH', '/v1/programmes/cal-api', {
      token: admin,
      body: { reviewBatches: [{ ...b1, opensOn: today }, b2] },
    });
    expect(res.status).toBe(200);
    expect(res.body.reviewBatches[0]).toEqual({ ...b1, opensOn: today });
    const current = await executionOf('cal-api');
    expect(current).not.toBe(old);
    expect(await stack.workflows.status(old as string)).toBe('ABORTED');
    expect(await stack.workflows.status(current as string)).toBe('RUNNING');
    // Batch 1 now opens today: the new execution opens it at once, then waits for the rest.
    await expect
      .poll(async () => (await deps.calendar.records('cal-api')).map((r) => r.transitionId), {
        timeout: 20_000,
      })
      .toEqual(['b1:open']);
    const stored = await stack.call('GET', '/v1/programmes/cal-api');
    expect(stored.body.reviewBatches[0].opensOn).toBe(today);
    expect(stored.body).not.toHaveProperty('calendarExecution');
  });

  it('a title alone leaves the running calendar alone', async () => {
    const before = await executionOf('cal-api');
    const res = await stack.call('PATCH', '/v1/programmes/cal-api', {
      token: admin,
      body: { title: '新标题' },
    });
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('新标题');
    expect(await executionOf('cal-api')).toBe(before);
    expect(await stack.workflows.status(before as string)).toBe('RUNNING');
  });

  it('answers 409 invalid_state for moving a date that has passed, or into the past', async () => {
    const moved = await stack.call('PATCH', '/v1/programmes/cal-api', {
      token: admin,
      body: { reviewBatches: [{ ...b1, opensOn: addDays(today, 1) }, b2] },
    });
    expect(moved.status).toBe(409);
    expect(moved.body.error).toMatchObject({
      code: 'invalid_state',
      fields: [{ path: 'reviewBatches.0.opensOn', message: expect.any(String) }],
    });
    const intoThePast = await stack.call('PATCH', '/v1/programmes/cal-api', {
      token: admin,
      body: { applicationWindow: { opensOn: `${year}-01-01`, closesOn: addDays(today, -1) } },
    });
    expect(intoThePast.status).toBe(409);
    expect(intoThePast.body.error.fields).toEqual([
      { path: 'applicationWindow.closesOn', message: expect.any(String) },
    ]);
  });

  it('checks an edit by the rules of publishing, and only for an admin governing the owner', async () => {
    const overlapping = await stack.call('PATCH', '/v1/programmes/cal-api', {
      token: admin,
      body: {
        reviewBatches: [
          { ...b1, opensOn: today },
          { ...b2, opensOn: addDays(today, 30) },
        ],
      },
    });
    expect(overlapping.status).toBe(400);
    expect(overlapping.body.error.code).toBe('validation_failed');
    expect(overlapping.body.error.fields.map((f: { path: string }) => f.path)).toContain(
      'reviewBatches.1.opensOn',
    );
    const empty = await stack.call('PATCH', '/v1/programmes/cal-api', { token: admin, body: {} });
    expect(empty.status).toBe(400);
    const unknownField = await stack.call('PATCH', '/v1/programmes/cal-api', {
      token: admin,
      body: { allocations: [] },
    });
    expect(unknownField.status).toBe(400);
    const countyAdmin = await stack.token({ sub: 'admin-cp', role: 'admin', org: CP });
    expect(
      (await stack.call('PATCH', '/v1/programmes/cal-api', { token: countyAdmin, body: { title: 'x' } }))
        .status,
    ).toBe(403);
    const worker = await stack.token({ sub: 'w', role: 'worker' });
    expect(
      (await stack.call('PATCH', '/v1/programmes/cal-api', { token: worker, body: { title: 'x' } })).status,
    ).toBe(403);
    expect((await stack.call('PATCH', '/v1/programmes/cal-api', { body: { title: 'x' } })).status).toBe(401);
    expect(
      (await stack.call('PATCH', '/v1/programmes/no-such', { token: admin, body: { title: 'x' } })).status,
    ).toBe(404);
  });

  it('a programme published with past dates runs its whole calendar at once', async () => {
    const past = {
      ...body('cal-api-past', [
        { id: 'b1', opensOn: '2024-03-01', closesOn: '2024-05-31' },
        { id: 'b2', opensOn: '2024-10-01', closesOn: '2024-12-10' },
      ]),
      year: 2024,
      enrolmentYear: 2024,
      applicationWindow: { opensOn: '2024-01-01', closesOn: '2024-11-30' },
    };
    expect((await stack.call('POST', '/v1/programmes', { token: province, body: past })).status).toBe(201);
    const execution = (await executionOf('cal-api-past')) as string;
    expect((await stack.workflows.settled(execution))?.status).toBe('SUCCEEDED');
    expect((await deps.calendar.records('cal-api-past')).map((r) => r.transitionId).sort()).toEqual(
      calendarTransitions(past)
        .map((t) => t.id)
        .sort(),
    );
  });

  it('documents the edit in /openapi.json', async () => {
    const doc = await stack.call('GET', '/openapi.json');
    expect(doc.body.paths['/v1/programmes/{programmeId}'].patch).toMatchObject({
      operationId: 'updateProgramme',
    });
  });

  it('started a calendar for every seeded programme at startup; lc-2022 has run to its end', async () => {
    const execution = (await executionOf('lc-2022')) as string;
    expect(execution).toMatch(/^local:calendar:lc-2022-/);
    expect((await stack.workflows.settled(execution))?.status).toBe('SUCCEEDED');
    expect((await deps.calendar.records('lc-2022')).map((r) => r.transitionId)).toHaveLength(9);
    expect(await deps.calendar.batchReport('lc-2022', 'batch-2')).toMatchObject({
      lastBatch: true,
      lapsed: 0,
    });
  });
});
