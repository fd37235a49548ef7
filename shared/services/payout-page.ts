import { chunks, pool, TRANSACTION_ITEMS } from '../adapters/batch.ts';
import { settleItemCount } from '../adapters/payout-items.ts';
import type { PaymentRail, RailInstruction, RailResult } from '../adapters/rails/rail.ts';
import { inRounds } from '../adapters/retry.ts';
import type { InstructionRecord, Settlement } from '../model/payout.ts';
import type { Observer } from '../observer.ts';
import type { PageDescriptor } from '../schemas/payouts.ts';
import type { Deps } from './deps.ts';

/**
 * The payout run's Pay page task (architecture.md §4): one page of instructions sent to the rail and each
 * answer recorded, idempotently by key, so Step Functions may run a page again at any time.
 */

/** Chunks of one page (each settled in one transaction) in flight at once. */
const CHUNK_CONCURRENCY = 4;
/** Calls in flight at once to a rail that takes one instruction per call. */
const RAIL_CONCURRENCY = 10;
/** Calls of the rail per instruction inside one page attempt before the page is left to Step Functions' Retry. */
const RAIL_ATTEMPTS = 3;

/**
 * What a page attempt lets its caller do between the rail's answers and their record. Production
 * passes none; local tests and benchmarks end attempts there to play a crash (`payout-faults.ts`).
 */
export interface PayPageHooks {
  /**
   * Called after each rail answer, before it is recorded. An error ends the attempt there: this
   * answer and every later one stay unrecorded, and the attempt throws it once the page's writes in
   * flight are done.
   */
  interruptAfterAnswer?: () => Error | undefined;
}

/** Some instructions of the page got no answer from the rail: Step Functions retries the page. */
export class PayPageIncomplete extends Error {
  constructor(count: number) {
    super(`${count} instructions left unsettled; the page is retried`);
    this.name = 'PayPageIncomplete';
  }
}

/**
 * Pay page (architecture.md §4): each instruction `pending → sending` (conditional), the rail called with its
 * idempotency key, then `sending → paid | failed` (conditional). An instruction left `sending` by a
 * crashed attempt is sent again with the same key, and the rail answers its first payment. A payment
 * by a unit whose transfer was not paid fails: the unit never got the money (R7).
 *
 * The page's claims go in one conditional transaction; then chunks of instructions whose
 * settlements fit one transaction (≤ 100 items with their paid-key records, worker copies and
 * events) are sent to the rail together (`payMany` where the rail has it) and settled together,
 * a few chunks at once. Any write that fails its condition falls back to one instruction at a time.
 * Throws when something is left unsettled, so Step Functions' Retry runs the page again.
 *
 * Once `signal` aborts (the invocation is out of time) the attempt asks the rail nothing more — no
 * new call, no second ask — records the answers it has, and throws the signal's reason: what it did
 * not ask stays `sending` for the page's retry, so a frozen attempt that thaws beside that retry does
 * not call the rail with it.
 */
export async function payPage(
  deps: Deps,
  rail: PaymentRail,
  descriptor: PageDescriptor,
  hooks: PayPageHooks = {},
  signal?: AbortSignal,
): Promise<{ paid: number; failed: number; submitted: number; settledBefore: number }> {
  deps.observer.count('payout.pageAttempts');
  signal?.throwIfAborted();
  const instructions = await deps.instructions.page(descriptor.runId, descriptor.phase, descriptor.page);
  const dependencies = [...new Set(instructions.flatMap((i) => (i.dependsOnSk ? [i.dependsOnSk] : [])))];
  // A transfer handed to a rail that answers later (a line of the city's bank file) funds the unit's
  // payments in the unit's own file: the unit uploads that file once the transfer has arrived.
  const transferStatus = new Map(
    (await deps.instructions.bySortKeys(descriptor.runId, dependencies)).map((t) => [
      t.sk,
      t.status === 'sending' && t.submittedAt ? 'submitted' : t.status,
    ]),
  );
  let paid = 0;
  let failed = 0;
  let submitted = 0;
  let unsettled = 0;
  // Set when a hook ended the attempt: nothing after it is recorded, as after a real crash.
  let interrupted: Error | undefined;

  const open = instructions.filter((i) => i.status !== 'paid' && i.status !== 'failed');
  signal?.throwIfAborted();
  const claimed = await deps.instructions.claimMany(open, deps.clock.now().toISOString());
  // Not taken: settled by someone else since the page was read.
  const settledBefore = instructions.length - claimed.length;

  const settle = async (list: Settlement[]) => {
    for (const s of await deps.instructions.settleMany(list, deps.clock.now().toISOString())) {
      if (s.outcome.status === 'paid') paid++;
      else failed++;
    }
  };

  const payChunk = async (chunk: InstructionRecord[]) => {
    if (interrupted) {
      unsettled += chunk.length;
      return;
    }
    const settlements: Settlement[] = [];
    const toRail: InstructionRecord[] = [];
    for (const i of chunk) {
      const transfer = i.dependsOnSk ? transferStatus.get(i.dependsOnSk) : 'paid';
      if (transfer === 'paid' || transfer === 'submitted') toRail.push(i);
      else settlements.push({ i, outcome: { status: 'failed', reference: '', reason: TRANSFER_NOT_PAID } });
    }
    const answers = await callRail(rail, toRail, deps.observer, signal);
    const toSubmit: { i: InstructionRecord; reference: string }[] = [];
    for (const i of toRail) {
      const outcome = answers.get(i);
      if (!outcome) {
        unsettled++;
        continue;
      }
      if (interrupted) continue;
      // The rail has answered; an interruption now leaves this answer and the ones after it
      // unrecorded: the instructions stay `sending` and the page's next attempt sends them again.
      interrupted = hooks.interruptAfterAnswer?.();
      if (interrupted) continue;
      if (outcome.status === 'submitted') toSubmit.push({ i, reference: outcome.reference });
      else settlements.push({ i, outcome: { ...outcome, status: outcome.status } });
    }
    await settle(settlements);
    await pool(toSubmit, RAIL_CONCURRENCY, async ({ i, reference }) => {
      if (await deps.instructions.markSubmitted(i, reference, deps.clock.now().toISOString())) submitted++;
    });
  };
  // The run's live counts take what this attempt settled, also when it ends early: its retry finds
  // those instructions settled and does not count them again.
  const ended = await pool(chunks(claimed, settleItemCount), CHUNK_CONCURRENCY, payChunk, signal).then(
    () => undefined,
    (err: unknown) => ({ err }),
  );
  await deps.payouts.addCounts(descriptor.runId, paid, failed).catch((err: unknown) => {
    if (!ended) throw err;
  });
  if (ended) throw ended.err;
  if (interrupted) throw interrupted;
  if (unsettled > 0) {
    deps.observer.count('payout.incompletePages');
    throw new PayPageIncomplete(unsettled);
  }
  return { paid, failed, submitted, settledBefore };
}

