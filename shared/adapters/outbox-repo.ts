import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AccountContact, NotificationRecord } from '../model/notification.ts';
import { channelObserver, type Observer } from '../observer.ts';
import { cancellationReasons } from './errors.ts';
import { updateExpression } from './expressions.ts';
import {
  accountContactKey,
  DUE_INDEX_ATTRIBUTES,
  dailyCountKey,
  dueNotificationsIndex,
  orgContactsIndex,
  PROGRAMME_NOTIFICATIONS_CURSOR_KEYS,
  programmeNotificationsIndex,
  smsDailyCountKey,
} from './keys.ts';
import { notificationKeyOf, OUTBOX_ITEM_TYPE, outboxPut } from './notification-items.ts';
import { queryPage } from './page.ts';
import { queryAll } from './query.ts';
import { backoffMs, isTransactionConflict, withRetry } from './retry.ts';
import { transactIf, writeIf } from './writes.ts';

type OutboxKey = { pk: string; sk: string };

/** What taking a notification for delivery found. */
export type ClaimOutcome = 'claimed' | 'not_queued' | 'capped';

const KEYS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi3pk', 'gsi3sk', 'type'];

/** An outbox item back as its record. */
export function notificationOf(item: Record<string, unknown>): NotificationRecord {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!KEYS.includes(k) && v !== null) rest[k] = v;
  return rest as unknown as NotificationRecord;
}

/** Days a phone's daily count is kept (TTL) after its day. */
const DAILY_COUNT_TTL_S = 3 * 24 * 3600;

/**
 * The SMS outbox (architecture.md §9): the notifications events queued, and their delivery
 * `queued → sending → sent | failed`, each step a conditional write, so that a retried delivery
 * never sends twice. Also the reviewers' contacts and the per-phone daily counts.
 */
