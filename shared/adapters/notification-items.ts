import type { NotificationEventName, NotificationRecord } from '../model/notification.ts';
import { accountNotificationKey, applicationNotificationKey, programmeNotificationsIndex } from './keys.ts';
import type { TransactItem } from './retry.ts';

/**
 * The SMS outbox's items as plain data (architecture.md §9). Each is appended to the transaction of the event
 * it tells of — a submission, a promotion, a decision, a lapse, a settled payment — so a notification
 * exists exactly when its event committed. Pure functions, testable without DynamoDB.
 */

/** The item type the stream's delivery picks out. */
export const OUTBOX_ITEM_TYPE = 'sms';

/** A new notification to an application's applicant, queued. */
export function applicantNotice(
  app: { id: string; programmeId: string },
  event: NotificationEventName,
  at: string,
  facts: Record<string, string>,
  /** Tells two notifications of one event kind apart (a payment's key); the instant by default. */
  discriminator: string = at,
): NotificationRecord {
  return {
    notificationId: `${app.id}.${event}.${discriminator}`,
    event,
    programmeId: app.programmeId,
    recipient: { kind: 'applicant', applicationId: app.id },
    facts,
    status: 'queued',
    createdAt: at,
  };
}

/** A new notification to a reviewer account, queued; the id names what it reports, so it is written once. */
export function reviewerNotice(
  programmeId: string,
  contact: { sub: string; orgId: string },
  event: 'review_daily' | 'review_reminder',
  at: string,
  occasion: string,
  facts: Record<string, string>,
): NotificationRecord {
  return {
    notificationId: `${programmeId}.${event}.${occasion}.${contact.orgId}.${contact.sub}`,
    event,
    programmeId,
    recipient: { kind: 'account', sub: contact.sub, orgId: contact.orgId },
    facts,
    status: 'queued',
    createdAt: at,
  };
}

/** Where a notification is kept: its application's partition, or its reviewer account's. */
export function notificationKeyOf(n: Pick<NotificationRecord, 'recipient' | 'notificationId'>) {
  return n.recipient.kind === 'applicant'
    ? applicationNotificationKey(n.recipient.applicationId, n.notificationId)
    : accountNotificationKey(n.recipient.sub, n.notificationId);
}

/** The outbox item of a notification: its key, the programme's list entry, its record. */
export function outboxItem(n: NotificationRecord): Record<string, unknown> {
  return {
    ...notificationKeyOf(n),
    ...programmeNotificationsIndex(n.programmeId, n.createdAt, n.notificationId),
    type: OUTBOX_ITEM_TYPE,
    ...n,
  };
}

/** The put that queues a notification, once (a second put of the same id fails its transaction). */
export function outboxPut(tableName: string, n: NotificationRecord): TransactItem {
  return {
    Put: { TableName: tableName, Item: outboxItem(n), ConditionExpression: 'attribute_not_exists(pk)' },
  };
}
