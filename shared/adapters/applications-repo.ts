import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { MAX_LIVE_DRAFTS_PER_ACCOUNT } from '../domain/account.ts';
import type { StoredEnrolment } from '../domain/catalogue.ts';
import type { FundingPart } from '../domain/payout.ts';
import { AppError } from '../errors.ts';
import { cancellationReasons, isConditionFailed } from './errors.ts';
import {
  ATTACHMENT_PREFIX,
  accountDraftsKey,
  accountProgrammeKey,
  applicationKey,
  applicationPartition,
  attachmentKey,
  EVENT_PREFIX,
  eventKey,
  PAYMENT_PREFIX,
  workerApplicationsIndex,
} from './keys.ts';
import type { ApplicationPaymentRecord } from './payouts-repo.ts';
import { queryAll } from './query.ts';
import { retryConflicts } from './retry.ts';

/** Personal numbers as stored: ciphertext, a mask for display, never the plain value. */
export interface ProtectedNumber {
  cipher: string;
  masked: string;
}

export interface StoredApplicant {
  name: string;
  idNumber: ProtectedNumber;
  /** Encrypted like the ID number (issue 10 point 10); a plain string only on drafts stored before. */
  phone: ProtectedNumber | string;
  positionLevel: string;
  migrantWorker: boolean;
}

export type StoredPayoutAccount =
  | { kind: 'bank'; bankName: string; accountName: string; accountNumber: ProtectedNumber }
  | { kind: 'wallet'; walletId: ProtectedNumber };

