import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CalendarTransition } from '../domain/calendar.ts';
import type { BatchReport, CalendarRecord, ReviewReminder } from '../model/calendar.ts';
import type { NotificationRecord } from '../model/notification.ts';
import { TRANSACTION_ITEMS } from './batch.ts';
import {
  batchReportKey,
  CALENDAR_PREFIX,
  calendarTransitionKey,
  notificationKey,
  payoutDueKey,
  pendingNotificationsIndex,
  programmePartition,
} from './keys.ts';
import { outboxPut } from './notification-items.ts';
import { type QueryInput, queryAll } from './query.ts';
import { transactIf, writeIf } from './writes.ts';

/**
 * What the programme calendar writes: a record per transition carried out, batch reports,
 * reviewer reminders and due payouts. Every write is a put conditional on absence under a key
 * derived from the transition, so writing twice leaves one item: the first one.
 */
export class CalendarRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Ids of the transitions already carried out, read strongly consistently. */
  async doneTransitionIds(programmeId: string): Promise<Set<string>> {
    return new Set((await this.records(programmeId)).map((r) => r.transitionId));
  }

  /** The programme's calendar history, in transition-id order. */
  async records(programmeId: string): Promise<CalendarRecord[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': programmePartition(programmeId), ':prefix': CALENDAR_PREFIX },
      ConsistentRead: true,
    });
    return items.map((i) => ({
      programmeId: i.programmeId as string,
      transitionId: i.transitionId as string,
      kind: i.kind as CalendarTransition['kind'],
      ...(i.batchId ? { batchId: i.batchId as string } : {}),
      at: i.at as string,
      appliedAt: i.appliedAt as string,
    }));
  }

  /** Records a transition as carried out; false if it already was (the first record stays). */
  markDone(programmeId: string, transition: CalendarTransition, appliedAt: string): Promise<boolean> {
    return this.putOnce({
      ...calendarTransitionKey(programmeId, transition.id),
      type: 'calendar_transition',
      programmeId,
      transitionId: transition.id,
      kind: transition.kind,
      ...(transition.batchId ? { batchId: transition.batchId } : {}),
      at: transition.at,
      appliedAt,
    });
  }

  putBatchReport(report: BatchReport): Promise<boolean> {
    return this.putOnce({
      ...batchReportKey(report.programmeId, report.batchId),
      type: 'batch_report',
      ...report,
    });
  }

  async batchReport(programmeId: string, batchId: string): Promise<BatchReport | undefined> {
    const [item] = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk = :sk',
      ExpressionAttributeValues: batchReportValues(programmeId, batchId),
      ConsistentRead: true,
    });
    return item ? (strip(item) as unknown as BatchReport) : undefined;
  }

  /**
   * A reminder to an org that applications await its decision, ready for the SMS sender
   * (`channel: 'sms'`, `status: 'pending'`, listed on the pending-notifications index).
   */
  putReviewReminder(reminder: ReviewReminder, notices: readonly NotificationRecord[] = []): Promise<boolean> {
    const key = `${reminder.programmeId}#${reminder.transitionId}`;
    const item = {
      ...notificationKey(reminder.orgId, reminder.programmeId, reminder.transitionId),
      ...pendingNotificationsIndex(reminder.createdAt, reminder.orgId, key),
      type: 'notification',
      kind: 'review_reminder',
      channel: 'sms',
      status: 'pending',
      ...reminder,
    };
    if (notices.length === 0) return this.putOnce(item);
    // The SMS to each reviewer of the org (issue 17) is queued with the reminder, once: a second
    // run's put of the reminder fails and so do its notifications. One transaction: 99 reviewers an org.
    return transactIf(this.db, [
      { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      ...notices.slice(0, TRANSACTION_ITEMS - 1).map((n) => outboxPut(this.tableName, n)),
    ]);
  }

  /** An org's notifications of one programme. */
  async notifications(orgId: string, programmeId: string): Promise<Record<string, unknown>[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': notificationKey(orgId, '', '').pk, ':prefix': `${programmeId}#` },
      ConsistentRead: true,
    });
    return items.map(strip);
  }

  /** A closed batch's payout run is due; the payout run takes it from here. */
  putPayoutDue(programmeId: string, batchId: string, dueAt: string, createdAt: string): Promise<boolean> {
    return this.putOnce({
      ...payoutDueKey(programmeId, batchId),
      type: 'payout_due',
      programmeId,
      batchId,
      dueAt,
      status: 'pending',
      createdAt,
    });
  }

  private putOnce(item: Record<string, unknown>): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  private queryAll(input: QueryInput): Promise<Record<string, unknown>[]> {
    return queryAll(this.db, this.tableName, input);
  }
}

function batchReportValues(programmeId: string, batchId: string) {
  const key = batchReportKey(programmeId, batchId);
  return { ':pk': key.pk, ':sk': key.sk };
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, type: _t, ...rest } = item;
  return rest;
}
