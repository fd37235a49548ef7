import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/adapters/aws.ts';
import { allocationKey, personLevelKey } from '../../shared/adapters/keys.ts';
import { loadConfig } from '../../shared/config.ts';
import type { ApplicationRecord } from '../../shared/model/application.ts';
import { ledgerSubmission } from '../../shared/services/submission.ts';
import { rushUnitOrgId } from '../support/rush.ts';
import { type CallCost, submitCostModel } from './cost-model.ts';
import {
  type BenchContext,
  type BenchStack,
  countDynamoDbCalls,
  cpuPerOp,
  cpuSeconds,
  pool,
  positionsExact,
  prepareRush,
  quantile,
  type RushWorker,
  readBackPlaces,
  round,
  startBenchStack,
  submitRush,
} from './support.ts';

export interface ClaimsResult {
  submits: number;
  places: number;
  claimed: number;
  waitlisted: number;
  overAllocated: number;
  httpSubmitsPerSec: number;
  rawTransactPerSec: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  /** Every waitlisted submit was told the position it holds after the rush (architecture.md §3). */
  positionsExact: boolean;
  /**
   * The same submits without the API ({@link ledgerSubmits}): the writes an HTTP submit makes, through
   * the place ledger, on units of `places` places, half before the HTTP rush and half after it. Not a
   * target: it tells how much of a submit's cost is the API and how much the writes the contract asks for.
   */
  ledgerSubmitsPerSec: number;
  /** `httpSubmitsPerSec / ledgerSubmitsPerSec`. */
  ratioToLedger: number;
}

/** What the runner prints besides the result: where the time of a submit goes. */
export interface ClaimsDiagnostics {
  /** DynamoDB calls per HTTP submit, by operation. */
  callsPerSubmit: Record<string, number>;
  /** The raw rate measured before and after the HTTP rush (the result is their combined rate). */
  rawPerSecRuns: number[];
  /** The place ledger alone, the half before and the half after the HTTP rush. */
  ledgerPerSecRuns: number[];
  httpSeconds: number;
  cpuPerRaw: string;
  cpuPerSubmit: string;
  /** Each kind of call a submit makes, replayed alone after the rush. */
  costModel: CallCost[];
  failures: Record<string, number>;
  problems: string[];
}

/**
 * `n` bare claim transactions shaped like a submit's — the allocation item's guarded `claimed + 1`
 * and a person-and-level put with `attribute_not_exists` — all sent at once to the same DynamoDB
 * Local, through a client built exactly as the handlers build theirs. The unit has `n` places, so
 * every one commits: the fastest a client can claim places on one item, without HTTP or checks.
 */
export async function rawClaimTransactions(
  stack: BenchStack,
  programmeId: string,
  n: number,
): Promise<{ seconds: number; perSec: number; failed: number }> {
  const config = { ...loadConfig(), tableName: stack.local.tableName, injectTransactionConflictRate: 0 };
  const db = createDocumentClient({
    ...config,
    dynamodbEndpoint: stack.local.dynamodbEndpoint,
    stage: 'local',
  });
  const tableName = stack.local.tableName;
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...allocationKey(programmeId, rushUnitOrgId),
          type: 'allocation',
          programmeId,
          unitOrgId: rushUnitOrgId,
          places: n,
          claimed: 0,
          waitlisted: 0,
        },
      }),
    );
    const claim = (i: number) =>
      db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: allocationKey(programmeId, rushUnitOrgId),
                UpdateExpression: 'SET claimed = claimed + :one, lastClaimSequence = :seq',
                ConditionExpression: 'attribute_exists(pk) AND claimed < places',
                ExpressionAttributeValues: { ':one': 1, ':seq': i + 1 },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...personLevelKey(`${programmeId}-${i}`, 'junior_college'),
                  type: 'person_level',
                  applicationId: `${programmeId}-${i}`,
                  programmeId,
                  createdAt: new Date().toISOString(),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    const started = performance.now();
    const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => claim(i)));
    const seconds = (performance.now() - started) / 1000;
    return { seconds, perSec: n / seconds, failed: settled.filter((s) => s.status === 'rejected').length };
  } finally {
    db.destroy();
  }
}