export class OutboxRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly observer: Observer = channelObserver,
  ) {}

  /** The notification under an outbox key, read strongly. */
  async get(key: OutboxKey): Promise<NotificationRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item && out.Item.type === OUTBOX_ITEM_TYPE ? notificationOf(out.Item) : undefined;
  }

  /**
   * `queued → sending`, counted against the phone's day: one transaction takes the notification
   * (only while queued and due) and adds one to the phone's count (only below `cap`). `not_queued`
   * when another delivery took or settled it; `capped` when the phone had its day's share.
   */
  async claim(
    key: OutboxKey,
    at: string,
    phone: { hash: string; masked: string; day: string; cap: number; expiresAt: number },
  ): Promise<ClaimOutcome> {
    try {
      await this.transactRetryingConflicts(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: key,
                UpdateExpression: 'SET #s = :sending, sendingAt = :at, #to = :to ADD attempts :one',
                ConditionExpression: '#s = :queued AND (attribute_not_exists(dueAt) OR dueAt <= :at)',
                ExpressionAttributeNames: { '#s': 'status', '#to': 'to' },
                ExpressionAttributeValues: {
                  ':sending': 'sending',
                  ':queued': 'queued',
                  ':at': at,
                  ':to': phone.masked,
                  ':one': 1,
                },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: smsDailyCountKey(phone.hash, phone.day),
                UpdateExpression: 'SET #type = :type, expiresAt = :ttl ADD sent :one',
                ConditionExpression: 'attribute_not_exists(sent) OR sent < :cap',
                ExpressionAttributeNames: { '#type': 'type' },
                ExpressionAttributeValues: {
                  ':type': 'sms_daily_count',
                  ':ttl': phone.expiresAt + DAILY_COUNT_TTL_S,
                  ':one': 1,
                  ':cap': phone.cap,
                },
              },
            },
          ],
        }),
      );
      return 'claimed';
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) throw err;
      if (reasons[0] === 'ConditionalCheckFailed') return 'not_queued';
      if (reasons[1] === 'ConditionalCheckFailed') return 'capped';
      throw err;
    }
  }

  /** Sends a transaction, trying again (with backoff) while DynamoDB cancels it for contention. */
  private transactRetryingConflicts(command: TransactWriteCommand) {
    return withRetry(() => this.db.send(command), {
      maxAttempts: 8,
      retryAfter: (err, n) => {
        if (!isTransactionConflict(err)) return undefined;
        this.observer.count('retry.transactionConflicts');
        return backoffMs(n);
      },
    });
  }

  /** A queued notification waits until `dueAt` (quiet hours, the daily cap): on the due index. */
  defer(key: OutboxKey, notificationId: string, dueAt: string): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          ...updateExpression(
            { set: { dueAt, ...dueNotificationsIndex(dueAt, notificationId) } },
            { condition: '#s = :queued', names: { '#s': 'status' }, values: { ':queued': 'queued' } },
          ),
        }),
      ),
    );
  }

  /** `sending → sent`, with what the provider said; it leaves the due index. */
  markSent(key: OutboxKey, at: string, sent: { providerMessageId?: string; params: Record<string, string> }) {
    return this.settle(key, {
      status: 'sent',
      sentAt: at,
      params: sent.params,
      ...(sent.providerMessageId ? { providerMessageId: sent.providerMessageId } : {}),
    });
  }

  /** `sending → failed` with the provider's code: refused for good (an invalid number, a refused template). */
  markFailed(
    key: OutboxKey,
    at: string,
    failure: { code: string; message: string; params?: Record<string, string> },
  ) {
    return this.settle(key, { status: 'failed', failedAt: at, ...failure });
  }

  /** `queued → failed` without a send: nobody to send it to (no phone on record). */
  failQueued(key: OutboxKey, at: string, failure: { code: string; message: string }): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          ...updateExpression(
            {
              set: { status: 'failed', failedAt: at, ...failure },
              remove: [...DUE_INDEX_ATTRIBUTES, 'dueAt'],
            },
            { condition: '#s = :queued', names: { '#s': 'status' }, values: { ':queued': 'queued' } },
          ),
        }),
      ),
    );
  }

  private settle(key: OutboxKey, set: Record<string, unknown>): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          ...updateExpression(
            { set, remove: [...DUE_INDEX_ATTRIBUTES, 'dueAt'] },
            { condition: '#s = :sending', names: { '#s': 'status' }, values: { ':sending': 'sending' } },
          ),
        }),
      ),
    );
  }

  /**
   * `sending → queued` after a transient failure (the provider unreachable or busy): the phone's
   * count given back in the same transaction, the error kept for the admin list. The caller fails
   * the stream record, so it is retried.
   */
  release(key: OutboxKey, phone: { hash: string; day: string }, error: { code: string; message: string }) {
    return transactIf(
      this.db,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #s = :queued, code = :code, message = :message',
            ConditionExpression: '#s = :sending',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':queued': 'queued',
              ':sending': 'sending',
              ':code': error.code,
              ':message': error.message,
            },
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: smsDailyCountKey(phone.hash, phone.day),
            UpdateExpression: 'ADD sent :minus',
            ExpressionAttributeValues: { ':minus': -1 },
          },
        },
      ],
      this.observer,
    );
  }

  /** Deferred notifications due by `now`, earliest first (the scheduled re-drive). */
  async due(now: string, limit = 100): Promise<{ key: OutboxKey; record: NotificationRecord }[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
        ExpressionAttributeValues: { ':pk': dueNotificationsIndex().gsi1pk, ':now': `${now}~` },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      key: { pk: i.pk as string, sk: i.sk as string },
      record: notificationOf(i),
    }));
  }

  /** A page of a programme's notifications, newest first. */
  async page(programmeId: string, limit: number, after?: unknown) {
    const page = await queryPage(this.db, this.tableName, {
      indexName: 'gsi3',
      partition: { gsi3pk: programmeNotificationsIndex(programmeId).gsi3pk },
      keys: PROGRAMME_NOTIFICATIONS_CURSOR_KEYS,
      limit,
      after,
      forward: false,
    });
    return { items: page.items.map(notificationOf), next: page.next };
  }

  /** Queues notifications that stand alone (a daily count's), once each, with the record of what they report. */
  putWithRecord(
    record: { programmeId: string; day: string; orgId: string; at: string; count: number },
    notices: readonly NotificationRecord[],
  ) {
    return transactIf(
      this.db,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...dailyCountKey(record.programmeId, record.day, record.orgId),
              type: 'daily_count',
              ...record,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...notices.slice(0, 99).map((n) => outboxPut(this.tableName, n)),
      ],
      this.observer,
    );
  }

  /** A reviewer's phone for SMS (until issue 12's account store holds it). */
  async putContact(contact: AccountContact): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...accountContactKey(contact.sub),
          ...orgContactsIndex(contact.orgId, contact.sub),
          type: 'account_contact',
          ...contact,
        },
      }),
    );
  }

  async contact(sub: string): Promise<AccountContact | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: accountContactKey(sub), ConsistentRead: true }),
    );
    return out.Item ? (notificationOf(out.Item) as unknown as AccountContact) : undefined;
  }

  /** The reviewers of an org with a phone for SMS. */
  async contactsOf(orgId: string): Promise<AccountContact[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': orgContactsIndex(orgId).gsi1pk },
    });
    return items.map((i) => notificationOf(i) as unknown as AccountContact);
  }

  static keyOf(n: Pick<NotificationRecord, 'recipient' | 'notificationId'>): OutboxKey {
    return notificationKeyOf(n);
  }
}
