import { MAX_LIVE_DRAFTS_PER_ACCOUNT } from '../domain/account.ts';
import type {
  ApplicationPaymentRecord,
  ApplicationRecord,
  AttachmentRecord,
  TimelineRecord,
} from '../model/application.ts';
import type { NotificationRecord } from '../model/notification.ts';
import { applicationFormDeleteItem } from './application-forms-repo.ts';
import {
  ATTACHMENT_PREFIX,
  accountDraftsKey,
  accountProgrammeKey,
  applicationKey,
  attachmentKey,
  EVENT_PREFIX,
  eventKey,
  OUTBOX_PREFIX,
  PAYMENT_PREFIX,
  REVIEW_QUEUE_ATTRIBUTES,
  reviewQueueIndex,
  STATUS_INDEX_ATTRIBUTES,
  statusIndex,
  workerApplicationsIndex,
} from './keys.ts';
import type { TransactItem } from './retry.ts';

/**
 * How an application and its partition's items are stored: one mapper per item that derives the
 * keys and the index attributes from the record's state, the way ElectroDB derives keys from
 * attributes. No repository or service spreads an index key by hand: a state change states the new
 * state and {@link applicationIndexes} says which index entries follow from it.
 *
 * Pure functions over plain data: testable without DynamoDB.
 */

/** What of an application decides its index entries. */
export type IndexedState = Pick<
  ApplicationRecord,
  'programmeId' | 'unitOrgId' | 'status' | 'sequence' | 'currentOrgId'
>;

/**
 * The index entries an application's state implies, and those it must not have:
 * - the programme's status index (gsi3) once submitted (it has a receipt), under its status;
 * - the review queue (gsi2) of the org at its current step while it is `in_review`: a returned,
 *   decided or released application awaits nobody.
 * The worker's list (gsi1) depends only on what never changes; {@link applicationItem} writes it.
 *
 * @example applicationIndexes({ programmeId: 'p', unitOrgId: 'u', status: 'returned', sequence: 7, currentOrgId: 'e1' })
 * // { set: { gsi3pk: 'APPS#p#returned', gsi3sk: '000000000007#u' }, remove: ['gsi2pk', 'gsi2sk'] }
 */
export function applicationIndexes(state: IndexedState): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const { programmeId, unitOrgId, status, sequence, currentOrgId } = state;
  if (sequence === undefined) remove.push(...STATUS_INDEX_ATTRIBUTES);
  else Object.assign(set, statusIndex(programmeId, status, sequence, unitOrgId));
  if (sequence !== undefined && status === 'in_review' && currentOrgId) {
    Object.assign(set, reviewQueueIndex(programmeId, currentOrgId, sequence, unitOrgId));
  } else remove.push(...REVIEW_QUEUE_ATTRIBUTES);
  return { set, remove };
}

/** The application's item: its record, its keys and every index entry its state implies. */
export function applicationItem(app: ApplicationRecord): Record<string, unknown> {
  return {
    ...applicationKey(app.id),
    ...workerApplicationsIndex(app.ownerSub, app.createdAt, app.id),
    ...applicationIndexes(app).set,
    type: 'application',
    ...app,
  };
}

/** Index of each item in {@link draftCreationItems}' transaction, to read its cancellation reasons. */
export const DRAFT_CREATION_ITEM = {
  application: 0,
  event: 1,
  accountProgramme: 2,
  accountDrafts: 3,
  applicationForm: 4,
} as const;

/**
 * A new draft's transaction: the application (counted in its account's live drafts), its first
 * timeline event, the account-and-programme item only one live application may hold, and the
 * account's live-draft count, guarded below its cap (issue 10 point 8), and the delete of the form the
 * worker saved step by step before the draft could exist.
 */
export function draftCreationItems(tableName: string, app: ApplicationRecord): TransactItem[] {
  return [
    {
      Put: {
        TableName: tableName,
        Item: applicationItem({ ...app, draftCounted: true }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: eventItem(app.id, { type: 'created', at: app.createdAt }, 'created'),
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: {
          ...accountProgrammeKey(app.ownerSub, app.programmeId),
          type: 'account_programme',
          applicationId: app.id,
          createdAt: app.createdAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: accountDraftsKey(app.ownerSub),
        UpdateExpression: 'SET #type = :type ADD drafts :one',
        ConditionExpression: 'attribute_not_exists(drafts) OR drafts < :cap',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'account_drafts',
          ':one': 1,
          ':cap': MAX_LIVE_DRAFTS_PER_ACCOUNT,
        },
      },
    },
    // The form the worker filled in step by step becomes this draft: it goes in the same transaction.
    applicationFormDeleteItem(tableName, app.ownerSub, app.programmeId),
  ];
}

/** A timeline event's item; the suffix keeps two events of one instant apart. */
export function eventItem(
  applicationId: string,
  event: TimelineRecord,
  suffix?: string,
): Record<string, unknown> {
  return {
    ...eventKey(applicationId, event.at, suffix ?? `${event.type}-${Math.random().toString(36).slice(2, 8)}`),
    type: 'event',
    event,
  };
}

export function attachmentItem(att: AttachmentRecord): Record<string, unknown> {
  return { ...attachmentKey(att.applicationId, att.attachmentId), type: 'attachment', ...att };
}

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'type'];

/** An item back as its record: keys, index attributes and the item type dropped, nulls as absent. */
export function recordOf<T>(item: Record<string, unknown>): T {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.includes(k) && v !== null) rest[k] = v;
  return rest as T;
}

/** The items of an application's partition, sorted into what they are. */
export function bundleOf(items: readonly Record<string, unknown>[]) {
  const head = items.find((i) => i.sk === applicationKey('').sk);
  if (!head) return undefined;
  const bySk = (prefix: string) => items.filter((i) => String(i.sk).startsWith(prefix));
  return {
    application: recordOf<ApplicationRecord>(head),
    attachments: bySk(ATTACHMENT_PREFIX)
      .map((i) => recordOf<AttachmentRecord>(i))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    timeline: bySk(EVENT_PREFIX).map((i) => i.event as TimelineRecord),
    payments: bySk(PAYMENT_PREFIX).map((i) => recordOf<ApplicationPaymentRecord>(i)),
    notifications: bySk(OUTBOX_PREFIX).map((i) => recordOf<NotificationRecord>(i)),
  };
}
