import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { UnitCounters } from '../domain/places.ts';
import { allocationKey, sequenceSortKey, waitlistPartition } from './keys.ts';
import { UnitNotAllocated } from './persistence-errors.ts';
import type { WaitingApplicant } from './place-items.ts';
import { countAll } from './query.ts';

/**
 * Reads of a unit's places and waitlist (design §3): its counters, its earliest waiting applicants
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

  private async readCounters(programmeId: string, unitOrgId: string, consistent: boolean) {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: allocationKey(programmeId, unitOrgId),
        ...(consistent ? { ConsistentRead: true } : {}),
      }),
    );
    if (!out.Item) throw new UnitNotAllocated(programmeId, unitOrgId);
    return out.Item as UnitCounters;
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
    }));
  }

  /**
   * The waitlist position of an application that has just joined the unit's waitlist, in two small
   * reads whatever the waitlist's length: the unit's `waitlisted` counter (which counts the waitlist,
   * design §3), then how many of those waiting hold a later receipt — the few submissions that
   * committed ahead of it. {@link position} counts everyone ahead instead: a read of the whole
   * waitlist per submission, O(n²) over a rush (docs/benchmarks.md). Read in this order, joins landing
   * meanwhile can only lower the answer: like `position`'s, it may be lower than the position the
   * worker ends up with, never higher (a withdrawal or promotion between the two reads aside).
   */
  async positionOnJoin(programmeId: string, unitOrgId: string, sequence: number): Promise<number> {
    const { waitlisted } = await this.consistentCounters(programmeId, unitOrgId);
    const later = await this.countWaiting(programmeId, unitOrgId, '>', sequence);
    return Math.max(1, waitlisted - later);
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
