import { BatchWriteCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.ts';
import { lc2022Places } from '../../infra/seed/data.ts';
import { applicationKey, payoutRunPartition, statusIndex } from '../../shared/adapters/keys.ts';
import { loadConfig } from '../../shared/config.ts';
import type { ApplicationRecord } from '../../shared/model/application.ts';
import { recordCounts } from '../../shared/observer.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { planRun } from '../../shared/services/payout-plan.ts';
import { launchPayoutRun } from '../../shared/services/payout-runs.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { draftRecord } from './ledger-fixtures.ts';
import { pool } from './pool.ts';

/** Faults of a local payout run: rail errors per call, crashes between the rail's answer and the state write. */
export interface PayoutFaults {
  transientRate?: number;
  timeoutRate?: number;
  lostAnswerRate?: number;
  crashRate?: number;
  /** Draw the faults from generators seeded with this (`PAYOUT_FAULT_SEED`), not `Math.random`. */
  seed?: number;
}

/** The env the `payouts` function reads its injected faults from at cold start (local stage only). */
export function payoutFaultEnv(faults: PayoutFaults): Record<string, string> {
  return {
    SANDBOX_TRANSIENT_RATE: String(faults.transientRate ?? 0),
    SANDBOX_TIMEOUT_RATE: String(faults.timeoutRate ?? 0),
    SANDBOX_LOST_ANSWER_RATE: String(faults.lostAnswerRate ?? 0),
    PAYOUT_CRASH_RATE: String(faults.crashRate ?? 0),
    PAYOUT_FAULT_SEED: faults.seed === undefined ? '' : String(faults.seed),
  };
}

/** Page retries of a local run: immediate, as the emulated Lambda "restarts" at once. */
export const fastPayoutRetries = { PayTransferPage: 5, PayPaymentPage: 5, Plan: 5, Reconcile: 5 };

/** Units whose workers are paid through a city → unit transfer (all but the city-direct group). */
export const transferUnits = Object.keys(lc2022Places).filter((u) => u !== 'lc-shizhi').length;

/**
 * A programme over the twelve units with `applications` approved applications holding a place,
 * written straight through the table as the repositories store them (review is not what is measured).
 * 东昌府区 adds its own share for its first 100 holders (a county share limited by `places`).
 */
export async function seedPayable(deps: Deps, programmeId: string, applications: number): Promise<string[]> {
  const units = Object.keys(lc2022Places);
  const places = Math.ceil(applications / units.length) + 1;
  const at = new Date().toISOString();
  await deps.programmes.create({
    id: programmeId,
    title: 'payout fixture',
    ownerOrgId: 'lc',
    year: 2026,
    enrolmentYear: 2026,
    applicationWindow: { opensOn: '2026-01-01', closesOn: '2026-11-30' },
    reviewBatches: [{ id: 'batch-1', opensOn: '2026-05-01', closesOn: '2026-12-09' }],
    levels: ['junior_college', 'bachelor'],
    allocations: units.map((unitOrgId) => ({
      unitOrgId,
      places,
      funding: [
        { funderOrgId: 'sd', amountFen: 100_000 },
        { funderOrgId: 'lc', amountFen: 100_000 },
        ...(unitOrgId === 'lc-dongchangfu'
          ? [{ funderOrgId: unitOrgId, amountFen: 50_000, places: 100 }]
          : []),
      ],
    })),
    allocationPolicy: 'first_come_first_served',
    createdAt: at,
  });
  const ids: string[] = [];
  const items = Array.from({ length: applications }, (_, n) => {
    const unitOrgId = units[n % units.length] as string;
    const id = `${programmeId}-a${n.toString().padStart(6, '0')}`;
    ids.push(id);
    const record: ApplicationRecord = {
      ...draftRecord(id, programmeId, unitOrgId, at),
      status: 'approved',
      quotaState: 'claimed',
      sequence: n + 1,
      submittedAt: at,
      digest: `digest-${n}`,
    };
    return {
      ...applicationKey(id),
      ...statusIndex(programmeId, 'approved', n + 1, unitOrgId),
      type: 'application',
      ...record,
    };
  });
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, b) =>
    items.slice(b * 25, b * 25 + 25),
  );
  await pool(batches, 8, async (batch) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await deps.db.send(
        new BatchWriteCommand({ RequestItems: { [deps.config.tableName]: requests } }),
      );
      requests = (out.UnprocessedItems?.[deps.config.tableName] ?? []) as typeof requests;
    }
  });
  return ids;
}

export interface PayoutRunFigures {
  runId: string;
  executionStatus: string | undefined;
  status: string;
  planned: number;
  paid: number;
  failed: number;
  totals: { funderOrgId: string; totalFen: number }[];
  problems: string[];
  ms: number;
}

/** A run recorded as a start records it — `running`, on the sandbox rail, the programme's open run — and not planned. */
export async function recordedRun(deps: Deps, runId: string, programmeId: string): Promise<void> {
  const at = new Date().toISOString();
  await deps.payouts.createRun({
    runId,
    programmeId,
    requestedBy: 'test',
    rail: 'sandbox',
    status: 'running',
    createdAt: at,
    updatedAt: at,
  });
}

/**
 * The run's planning lease taken by the Plan attempt `token` for `ms` from now, as an attempt running
 * elsewhere (or one that vanished) would hold it. Answers the run as the lease left it.
 */