export interface ApplicationRecord {
  id: string;
  programmeId: string;
  employerOrgId: string;
  unitOrgId: string;
  ownerSub: string;
  channel: string;
  status: string;
  quotaState: string;
  applicant: StoredApplicant;
  /** Keyed hash of the ID number (R8 lookups), never the number itself. */
  idHash: string;
  /** An offering of the catalogue with its snapshot, or a declared institution (issue 16). */
  enrolment: StoredEnrolment;
  chsiReport: { verificationCode: string; validUntil: string };
  jobTitle: string;
  relevance: string;
  payoutAccount: StoredPayoutAccount;
  chain: string[];
  currentOrgId: string | null;
  decisions: { orgId: string; decision: string; decidedAt: string; reason?: string }[];
  sequence?: number;
  submittedAt?: string;
  digest?: string;
  /** Payments a run holds for it, in flight or paid (withdrawal is refused while any is). */
  paymentsHeld?: number;
  /** Set when an admin revoked it after payment. */
  revocation?: { reason: string; revokedAt: string; clawbackFen: number; clawback: FundingPart[] };
  /**
   * Counted in its account's live drafts at creation (issue 10 point 8): submitting or withdrawing
   * it gives the count back. Absent on drafts stored before the count existed.
   */
  draftCounted?: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface AttachmentRecord {
  attachmentId: string;
  applicationId: string;
  kind: string;
  contentType: string;
  declaredBytes: number;
  key: string;
  status: 'pending' | 'verified' | 'rejected';
  sizeBytes?: number;
  reason?: string;
  createdAt: string;
  verifiedAt?: string;
  /** Where the verified bytes are kept; absent on documents verified before pinning existed. */
  pin?: AttachmentPin;
}

/**
 * A verified document pinned to its bytes: a copy under a key no presigned form names (at the version
 * the store gave it), the SHA-256 of what was verified, and which upload was verified, to tell that
 * upload's own late event from a replacement re-POSTed through the same form.
 */
export interface AttachmentPin {
  key: string;
  etag: string;
  versionId?: string;
  sha256: string;
  uploadEtag?: string;
  uploadVersionId?: string;
}

export interface TimelineRecord {
  type: string;
  at: string;
  [key: string]: unknown;
}

export interface ApplicationBundle {
  application: ApplicationRecord;
  attachments: AttachmentRecord[];
  timeline: TimelineRecord[];
  /** Worker payments of payout runs (R14), as `PayoutRepository` keeps them in this partition. */
  payments?: ApplicationPaymentRecord[];
}

/** Applications, their documents and timelines; place changes go through `PlaceLedger`. */
export class ApplicationRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores a new draft and its first timeline event together, in one transaction with the account's
   * limits (issue 10 point 8): the account-and-programme item, which only one live application of an
   * account per programme can hold, and the account's live-draft count, below its cap. Two creates
   * racing for either limit cannot both pass: one transaction's condition fails.
   *
   * @throws AppError `already_applied` when the account holds a live application in the programme,
   *   `invalid_state` when it holds {@link MAX_LIVE_DRAFTS_PER_ACCOUNT} live drafts.
   */
  async create(app: ApplicationRecord): Promise<void> {
    const record: ApplicationRecord = { ...app, draftCounted: true };
    const command = new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...applicationKey(app.id),
              ...workerApplicationsIndex(app.ownerSub, app.createdAt, app.id),
              type: 'application',
              ...record,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...eventKey(app.id, app.createdAt, 'created'),
              type: 'event',
              event: { type: 'created', at: app.createdAt },
            },
          },
        },
        {
          Put: {
            TableName: this.tableName,
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
            TableName: this.tableName,
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
      ],
    });
    try {
      await retryConflicts(() => this.db.send(command));
    } catch (err) {
      const [, , programme, drafts] = cancellationReasons(err) ?? [];
      if (programme === 'ConditionalCheckFailed') {
        // already_applied rather than invalid_state: the refusal is about a second application, as
        // the contract's already_applied is for R8, and the worker's answer is the same — carry on
        // with (or withdraw) the application already there.
        throw new AppError('already_applied', {
          message: '本账号在该项目中已有一份申请（草稿或已提交），请在“我的申请”中继续办理，或撤回后再新建',
          cause: err,
        });
      }
      if (drafts === 'ConditionalCheckFailed') {
        // invalid_state: the account's state (too many open drafts) refuses the action; quota_exceeded
        // is the places' code and would send a worker to the places board.
        throw new AppError('invalid_state', {
          message: `每个账号最多同时保留 ${MAX_LIVE_DRAFTS_PER_ACCOUNT} 份未提交的申请草稿，请先提交或撤回已有草稿`,
          cause: err,
        });
      }
      throw err;
    }
  }

  /** The application with its documents and timeline, in one strongly consistent query. */
  async bundle(applicationId: string): Promise<ApplicationBundle | undefined> {
    const items = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': applicationPartition(applicationId) },
      ConsistentRead: true,
    });
    const head = items.find((i) => i.sk === 'APP');
    if (!head) return undefined;
    return {
      application: stripKeys(head) as unknown as ApplicationRecord,
      attachments: items
        .filter((i) => String(i.sk).startsWith(ATTACHMENT_PREFIX))
        .map((i) => stripKeys(i) as unknown as AttachmentRecord)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
      timeline: items
        .filter((i) => String(i.sk).startsWith(EVENT_PREFIX))
        .map((i) => i.event as TimelineRecord),
      payments: items
        .filter((i) => String(i.sk).startsWith(PAYMENT_PREFIX))
        .map((i) => stripKeys(i) as unknown as ApplicationPaymentRecord),
    };
  }

  /** A worker's applications, newest first, a page at a time. */
  async listByWorker(sub: string, limit: number, cursor?: Record<string, unknown>) {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': workerApplicationsIndex(sub).gsi1pk },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor,
      }),
    );
    return { ids: (out.Items ?? []).map((i) => i.id as string), next: out.LastEvaluatedKey };
  }

  /** Replaces draft fields while the application is a draft and unchanged since it was read. */
  async updateDraft(
    applicationId: string,
    expectedUpdatedAt: string,
    fields: Record<string, unknown>,
    status: 'draft' | 'returned' = 'draft',
  ): Promise<void> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':draft': status, ':expected': expectedUpdatedAt };
    const assignments = Object.entries(fields).map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      return `#f${i} = :f${i}`;
    });
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: applicationKey(applicationId),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: '#status = :draft AND #updatedAt = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) {
        throw new AppError('invalid_state', {
          message: '只能修改尚未提交的申请，或申请已被修改，请刷新后重试',
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * One guarded change of an application with its timeline event, in one transaction: the change
   * applies only if the application is still as `condition` expects. False when it is not.
   */
  async change(
    applicationId: string,
    update: {
      set: Record<string, unknown>;
      remove?: readonly string[];
      condition: string;
      values: Record<string, unknown>;
    },
    event: TimelineRecord,
  ): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ...update.values };
    const assignments = Object.entries(update.set).map(([k, v], i) => {
      names[`#c${i}`] = k;
      values[`:c${i}`] = v;
      return `#c${i} = :c${i}`;
    });
    const remove = update.remove?.length ? ` REMOVE ${update.remove.join(', ')}` : '';
    try {
      await retryConflicts(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: applicationKey(applicationId),
                  UpdateExpression: `SET ${assignments.join(', ')}${remove}`,
                  ConditionExpression: update.condition,
                  ExpressionAttributeNames: { ...names, '#status': 'status' },
                  ExpressionAttributeValues: values,
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...eventKey(
                      applicationId,
                      event.at,
                      `${event.type}-${Math.random().toString(36).slice(2, 8)}`,
                    ),
                    type: 'event',
                    event,
                  },
                },
              },
            ],
          }),
        ),
      );
      return true;
    } catch (err) {
      if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') return false;
      throw err;
    }
  }

  /** Appends an audit event (a document download …) to an application's timeline. */
  async appendEvent(applicationId: string, event: TimelineRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...eventKey(applicationId, event.at, `${event.type}-${Math.random().toString(36).slice(2, 8)}`),
          type: 'event',
          event,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** A page of a review queue (gsi2), in submission order. */
  async queuePage(gsi2pk: string, limit: number, cursor?: Record<string, unknown>) {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': gsi2pk },
        ScanIndexForward: true,
        Limit: limit,
        ExclusiveStartKey: cursor,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return {
      items: (out.Items ?? []).map((i) => stripKeys(i) as unknown as ApplicationRecord),
      next: out.LastEvaluatedKey,
      consumedCapacity: out.ConsumedCapacity?.CapacityUnits ?? 0,
    };
  }

  /** Every application of a programme with one review status (gsi3), in submission order. */
  async byStatus(gsi3pk: string): Promise<ApplicationRecord[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': gsi3pk },
    });
    return items.map((i) => stripKeys(i) as unknown as ApplicationRecord);
  }

  async putAttachment(att: AttachmentRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...attachmentKey(att.applicationId, att.attachmentId), type: 'attachment', ...att },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Records the server's verdict on an uploaded document, once: only a pending one changes. */
  async settleAttachment(
    applicationId: string,
    attachmentId: string,
    verdict: {
      status: 'verified' | 'rejected';
      sizeBytes?: number;
      reason?: string;
      at: string;
      pin?: AttachmentPin;
    },
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: attachmentKey(applicationId, attachmentId),
          UpdateExpression: `SET #status = :status, verifiedAt = :at, sizeBytes = :size, reason = :reason${verdict.pin ? ', pin = :pin' : ''}`,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': verdict.status,
            ':at': verdict.at,
            ':size': verdict.sizeBytes ?? null,
            ':reason': verdict.reason ?? null,
            ':pending': 'pending',
            ...(verdict.pin ? { ':pin': verdict.pin } : {}),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }
}

function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    gsi3pk: _g3,
    gsi3sk: _g3s,
    type: _t,
    ...rest
  } = item;
  for (const [k, v] of Object.entries(rest)) if (v === null) delete rest[k];
  return rest;
}
