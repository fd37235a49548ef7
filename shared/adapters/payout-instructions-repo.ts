import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sharesByApplication } from '../domain/payout.ts';
import type { InstructionRecord, PayoutPhase, PlacedInstruction, Settlement } from '../model/payout.ts';
import { channelObserver, type Observer } from '../observer.ts';
import { batchGetAll, batchWriteAll, chunks, pool, TRANSACTION_ITEMS } from './batch.ts';
import { updateExpression } from './expressions.ts';
import { INSTRUCTION_PREFIX, instructionPagePrefix, payoutRunPartition } from './keys.ts';
import {
  bankCountsUpdate,
  claimUpdate,
  forgetSharesUpdate,
  instructionRecords,
  planItems,
  settleItemCount,
  settleItems,
} from './payout-items.ts';
import { queryAll } from './query.ts';
import { transactIf, writeIf } from './writes.ts';

/** Writes of one page in flight at once. */
const WRITE_CONCURRENCY = 8;

/**
 * A run's instructions (architecture.md §4), each `pending → sending → paid | failed` by conditional writes,
 * in page order under the run. Many at once go in transactions of up to 100 items; a transaction
 * that fails a condition (one instruction settled meanwhile) falls back to one instruction at a time,
 * so one stale instruction blocks nothing.
 */