export async function leaseHeldBy(deps: Deps, runId: string, token: string, ms: number) {
  const now = new Date();
  return deps.payouts.takePlanLease(
    runId,
    token,
    now.toISOString(),
    new Date(now.getTime() + ms).toISOString(),
  );
}

/**
 * A run as a process killed after planning leaves it: recorded `running` on the sandbox rail and
 * planned, nothing paid or recorded since. Returns the plan's page descriptors.
 */
export async function plannedRun(deps: Deps, runId: string, programmeId: string) {
  await recordedRun(deps, runId, programmeId);
  return planRun(deps, runId, programmeId, new Date());
}

/** Starts a payout run through the registered local runner and waits for it to end. */
export async function runPayout(
  deps: Deps,
  stack: Pick<LocalStack, 'workflows'>,
  programmeId: string,
  runId: string,
) {
  const started = performance.now();
  await launchPayoutRun(deps, { runId, programmeId, requestedBy: 'test' }, new Date());
  const execution = await stack.workflows.settled(`local:payout-run:${runId}`);
  const run = await deps.payouts.getRun(runId);
  if (!run) throw new Error(`run ${runId} has no record`);
  return {
    runId,
    executionStatus: execution?.status,
    status: run.status,
    planned: run.planned ?? 0,
    paid: run.paidCount ?? 0,
    failed: run.failedCount ?? 0,
    totals: run.totals ?? [],
    problems: run.problems ?? [],
    ms: Math.round(performance.now() - started),
  } satisfies PayoutRunFigures;
}

/**
 * Sandbox ledger entries of a run's keys, and how many keys appear more than once (must be 0): the
 * whole table scanned in parallel segments, only the key of each entry read back.
 */
export async function ledgerAudit(deps: Deps, runId: string, segments = 4) {
  const keys: string[] = [];
  await pool(
    Array.from({ length: segments }, (_, n) => n),
    segments,
    async (segment) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await deps.db.send(
          new ScanCommand({
            TableName: deps.config.tableName,
            Segment: segment,
            TotalSegments: segments,
            FilterExpression: '#t = :t AND runId = :run',
            ProjectionExpression: '#k',
            ExpressionAttributeNames: { '#t': 'type', '#k': 'key' },
            ExpressionAttributeValues: { ':t': 'sandbox-ledger', ':run': runId },
            ExclusiveStartKey: startKey,
          }),
        );
        keys.push(...(out.Items ?? []).map((i) => i.key as string));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    },
  );
  return { entries: keys.length, duplicates: keys.length - new Set(keys).size };
}

/** Instructions of a run by status. */
export async function instructionStatuses(deps: Deps, runId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await deps.db.send(
      new QueryCommand({
        TableName: deps.config.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': payoutRunPartition(runId), ':p': 'PAGE#' },
        ProjectionExpression: '#s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const i of out.Items ?? []) counts[i.status as string] = (counts[i.status as string] ?? 0) + 1;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return counts;
}

/**
 * One local payout scenario, end to end, for tests and the `payout` benchmark: starts a local stack
 * (on the given emulators, or its own), seeds `applications` approved applications (instructions =
 * applications + 11 transfers), runs a payout with the faults injected, then a second run that must
 * pay nothing; returns the figures. The caller stops the returned stack.
 */
export async function payoutScenario(options: {
  applications: number;
  faults?: PayoutFaults;
  dataDir: string;
  dynamodbEndpoint?: string;
  s3Endpoint?: string;
  tableName?: string;
}) {
  Object.assign(process.env, payoutFaultEnv(options.faults ?? {}));
  const stack = await startLocalStack({
    dataDir: options.dataDir,
    ...(options.dynamodbEndpoint ? { dynamodbEndpoint: options.dynamodbEndpoint } : {}),
    ...(options.s3Endpoint ? { s3Endpoint: options.s3Endpoint } : {}),
    tableName: options.tableName ?? `payout-${Math.random().toString(36).slice(2, 8)}`,
    bucketName: `payout-${Math.random().toString(36).slice(2, 8)}`,
    workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false },
  });
  const deps = createDeps(loadConfig());
  const programmeId = `payout-${Math.random().toString(36).slice(2, 8)}`;
  const seedStarted = performance.now();
  await seedPayable(deps, programmeId, options.applications);
  const seedMs = Math.round(performance.now() - seedStarted);
  const counts = recordCounts();
  const first = await runPayout(deps, stack, programmeId, `${programmeId}-first`);
  counts.stop();
  const auditStarted = performance.now();
  const ledger = await ledgerAudit(deps, first.runId);
  const statuses = await instructionStatuses(deps, first.runId);
  const auditMs = Math.round(performance.now() - auditStarted);
  const second = await runPayout(deps, stack, programmeId, `${programmeId}-second`);
  return {
    stack,
    deps,
    programmeId,
    seedMs,
    auditMs,
    first,
    second,
    ledger,
    statuses,
    stats: {
      pageAttempts: counts.get('payout.pageAttempts'),
      crashedPages: counts.get('payout.crashedPages'),
      incompletePages: counts.get('payout.incompletePages'),
      railRetries: counts.get('payout.railRetries'),
      railCalls: counts.get('sandbox.calls'),
      railRepeats: counts.get('sandbox.repeats'),
      ledgerWrites: counts.get('sandbox.paid'),
      transient: counts.get('sandbox.transient'),
      timeouts: counts.get('sandbox.timeouts'),
      lostAnswers: counts.get('sandbox.lostAnswers'),
    },
  };
}