/**
 * The writes of `workers.length` submits without the API: each draft (prepared as the HTTP rush's,
 * through the API) is read beforehand, untimed; then every one's place ledger submit, the request the
 * submit service builds (`ledgerSubmission`), goes through the bench stack's client, which is built as
 * the handlers build theirs: the unit's places and its first join one at a time, untimed, the rest at
 * once, timed. The draw and the transaction of a join, or the receipt
 * and the transaction of a claim, are exactly an HTTP submit's; what the HTTP submit adds is the
 * gateway, the handler, the read of the draft and its documents, and the checks.
 */
export async function ledgerSubmits(
  stack: BenchStack,
  workers: readonly RushWorker[],
  places: number,
): Promise<{ timed: number; seconds: number; failed: number; claimed: number; waitlisted: number }> {
  const { deps } = stack;
  const drafts = await pool(workers, 32, async (w) => {
    const bundle = await deps.applications.bundle(w.id);
    if (!bundle) throw new Error(`draft ${w.id} not found`);
    return bundle.application;
  });
  const submittedAt = new Date().toISOString();
  const submitOne = (app: ApplicationRecord) =>
    deps.ledger.submit(ledgerSubmission(deps, app, app.ownerSub, submittedAt));
  // The places and the first join one at a time, untimed: from then on the ledger knows the unit joins
  // by the sequencer, as the gateway's ledger knew after the rush's first few dozen submits (GetItem
  // 0.02 a submit). Fired all at once without it, every submit reads the unit before any commits, sees
  // a free place and tries to claim it: a burst a function's container, serving one request at a
  // time, never makes.
  const primed = drafts.slice(0, places + 1);
  const primedOutcomes = [];
  for (const app of primed) primedOutcomes.push(await submitOne(app));
  const timed = drafts.slice(primed.length);
  const started = performance.now();
  const settled = await Promise.allSettled(timed.map(submitOne));
  const seconds = (performance.now() - started) / 1000;
  const outcomes = [
    ...primedOutcomes,
    ...settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
  ];
  return {
    timed: timed.length,
    seconds,
    failed: drafts.length - outcomes.length,
    claimed: outcomes.filter((o) => o.state === 'claimed').length,
    waitlisted: outcomes.filter((o) => o.state === 'waitlisted').length,
  };
}

/**
 * `submits` concurrent HTTP submits on one unit of `places` places, each by its own worker, against
 * the same number of bare claim transactions sent straight to DynamoDB Local in the same run.
 */