export class InstructionRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly observer: Observer = channelObserver,
  ) {}

  /**
   * Stores a run's planned instructions, and for each worker payment its copy in the application's
   * partition with a `payment_pending` event (R14). Plain puts with deterministic keys: planning
   * again before any payment (a retried Plan) writes the same items.
   *
   * In rounds of `round` instructions, in order from the `from`th: each round is written whole, then
   * `written` hears how many are stored, so a Plan that records it can resume after the last round
   * (a retry of an attempt that ran out of time). Once `signal` aborts, no further batch is sent.
   */
  async writePlan(
    placed: readonly PlacedInstruction[],
    plannedAt: string,
    options: {
      signal?: AbortSignal;
      from?: number;
      round?: number;
      written?: (count: number) => Promise<void>;
    } = {},
  ): Promise<void> {
    // Payments name their transfer's place, resolved over the whole plan before any round is cut.
    const records = instructionRecords(placed);
    const round = options.round ?? records.length;
    for (let start = options.from ?? 0; start < records.length; start += round) {
      const end = Math.min(start + round, records.length);
      await batchWriteAll(
        this.db,
        this.tableName,
        records.slice(start, end).flatMap((i) => planItems(i, plannedAt)),
        WRITE_CONCURRENCY,
        options.signal,
      );
      await options.written?.(end);
    }
  }

  /** One page of a run's instructions, strongly consistent. */
  page(runId: string, phase: PayoutPhase, page: number): Promise<InstructionRecord[]> {
    return this.query(runId, instructionPagePrefix(phase, page));
  }

  /** Every instruction of a run (Reconcile). */
  ofRun(runId: string): Promise<InstructionRecord[]> {
    return this.query(runId, INSTRUCTION_PREFIX);
  }

  private async query(runId: string, prefix: string): Promise<InstructionRecord[]> {
    return (await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': payoutRunPartition(runId), ':prefix': prefix },
      ConsistentRead: true,
    })) as unknown as InstructionRecord[];
  }

  /** Instructions by sort key (the transfers a page of payments waits for), strongly consistent. */
  async bySortKeys(runId: string, sks: readonly string[]): Promise<InstructionRecord[]> {
    const keys = sks.map((sk) => ({ pk: payoutRunPartition(runId), sk }));
    return (await batchGetAll(this.db, this.tableName, keys, {
      consistent: true,
    })) as unknown as InstructionRecord[];
  }

  /**
   * `pending | sending → sending`: takes an instruction for a call to the rail. A `sending` one is
   * taken over too — Step Functions retries a page only after the attempt that left it has ended, so
   * it is stale; the rail's idempotency key makes the second call pay nothing twice.
   */
  claim(i: InstructionRecord, at: string): Promise<boolean> {
    return writeIf(() => this.db.send(new UpdateCommand(claimUpdate(this.tableName, i, at))));
  }

  /** {@link claim} for many instructions at once; answers the instructions taken, in the order given. */
  async claimMany(list: readonly InstructionRecord[], at: string): Promise<InstructionRecord[]> {
    return this.inTransactions(
      list,
      () => 1,
      (chunk) => chunk.map((i) => ({ Update: claimUpdate(this.tableName, i, at) })),
      (i) => this.claim(i, at),
    );
  }

  /**
   * Records that a rail which answers later (bank_file) took a `sending` instruction; it stays
   * `sending` until the rail's result is recorded with {@link settle}. False when it was not `sending`.
   */
  markSubmitted(i: InstructionRecord, reference: string, at: string): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: i.pk, sk: i.sk },
          ...updateExpression(
            { setIfAbsent: { submittedAt: at }, set: { reference } },
            { condition: '#s = :sending', names: { '#s': 'status' }, values: { ':sending': 'sending' } },
          ),
        }),
      ),
    );
  }

  /**
   * `sending → paid | failed`, in one transaction with what follows from it: the hold, and for a
   * worker payment its copy in the application and a timeline event (R14). False when the
   * instruction was not `sending` any more (settled by someone else).
   */
  settle(s: Settlement, at: string): Promise<boolean> {
    return transactIf(this.db, settleItems(this.tableName, s, at), this.observer);
  }

  /** {@link settle} for many; answers the settlements that moved their instruction. */
  async settleMany(list: readonly Settlement[], at: string): Promise<Settlement[]> {
    const done = await this.inTransactions(
      list,
      (s) => settleItemCount(s.i),
      (chunk) => chunk.flatMap((s) => settleItems(this.tableName, s, at)),
      (s) => this.settle(s, at),
    );
    await this.forgetFailedTransfers(done);
    return done;
  }

  /**
   * bank_file: settles imported result lines together with the run's counters, each chunk in one
   * transaction (the lines' settlements and one update of the run, conditional on `awaiting_bank`),
   * so no import can settle a line without counting it or count a line twice. Answers the
   * settlements made.
   */
  async settleBankResults(runId: string, list: readonly Settlement[], at: string): Promise<Settlement[]> {
    const itemsOf = (chunk: readonly Settlement[]) => [
      ...chunk.flatMap((s) => settleItems(this.tableName, s, at)),
      { Update: bankCountsUpdate(this.tableName, runId, chunk, at) },
    ];
    const done = await this.inTransactions(
      list,
      (s) => settleItemCount(s.i),
      itemsOf,
      (s) => transactIf(this.db, itemsOf([s]), this.observer),
      TRANSACTION_ITEMS - 1,
    );
    await this.forgetFailedTransfers(done);
    return done;
  }

  /**
   * A transfer that definitely failed released its hold with its settlement; after that (never
   * before) its applications forget the shares it carried, so they may give up their places again.
   * A crash in between leaves marks the next Plan forgets.
   */
  private async forgetFailedTransfers(settled: readonly Settlement[]): Promise<void> {
    await this.forgetShares(
      settled.flatMap(({ i, outcome }) =>
        i.kind === 'transfer' && outcome.status === 'failed' ? sharesByApplication(i.programmeId, i) : [],
      ),
    );
  }

  /**
   * Takes shares out of applications' `sharesHeld` (`forgetSharesUpdate`): those of a failed
   * transfer, and those a Plan finds no transfer holds (a settlement that stopped in between).
   */
  async forgetShares(
    marks: readonly { applicationId: string; shareKeys: readonly string[] }[],
    signal?: AbortSignal,
  ): Promise<void> {
    await pool(
      marks,
      WRITE_CONCURRENCY,
      async (m) => {
        await writeIf(() =>
          this.db.send(new UpdateCommand(forgetSharesUpdate(this.tableName, m.applicationId, m.shareKeys))),
        );
      },
      signal,
    );
  }

  /**
   * Writes `list` in chunks of transactions (items per element by `size`, `limit` per transaction),
   * a few at once; a chunk that fails a condition is written element by element with `one`.
   * Answers the elements written, in the order given.
   */
  private async inTransactions<T>(
    list: readonly T[],
    size: (item: T) => number,
    itemsOf: (chunk: readonly T[]) => Parameters<typeof transactIf>[1],
    one: (item: T) => Promise<boolean>,
    limit = TRANSACTION_ITEMS,
  ): Promise<T[]> {
    const done = new Set<T>();
    await pool(chunks(list, size, limit), WRITE_CONCURRENCY, async (chunk) => {
      if (await transactIf(this.db, itemsOf(chunk), this.observer)) {
        for (const item of chunk) done.add(item);
        return;
      }
      await pool(chunk, WRITE_CONCURRENCY, async (item) => {
        if (await one(item)) done.add(item);
      });
    });
    return list.filter((item) => done.has(item));
  }
}