const TRANSFER_NOT_PAID = 'transfer_not_paid: 上级拨付未到账';

/**
 * Sends instructions to the rail — together where it takes many at once, else a few at a time —
 * asking again with the same keys for those whose outcome is unknown (transient error, timeout, lost
 * answer), up to {@link RAIL_ATTEMPTS} calls each. Instructions without an answer are absent.
 */
async function callRail(
  rail: PaymentRail,
  instructions: readonly InstructionRecord[],
  observer: Observer,
  signal: AbortSignal | undefined,
): Promise<Map<InstructionRecord, RailResult>> {
  const answers = new Map<InstructionRecord, RailResult>();
  await inRounds(
    instructions,
    RAIL_ATTEMPTS,
    async (asking) => {
      const results = await askRail(rail, asking, signal);
      const again: InstructionRecord[] = [];
      asking.forEach((i, n) => {
        const result = results[n];
        if (result && !(result instanceof Error)) answers.set(i, result);
        else if (result === undefined && signal?.aborted) {
          again.push(i); // not asked: the invocation ran out of time first
        } else {
          // Unknown outcome (transient error, timeout, lost answer): ask again with the same key.
          observer.count('payout.railRetries');
          again.push(i);
        }
      });
      return again;
    },
    { baseMs: 5, capMs: 100, signal },
  );
  return answers;
}

/**
 * One call per instruction (or one `payMany` per 100), answers in the order asked; errors as values.
 * Once `signal` aborts no call is started: the instructions not asked are left without an answer.
 */
async function askRail(
  rail: PaymentRail,
  asking: readonly InstructionRecord[],
  signal: AbortSignal | undefined,
): Promise<(RailResult | Error | undefined)[]> {
  const results: (RailResult | Error | undefined)[] = new Array(asking.length);
  if (rail.payMany) {
    for (let n = 0; n < asking.length && !signal?.aborted; n += TRANSACTION_ITEMS) {
      const part = asking.slice(n, n + TRANSACTION_ITEMS);
      (await rail.payMany(part.map(railInstruction))).forEach((r, k) => {
        results[n + k] = r;
      });
    }
    return results;
  }
  const indexed = asking.map((i, n) => ({ i, n }));
  await pool(indexed, RAIL_CONCURRENCY, async ({ i, n }) => {
    if (signal?.aborted) return;
    try {
      results[n] = await rail.pay(railInstruction(i));
    } catch (err) {
      results[n] = err instanceof Error ? err : new Error(String(err));
    }
  });
  return results;
}

function railInstruction(i: InstructionRecord): RailInstruction {
  return {
    key: i.key,
    kind: i.kind,
    runId: i.runId,
    payerOrgId: i.payerOrgId,
    ...(i.payeeOrgId ? { payeeOrgId: i.payeeOrgId } : {}),
    ...(i.applicationId ? { applicationId: i.applicationId } : {}),
    amountFen: i.amountFen,
    funding: i.funding,
    programmeId: i.programmeId,
    instructionSk: i.sk,
  };
}