export async function claimsSuite(
  ctx: BenchContext,
): Promise<{ result: ClaimsResult; diagnostics: ClaimsDiagnostics }> {
  const stack = await startBenchStack(ctx, 'claims');
  try {
    ctx.log(`claims: preparing ${ctx.submits} drafts…`);
    const prepStarted = performance.now();
    const workers = await prepareRush(stack, {
      programmeId: 'bench-rush',
      places: ctx.places,
      drafts: ctx.submits,
    });
    ctx.log(`claims: drafts ready in ${round((performance.now() - prepStarted) / 1000, 1)} s`);

    // Warm both paths before either is timed — DynamoDB Local's JIT compiles what it runs most, so
    // the side timed first would otherwise pay for the compilation of both: a small rush of submits
    // (drafts of its own) and as many raw transactions.
    const warmup = Math.min(400, Math.ceil(ctx.submits / 5));
    const warmupWorkers = await prepareRush(stack, {
      programmeId: 'bench-warmup-rush',
      places: ctx.places,
      drafts: warmup,
      firstWorker: ctx.submits,
    });
    // Half before the HTTP rush and half after it, as the raw transactions are timed.
    const ledgerHalf = Math.ceil(ctx.submits / 2);
    const ledgerWorkers = [
      await prepareRush(stack, {
        programmeId: 'bench-ledger-1',
        places: ctx.places,
        drafts: ledgerHalf,
        firstWorker: ctx.submits + warmup,
      }),
      await prepareRush(stack, {
        programmeId: 'bench-ledger-2',
        places: ctx.places,
        drafts: ledgerHalf,
        firstWorker: ctx.submits + warmup + ledgerHalf,
      }),
    ] as const;
    const warm = await submitRush(stack, warmupWorkers);
    if (Object.keys(warm.failures).length > 0) {
      throw new Error(`warm-up submits answered ${JSON.stringify(warm.failures)}`);
    }
    await rawClaimTransactions(stack, 'bench-warmup-raw', warmup);

    // Raw transactions before and after the HTTP rush: load elsewhere on the machine that comes and
    // goes during the run then weighs on both sides alike.
    const rawCpuBefore = cpuSeconds(ctx.javaPid);
    const raw1 = await rawClaimTransactions(stack, 'bench-raw-1', ctx.submits);
    const rawCpuAfter = cpuSeconds(ctx.javaPid);
    ctx.log(`claims: ${ctx.submits} raw transactions in ${round(raw1.seconds)} s`);

    const ledger1 = await ledgerSubmits(stack, ledgerWorkers[0], ctx.places);

    const calls = countDynamoDbCalls();
    const httpCpuBefore = cpuSeconds(ctx.javaPid);
    const rush = await submitRush(stack, workers);
    const httpCpuAfter = cpuSeconds(ctx.javaPid);
    const counted = calls.stop();
    ctx.log(`claims: ${ctx.submits} HTTP submits in ${round(rush.seconds)} s`);

    const ledger2 = await ledgerSubmits(stack, ledgerWorkers[1], ctx.places);
    const raw2 = await rawClaimTransactions(stack, 'bench-raw-2', ctx.submits);
    ctx.log(`claims: ${ctx.submits} raw transactions in ${round(raw2.seconds)} s`);
    const failedRaw = raw1.failed + raw2.failed;
    if (failedRaw > 0) throw new Error(`${failedRaw} raw claim transactions failed`);
    const raw = { perSec: (2 * ctx.submits) / (raw1.seconds + raw2.seconds) };

    for (const [n, half] of [ledger1, ledger2].entries()) {
      if (half.failed > 0 || half.claimed !== Math.min(ctx.places, ledgerHalf)) {
        throw new Error(
          `ledger submits ${n + 1}: ${half.failed} failed, ${half.claimed} claimed, ${half.waitlisted} waitlisted`,
        );
      }
    }
    const ledger = { perSec: (ledger1.timed + ledger2.timed) / (ledger1.seconds + ledger2.seconds) };
    ctx.log(`claims: the same submits through the place ledger alone, ${round(ledger.perSec, 1)}/s`);

    const back = await readBackPlaces(stack, 'bench-rush', workers);
    ctx.log('claims: replaying each kind of call a submit makes…');
    const costModel = await submitCostModel(
      stack,
      ctx.javaPid,
      { programmeId: 'bench-rush', workers, waitlisted: back.waitlisted, submits: ctx.submits },
      counted,
      { programmeId: 'bench-raw-2', places: ctx.submits },
    );
    const result: ClaimsResult = {
      submits: ctx.submits,
      places: back.places,
      claimed: back.claimed,
      waitlisted: back.waitlisted,
      overAllocated: back.overAllocated,
      httpSubmitsPerSec: round(rush.perSec, 1),
      rawTransactPerSec: round(raw.perSec, 1),
      ratio: round(rush.perSec / raw.perSec, 3),
      p50Ms: round(quantile(rush.latenciesMs, 0.5), 0),
      p99Ms: round(quantile(rush.latenciesMs, 0.99), 0),
      positionsExact: positionsExact(rush.positions),
      ledgerSubmitsPerSec: round(ledger.perSec, 1),
      ratioToLedger: round(rush.perSec / ledger.perSec, 3),
    };
    return {
      result,
      diagnostics: {
        callsPerSubmit: Object.fromEntries(
          Object.entries(counted).map(([op, count]) => [op, round(count / ctx.submits, 2)]),
        ),
        rawPerSecRuns: [raw1.perSec, raw2.perSec],
        ledgerPerSecRuns: [ledger1, ledger2].map((h) => h.timed / h.seconds),
        httpSeconds: rush.seconds,
        cpuPerRaw: cpuPerOp(rawCpuBefore, rawCpuAfter, ctx.submits),
        cpuPerSubmit: cpuPerOp(httpCpuBefore, httpCpuAfter, ctx.submits),
        costModel,
        failures: rush.failures,
        problems: back.problems,
      },
    };
  } finally {
    await stack.stop();
  }
}
