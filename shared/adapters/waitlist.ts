import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type ShardCounters, type UnitCounters, unitTotals } from '../domain/places.ts';
import {
  ALLOCATION_PREFIX,
  allocationKey,
  programmePartition,
  sequenceSortKey,
  waitlistPartition,
} from './keys.ts';
import { UnitNotAllocated } from './persistence-errors.ts';
import type { WaitingApplicant } from './place-items.ts';
import { countAll, queryAll } from './query.ts';

/**
 * An allocation item as stored: its shard's counters (the unit's, unsharded), the latest receipts
 * recorded, the waitlist's leavers, and — on the unit's own item — how many shards the unit has.
 */
export interface AllocationItem extends UnitCounters {
  lastClaimSequence?: number;
  lastJoinSequence?: number;
  departures?: number;
  shards?: number;
  /** How many join slots the sequencer drew (architecture.md §3). */
  joinDraws?: number;
  /** A sharded unit's sequencer numbering: its last receipt, ≡ MAX_SHARDS − 1 (mod MAX_SHARDS). */
  lastSequencedJoin?: number;
}

/** A unit's place ledger as read: its own item, every shard (shard 0 first), the waitlist's length. */
export interface UnitLedger {
  head: AllocationItem;
  shards: ShardCounters[];
  waitlisted: number;
}

/** A stored allocation or shard item as the shard it is. */
export function shardOf(item: Record<string, unknown>, shard: number): ShardCounters {
  return {
    shard,
    places: item.places as number,
    claimed: item.claimed as number,
    ...(typeof item.lastClaimSequence === 'number' ? { lastClaimSequence: item.lastClaimSequence } : {}),
  };
}

/**
 * Reads of a unit's places and waitlist (architecture.md §3): its counters, its earliest waiting applicants
 * and waitlist positions. The waitlist lives in the base table so that these reads can be strongly
 * consistent when a place is about to be handed on.
 */
export class Waitlist {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Live counters of one allocation unit (eventually consistent: a hint, the transaction decides). */
  counters(programmeId: string, unitOrgId: string): Promise<UnitCounters> {
    return this.readCounters(programmeId, unitOrgId, false);
  }

  /** The counters as they are now, read strongly consistently (before a write that depends on them). */
  consistentCounters(programmeId: string, unitOrgId: string): Promise<UnitCounters> {
    return this.readCounters(programmeId, unitOrgId, true);
  }

  private async readCounters(
    programmeId: string,
    unitOrgId: string,
    consistent: boolean,
  ): Promise<UnitCounters> {
    const unit = await this.unit(programmeId, unitOrgId, consistent);
    return unitTotals(unit.shards, unit.waitlisted);
  }

  /**
   * A unit's ledger: its allocation item and, when it is sharded, its other shards (one more query
   * of the programme's partition). Strongly consistent when `consistent`.
   */
  async unit(programmeId: string, unitOrgId: string, consistent: boolean): Promise<UnitLedger> {
    const head = await this.allocationItem(programmeId, unitOrgId, consistent);
    const shards = [shardOf(head as unknown as Record<string, unknown>, 0)];
    if ((head.shards ?? 1) > 1) {
      const out = await shardItems(this.db, this.tableName, programmePartition(programmeId), {
        prefix: `${ALLOCATION_PREFIX}${unitOrgId}#`,
        consistent,
      });
      for (const item of out) shards.push(shardOf(item, item.shard as number));
      shards.sort((a, b) => a.shard - b.shard);
    }
    return { head, shards, waitlisted: head.waitlisted };
  }

  /** The unit's allocation item: its counters and the order marks of architecture.md §3. */
  private async allocationItem(
    programmeId: string,
    unitOrgId: string,
    consistent: boolean,
  ): Promise<AllocationItem> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: allocationKey(programmeId, unitOrgId),
        ...(consistent ? { ConsistentRead: true } : {}),
      }),
    );
    if (!out.Item) throw new UnitNotAllocated(programmeId, unitOrgId);
    return out.Item as AllocationItem;
  }

  /** The earliest waiting applicants of a unit, read strongly consistently. */
  async earliest(programmeId: string, unitOrgId: string, limit = 1): Promise<WaitingApplicant[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': waitlistPartition(programmeId, unitOrgId) },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      applicationId: i.applicationId as string,
      sequence: i.sequence as number,
      ...(typeof i.draw === 'number' ? { draw: i.draw } : {}),
    }));
  }

  /**
   * The exact waitlist position of an application that has just joined a sharded unit's waitlist by
   * transaction, in one to three small reads whatever the waitlist's length (architecture.md §3; a
   * full, unsharded unit's join has its position from the sequencer's draw). Such joins commit in receipt order
   * (`lastJoinSequence`), so when the allocation item is read, every join up to its `lastJoinSequence`
   * L has committed and no earlier one can follow: those waiting ahead of `sequence` are the
   * `waitlisted` counted then, less those waiting in (sequence, L] — a bounded count of the few that
   * joined since. `departures` (promotions and releases from the waitlist, a counter that only grows)
   * read again after the count shows that nobody left meanwhile, or the reads are taken again; after
   * a few busy attempts it counts everyone ahead ({@link position}). When the join is still the
   * unit's last (L = `sequence`), everyone waiting is ahead of it or it: `waitlisted` is its position,
   * from that one read. Equal to what {@link position} answers at the instant of the first read: no
   * two joins are told the same position.
   */
  async positionOnJoin(programmeId: string, unitOrgId: string, sequence: number): Promise<number> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await this.allocationItem(programmeId, unitOrgId, true);
      const last = typeof before.lastJoinSequence === 'number' ? before.lastJoinSequence : sequence;
      if (last < sequence) break; // not (yet) recorded as a join: count instead
      if (last === sequence) return Math.max(1, before.waitlisted);
      const later = await countAll(this.db, this.tableName, {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :after AND :last',
        ExpressionAttributeValues: {
          ':pk': waitlistPartition(programmeId, unitOrgId),
          ':after': sequenceSortKey(sequence + 1),
          ':last': sequenceSortKey(last),
        },
        ConsistentRead: true,
      });
      const after = await this.allocationItem(programmeId, unitOrgId, true);
      if ((after.departures ?? 0) === (before.departures ?? 0)) return Math.max(1, before.waitlisted - later);
    }
    return this.position(programmeId, unitOrgId, sequence);
  }

  /** 1-based position on the unit's waitlist: how many wait with an earlier receipt, plus one. */
  async position(programmeId: string, unitOrgId: string, sequence: number): Promise<number> {
    return (await this.countWaiting(programmeId, unitOrgId, '<', sequence)) + 1;
  }

  /** How many wait in the unit with a receipt before (`<`) or after (`>`) `sequence`, read strongly consistently. */
  private countWaiting(programmeId: string, unitOrgId: string, side: '<' | '>', sequence: number) {
    return countAll(this.db, this.tableName, {
      KeyConditionExpression: `pk = :pk AND sk ${side} :mine`,
      ExpressionAttributeValues: {
        ':pk': waitlistPartition(programmeId, unitOrgId),
        ':mine': sequenceSortKey(sequence),
      },
      ConsistentRead: true,
    });
  }
}

/** Every item of a partition whose sort key starts with `prefix`. */
async function shardItems(
  db: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  options: { prefix: string; consistent: boolean },
): Promise<Record<string, unknown>[]> {
  return queryAll(db, tableName, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': options.prefix },
    ...(options.consistent ? { ConsistentRead: true } : {}),
  });
}
