import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PayoutHoldRecord, PlannedInstruction } from '../model/payout.ts';
import { channelObserver, type Observer } from '../observer.ts';
import { chunks, pool } from './batch.ts';
import { PAYOUT_HOLD_PREFIX, payoutHoldKey, payoutKeyPartition } from './keys.ts';
import { holdItems } from './payout-items.ts';
import { queryAll } from './query.ts';
import { transactIf } from './writes.ts';

const WRITE_CONCURRENCY = 8;

/**
 * What runs hold of a programme's money (architecture.md §4): one hold per worker payment and per union
 * transfer a run plans, sends, awaits the bank for or has paid, keyed by what it pays for — never
 * by the run — so no two runs ever plan the same money.
 */
export class PayoutHoldRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly observer: Observer = channelObserver,
  ) {}

  /** Every hold of a programme's runs (strongly consistent): what planning must leave out or adopt. */
  async ofProgramme(programmeId: string): Promise<PayoutHoldRecord[]> {
    const items = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': payoutKeyPartition(programmeId), ':prefix': PAYOUT_HOLD_PREFIX },
      ConsistentRead: true,
    });
    return items.map(({ pk: _pk, sk: _sk, type: _t, ...hold }) => hold as unknown as PayoutHoldRecord);
  }

  /**
   * Takes holds for a run's new instructions. A worker payment is held together with a guarded change
   * of its application (still `approved` and holding its place; `paymentsHeld` counts the payments in
   * flight or paid, which withdrawal checks), so a withdrawal racing the plan either comes first and
   * the payment is dropped, or comes second and is refused. Every hold is a conditional put: a key
   * another run holds is never taken. Answers the instructions held; payments of applications that
   * are no longer payable are left out. Once `signal` aborts, no further hold is taken (see `pool`).
   */
  async holdNew(
    runId: string,
    programmeId: string,
    list: readonly PlannedInstruction[],
    at: string,
    signal?: AbortSignal,
  ): Promise<PlannedInstruction[]> {
    const groups = new Map<string, PlannedInstruction[]>();
    for (const i of list) {
      const group = i.kind === 'payment' && i.applicationId ? `app:${i.applicationId}` : `key:${i.key}`;
      groups.set(group, [...(groups.get(group) ?? []), i]);
    }
    const taken = new Set<PlannedInstruction>();
    const hold = (chunk: readonly PlannedInstruction[][]) =>
      transactIf(
        this.db,
        chunk.flatMap((group) => holdItems(this.tableName, runId, programmeId, group, at)),
        this.observer,
      );
    await pool(
      chunks([...groups.values()], (g) => g.length + 1),
      WRITE_CONCURRENCY,
      async (chunk) => {
        if (await hold(chunk)) {
          for (const i of chunk.flat()) taken.add(i);
          return;
        }
        // One group failed its condition (an application withdrawn meanwhile): the others go alone.
        await pool(
          chunk,
          WRITE_CONCURRENCY,
          async (group) => {
            if (await hold([group])) for (const i of group) taken.add(i);
          },
          signal,
        );
      },
      signal,
    );
    return list.filter((i) => taken.has(i));
  }

  /**
   * Moves the holds of instructions a run that ended left unsettled (outcome unknown: the rail may
   * have paid) to `runId`, which sends them again with the same keys; the rail pays each key once.
   */
  async adopt(runId: string, holds: readonly PayoutHoldRecord[], signal?: AbortSignal): Promise<void> {
    await pool(
      holds,
      WRITE_CONCURRENCY,
      async (h) => {
        if (h.runId === runId) return;
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: payoutHoldKey(h.programmeId, h.key),
            UpdateExpression: 'SET runId = :run, adoptedFrom = :from',
            ConditionExpression: '#s = :held AND runId = :from',
            ExpressionAttributeNames: { '#s': 'state' },
            ExpressionAttributeValues: { ':run': runId, ':from': h.runId, ':held': 'held' },
          }),
        );
      },
      signal,
    );
  }
}
