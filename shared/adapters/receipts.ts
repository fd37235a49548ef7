import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_SHARDS } from '../domain/places.ts';
import { isConditionFailed } from './errors.ts';
import { receiptCounterKey } from './keys.ts';
import { writeIf } from './writes.ts';

/**
 * Receipt numbers (R8 先到先得, architecture.md §3), drawn per allocation unit — first come, first
 * served is decided per unit, so no programme-wide item funnels every submit.
 *
 * - An unsharded unit numbers 1, 2, 3… from one counter (`RECEIPTS#{programme}#{unit}`).
 * - A unit of N shards draws from N counters (`…#{k}`), a submit from the counter of the shard it
 *   claims in (its home shard's while that has a free place; a join from its home shard's):
 *   receipt = n × {@link MAX_SHARDS} + k. The numbers of different counters interleave, so they
 *   still order every submission of the unit (the counters advance together: submits spread over
 *   them evenly by a hash of the application id), and no two counters can give the same number.
 * - A full unit's waitlist joins are numbered by the sequencer on the unit's allocation item
 *   (`joinDrawUpdate`), not here: sharded, ≡ MAX_SHARDS − 1 (mod MAX_SHARDS), a number only a counter
 *   k = MAX_SHARDS − 1 could give, which exists only in a unit of MAX_SHARDS shards (whose joins the
 *   sequencer leaves to the transaction path). A submit draws above the highest it gave (`floor`).
 * - Growing 1 → N closes the single counter and opens the N counters above every number it gave;
 *   growing N → N' opens counters at the furthest existing one. A draw from a closed counter, or from
 *   one not yet opened, answers undefined: the caller reads the unit's shard count again.
 */
export class Receipts {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * The next receipt of a unit of `shards` shards from counter `counter`, above `floor` (a receipt
   * already recorded in the unit), or undefined when that counter is closed or not yet opened.
   */
  async next(
    programmeId: string,
    unitOrgId: string,
    shards: number,
    counter: number,
    floor = 0,
  ): Promise<number | undefined> {
    const sharded = shards > 1;
    const Key = receiptCounterKey(programmeId, unitOrgId, sharded ? counter : undefined);
    const open = sharded ? 'attribute_exists(#next)' : 'attribute_not_exists(closed)';
    const number = (n: number) => (sharded ? n * MAX_SHARDS + counter : n);
    const draw = async () => {
      try {
        const out = await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'ADD #next :one',
            ConditionExpression: open,
            ExpressionAttributeNames: { '#next': 'next' },
            ExpressionAttributeValues: { ':one': 1 },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return number(out.Attributes?.next as number);
      } catch (err) {
        if (isConditionFailed(err)) return undefined;
        throw err;
      }
    };
    const drawn = await draw();
    if (drawn === undefined || drawn > floor) return drawn;
    // Behind a receipt the unit already recorded: move the counter past it, then draw again.
    const least = sharded ? Math.floor(floor / MAX_SHARDS) : floor;
    await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET #next = :least',
          ConditionExpression: `${open} AND (attribute_not_exists(#next) OR #next < :least)`,
          ExpressionAttributeNames: { '#next': 'next' },
          ExpressionAttributeValues: { ':least': least },
        }),
      ),
    );
    return draw();
  }

  /**
   * Opens the counters of a unit growing from `from` to `to` shards (idempotent: a rerun finishes it),
   * above `floor`: the highest receipt the unit's allocation item gave a join (the sequencer's numbers
   * come from that item, not from a counter).
   */
  async grow(programmeId: string, unitOrgId: string, from: number, to: number, floor = 0): Promise<void> {
    let start: number;
    if (from === 1) {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: receiptCounterKey(programmeId, unitOrgId),
          UpdateExpression: 'SET closed = :yes',
          ExpressionAttributeValues: { ':yes': true },
          ReturnValues: 'ALL_NEW',
        }),
      );
      start = Math.floor(Math.max((out.Attributes?.next as number | undefined) ?? 0, floor) / MAX_SHARDS);
    } else {
      const counters = await Promise.all(
        Array.from({ length: from }, (_, k) =>
          this.db.send(
            new GetCommand({
              TableName: this.tableName,
              Key: receiptCounterKey(programmeId, unitOrgId, k),
              ConsistentRead: true,
            }),
          ),
        ),
      );
      start = Math.max(
        Math.floor(floor / MAX_SHARDS),
        ...counters.map((c) => (c.Item?.next as number | undefined) ?? 0),
      );
    }
    for (let k = from === 1 ? 0 : from; k < to; k++) {
      await writeIf(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...receiptCounterKey(programmeId, unitOrgId, k), type: 'receipt_counter', next: start },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    }
  }
}
