import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { MAX_LIVE_DRAFTS_PER_ACCOUNT } from '../domain/account.ts';
import type {
  ApplicationBundle,
  ApplicationRecord,
  AttachmentRecord,
  AttachmentVerdict,
  ReviewDecision,
  ReviewStatus,
  Revocation,
  StoredPayoutAccount,
  TimelineRecord,
} from '../model/application.ts';
import type { NotificationRecord } from '../model/notification.ts';
import { channelObserver, type Observer } from '../observer.ts';
import {
  applicationIndexes,
  attachmentItem,
  bundleOf,
  DRAFT_CREATION_ITEM,
  draftCreationItems,
  eventItem,
  recordOf,
} from './application-items.ts';
import { cancellationReasons } from './errors.ts';
import { type Guard, updateExpression } from './expressions.ts';
import {
  applicationKey,
  applicationPartition,
  attachmentKey,
  REVIEW_QUEUE_CURSOR_KEYS,
  receiptOrderKeyPattern,
  reviewQueueIndex,
  statusIndex,
  WORKER_APPLICATIONS_CURSOR_KEYS,
  workerApplicationsIndex,
} from './keys.ts';
import { outboxPut } from './notification-items.ts';
import { type PageToken, type QueryFilter, queryPage } from './page.ts';
import {
  AccountHoldsApplication,
  DraftChanged,
  DraftLimitReached,
  InvalidPageToken,
} from './persistence-errors.ts';
import { countAll, queryAll } from './query.ts';
import { transactWithRetry } from './retry.ts';
import { transactIf, writeIf } from './writes.ts';

/** What a worker may correct in a draft (or a returned application) before it is submitted again. */
export type DraftFields = Partial<
  Pick<
    ApplicationRecord,
    | 'employerOrgId'
    | 'unitOrgId'
    | 'chain'
    | 'channel'
    | 'applicant'
    | 'idHash'
    | 'enrolment'
    | 'chsiReport'
    | 'jobTitle'
    | 'relevance'
    | 'payoutAccount'
  >
>;

/** Only while the application is still at the step the reviewer decided on (R12). */
const atStep = (orgId: string): Guard => ({
  condition: '#status = :inReview AND currentOrgId = :step',
  names: { '#status': 'status' },
  values: { ':inReview': 'in_review', ':step': orgId },
});

/**
 * Applications, their documents and timelines. Every change of state is a method named for what it
 * does, guarded on the state it starts from, written with its timeline event in one transaction; the
 * index entries follow from the new state (`application-items.ts`). Place changes (submit, release,
 * promotion) go through `PlaceLedger`.
 */
export class ApplicationRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly observer: Observer = channelObserver,
  ) {}

  /**
   * Stores a new draft and its first timeline event together, in one transaction with the account's
   * limits (issue 10 point 8): the account-and-programme item, which only one live application of an
   * account per programme can hold, and the account's live-draft count, below its cap. Two creates
   * racing for either limit cannot both pass: one transaction's condition fails.
   *
   * @throws AccountHoldsApplication when the account holds a live application in the programme;
   *   DraftLimitReached when it holds {@link MAX_LIVE_DRAFTS_PER_ACCOUNT} live drafts.
   */
  async create(app: ApplicationRecord): Promise<void> {
    const items = draftCreationItems(this.tableName, app);
    try {
      await transactWithRetry(this.db, items, this.observer);
    } catch (err) {
      const reasons = cancellationReasons(err) ?? [];
      if (reasons[DRAFT_CREATION_ITEM.accountProgramme] === 'ConditionalCheckFailed') {
        throw new AccountHoldsApplication(app.ownerSub, app.programmeId, { cause: err });
      }
      if (reasons[DRAFT_CREATION_ITEM.accountDrafts] === 'ConditionalCheckFailed') {
        throw new DraftLimitReached(MAX_LIVE_DRAFTS_PER_ACCOUNT, { cause: err });
      }
      throw err;
    }
  }

  /** The application with its documents, timeline and payments, in one strongly consistent query. */
  async bundle(applicationId: string): Promise<ApplicationBundle | undefined> {
    const items = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': applicationPartition(applicationId) },
      ConsistentRead: true,
    });
    return bundleOf(items);
  }

  /**
   * A worker's applications, newest first, a page at a time. `after` is a token this method handed
   * out for the same worker (`InvalidPageToken` otherwise).
   */
  async listForWorker(
    sub: string,
    limit: number,
    after?: unknown,
  ): Promise<{ ids: string[]; next: PageToken | undefined }> {
    const page = await queryPage(this.db, this.tableName, {
      indexName: 'gsi1',
      partition: workerApplicationsIndex(sub),
      keys: WORKER_APPLICATIONS_CURSOR_KEYS,
      limit,
      after,
      forward: false,
    });
    return { ids: page.items.map((i) => i.id as string), next: page.next };
  }

  /**
   * Replaces draft fields while the application is in `status` (a draft, or returned for correction)
   * and unchanged since it was read; {@link DraftChanged} otherwise.
   */
  async updateDraft(
    applicationId: string,
    expectedUpdatedAt: string,
    fields: DraftFields & { updatedAt: string },
    status: 'draft' | 'returned' = 'draft',
  ): Promise<void> {
    const updated = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: applicationKey(applicationId),
          ...updateExpression(
            { set: fields },
            {
              condition: '#status = :draft AND #updatedAt = :expected',
              names: { '#status': 'status', '#updatedAt': 'updatedAt' },
              values: { ':draft': status, ':expected': expectedUpdatedAt },
            },
          ),
        }),
      ),
    );
    if (!updated) throw new DraftChanged(applicationId);
  }

  /**
   * A returned application, corrected, back `in_review` at the step that returned it (R12), unless
   * it changed since it was read. False when it did.
   */
  resubmit(app: ApplicationRecord, at: string, event: TimelineRecord): Promise<boolean> {
    return this.transition(app, { status: 'in_review', updatedAt: at }, event, {
      condition: '#status = :returned AND updatedAt = :readAt',
      names: { '#status': 'status' },
      values: { ':returned': 'returned', ':readAt': app.updatedAt },
    });
  }

  /**
   * The org at the current step returns it to the worker for correction; it keeps its step and place.
   * `notice` (the worker's SMS) is queued in the same transaction.
   */
  returnToWorker(
    app: ApplicationRecord,
    decision: ReviewDecision,
    event: TimelineRecord,
    notice?: NotificationRecord,
  ): Promise<boolean> {
    return this.transition(
      app,
      { status: 'returned', decisions: [...(app.decisions ?? []), decision], updatedAt: decision.decidedAt },
      event,
      atStep(decision.orgId),
      notice,
    );
  }

  /** The org at the current step approves it; it moves on to `nextOrgId`'s step of the chain. */
  advanceStep(
    app: ApplicationRecord,
    decision: ReviewDecision,
    nextOrgId: string,
    event: TimelineRecord,
  ): Promise<boolean> {
    return this.transition(
      app,
      {
        currentOrgId: nextOrgId,
        decisions: [...(app.decisions ?? []), decision],
        updatedAt: decision.decidedAt,
      },
      event,
      atStep(decision.orgId),
    );
  }

  /** The top of the chain approves it: `approved`, awaiting nobody; `notice` is queued with it. */
  approve(
    app: ApplicationRecord,
    decision: ReviewDecision,
    event: TimelineRecord,
    notice?: NotificationRecord,
  ): Promise<boolean> {
    const at = decision.decidedAt;
    return this.transition(
      app,
      {
        status: 'approved',
        currentOrgId: null,
        decisions: [...(app.decisions ?? []), decision],
        approvedAt: at,
        updatedAt: at,
      },
      event,
      atStep(decision.orgId),
      notice,
    );
  }

  /**
   * An admin revokes an approved, paid application: it keeps its place and records the claw-back.
   * Guarded on the payments as read (`paidPayments`): a run holding a new payment meanwhile makes
   * this fail, not pass. False when it changed.
   */
  revoke(
    app: ApplicationRecord,
    revocation: Revocation,
    paidPayments: number,
    event: TimelineRecord,
  ): Promise<boolean> {
    // Out of the approved index: planning pays approved applications only.
    return this.transition(app, { status: 'revoked', revocation, updatedAt: revocation.revokedAt }, event, {
      condition: '#status = :approved AND paymentsHeld = :held',
      names: { '#status': 'status' },
      values: { ':approved': 'approved', ':held': paidPayments },
    });
  }

  /**
   * The worker gives an approved application the payout account its next payment goes to, after one
   * failed (R13). Guarded like {@link revoke} on the payments as read (`paidPayments`, none in
   * flight): a run holding a payment meanwhile makes this fail, so no payment already on its way
   * changes account under it. False when it changed.
   */
  changePayoutAccount(
    app: ApplicationRecord,
    payoutAccount: StoredPayoutAccount,
    paidPayments: number,
    event: TimelineRecord,
  ): Promise<boolean> {
    return this.transition(app, { payoutAccount, updatedAt: event.at }, event, {
      condition: '#status = :approved AND paymentsHeld = :held',
      names: { '#status': 'status' },
      values: { ':approved': 'approved', ':held': paidPayments },
    });
  }

  /**
   * One guarded change of state with its timeline event and, when the change is told by SMS, its
   * outbox item; the index entries follow the new state.
   */
  private transition(
    app: ApplicationRecord,
    change: Partial<ApplicationRecord>,
    event: TimelineRecord,
    guard: Guard,
    notice?: NotificationRecord,
  ): Promise<boolean> {
    const indexes = applicationIndexes({ ...app, ...change });
    return transactIf(
      this.db,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: applicationKey(app.id),
            ...updateExpression({ set: { ...change, ...indexes.set }, remove: indexes.remove }, guard),
          },
        },
        { Put: { TableName: this.tableName, Item: eventItem(app.id, event) } },
        ...(notice ? [outboxPut(this.tableName, notice)] : []),
      ],
      this.observer,
    );
  }

  /** Appends an audit event (a document download …) to an application's timeline. */
  async appendEvent(applicationId: string, event: TimelineRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: eventItem(applicationId, event),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /**
   * A page of an org's review queue in a programme (gsi2), in submission order. `after` is a token
   * this method handed out for the same queue (`InvalidPageToken` otherwise).
   */
  async reviewQueuePage(
    programmeId: string,
    orgId: string,
    limit: number,
    after?: unknown,
    filter: QueueFilter = {},
  ) {
    const page = await queryPage(this.db, this.tableName, {
      indexName: 'gsi2',
      partition: reviewQueueIndex(programmeId, orgId),
      keys: REVIEW_QUEUE_CURSOR_KEYS,
      limit,
      after,
      forward: true,
      filter: queueFilterExpression(filter),
    });
    return { ...page, items: page.items.map((i) => recordOf<ApplicationRecord>(i)) };
  }

  /**
   * Every submitted application of a programme in one review status (gsi3), in submission order.
   * The index is eventually consistent: whoever acts on an entry checks the application itself.
   */
  async listByStatus(programmeId: string, status: ReviewStatus): Promise<ApplicationRecord[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': statusIndex(programmeId, status).gsi3pk },
    });
    return items.map((i) => recordOf<ApplicationRecord>(i));
  }

  /**
   * A page of a programme's submitted applications that `filter` lets through, in receipt order,
   * from the status index (gsi3): one query per status asked for, each resumed after the sequence
   * the token names for it, merged by sequence. Each status contributes up to `limit` matching
   * items (or all it has), so the first `limit` of the merge are exactly the next `limit` in receipt
   * order. The filter is a DynamoDB filter on the index query (never a scan of the table).
   */
  async programmeApplicationsPage(
    programmeId: string,
    statuses: readonly ReviewStatus[],
    filter: ApplicationFilter,
    limit: number,
    after?: unknown,
  ): Promise<{ items: ApplicationRecord[]; next?: PageToken }> {
    const start = applicationsPageStart(after, statuses);
    const { expression, names, values } = filterExpression(filter);
    const perStatus = await Promise.all(
      statuses.map(async (status) => {
        const found: Record<string, unknown>[] = [];
        let startKey: Record<string, unknown> | undefined;
        let exhausted = false;
        const from = start[status];
        do {
          const out: QueryCommandOutput = await this.db.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: 'gsi3',
              KeyConditionExpression:
                from === undefined ? 'gsi3pk = :pk' : 'gsi3pk = :pk AND gsi3sk > :after',
              ...(expression ? { FilterExpression: expression } : {}),
              ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
              ExpressionAttributeValues: {
                ':pk': statusIndex(programmeId, status).gsi3pk,
                ...(from === undefined ? {} : { ':after': from }),
                ...values,
              },
              Limit: Math.max(limit, 25),
              ExclusiveStartKey: startKey,
            }),
          );
          found.push(...(out.Items ?? []));
          startKey = out.LastEvaluatedKey;
          exhausted = startKey === undefined;
        } while (!exhausted && found.length < limit);
        return { status, items: found.slice(0, limit), exhausted: exhausted && found.length <= limit };
      }),
    );
    const merged = perStatus
      .flatMap((p) => p.items.map((item) => ({ status: p.status, item })))
      .sort((a, b) => String(a.item.gsi3sk).localeCompare(String(b.item.gsi3sk)))
      .slice(0, limit);
    const more =
      perStatus.some((p) => !p.exhausted) ||
      perStatus.reduce((n, p) => n + p.items.length, 0) > merged.length;
    let next: PageToken | undefined;
    if (more) {
      const token: Record<string, string> = {};
      for (const status of statuses) {
        const last = merged.filter((m) => m.status === status).at(-1);
        const resumeAt = last ? String(last.item.gsi3sk) : start[status];
        // A status not yet read from starts at the beginning: "0…0#" sorts before every receipt.
        token[status] = resumeAt ?? '000000000000#';
      }
      next = token as PageToken;
    }
    return { items: merged.map((m) => recordOf<ApplicationRecord>(m.item)), ...(next ? { next } : {}) };
  }

  /**
   * The unit and the decisions of each application of a programme in one status whose chain has
   * `chainOrgId` (the dashboard's counts): a query of the status index, only those attributes read.
   */
  async summariesByStatus(
    programmeId: string,
    status: ReviewStatus,
    chainOrgId: string,
  ): Promise<Pick<ApplicationRecord, 'unitOrgId' | 'decisions'>[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      FilterExpression: 'contains(#chain, :org)',
      ProjectionExpression: '#unit, #decisions',
      ExpressionAttributeNames: { '#chain': 'chain', '#unit': 'unitOrgId', '#decisions': 'decisions' },
      ExpressionAttributeValues: { ':pk': statusIndex(programmeId, status).gsi3pk, ':org': chainOrgId },
    });
    return items.map((i) => ({
      unitOrgId: i.unitOrgId as string,
      decisions: (i.decisions as ApplicationRecord['decisions'] | undefined) ?? [],
    }));
  }

  /** How many submitted applications of a programme are in one review status. */
  countByStatus(programmeId: string, status: ReviewStatus): Promise<number> {
    return countAll(this.db, this.tableName, {
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': statusIndex(programmeId, status).gsi3pk },
    });
  }

  async putAttachment(att: AttachmentRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: attachmentItem(att),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Records the server's verdict on an uploaded document, once: only a pending one changes. */
  settleAttachment(
    applicationId: string,
    attachmentId: string,
    verdict: AttachmentVerdict,
  ): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: attachmentKey(applicationId, attachmentId),
          ...updateExpression(
            {
              set: {
                status: verdict.status,
                verifiedAt: verdict.at,
                sizeBytes: verdict.sizeBytes ?? null,
                reason: verdict.reason ?? null,
                pin: verdict.pin,
              },
            },
            {
              condition: '#status = :pending',
              names: { '#status': 'status' },
              values: { ':pending': 'pending' },
            },
          ),
        }),
      ),
    );
  }
}

/** What 待审核 narrows an org's review queue by (all optional, all ANDed). */
export interface QueueFilter {
  unitOrgId?: string | undefined;
  employerOrgId?: string | undefined;
  level?: string | undefined;
}

function queueFilterExpression(filter: QueueFilter): QueryFilter | undefined {
  const equal = equalities({
    unitOrgId: filter.unitOrgId,
    employerOrgId: filter.employerOrgId,
    'enrolment.level': filter.level,
  });
  return equal.expression ? equal : undefined;
}

/**
 * ANDed `attribute = value` clauses of a filter expression (a nested attribute as `a.b`), leaving out
 * the values not given.
 */
function equalities(pairs: Record<string, unknown>): QueryFilter {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(pairs)) {
    if (value === undefined) continue;
    const ref = path
      .split('.')
      .map((attribute) => {
        names[`#${attribute}`] = attribute;
        return `#${attribute}`;
      })
      .join('.');
    const placeholder = `:v${parts.length}`;
    parts.push(`${ref} = ${placeholder}`);
    values[placeholder] = value;
  }
  return { expression: parts.join(' AND '), names, values };
}

/** What the console's list of a programme's applications narrows by (all optional, all ANDed). */
export interface ApplicationFilter {
  /** Only applications whose review chain has this org (what a reviewer or admin may see). */
  chainOrgId: string;
  unitOrgId?: string | undefined;
  employerOrgId?: string | undefined;
  quotaState?: string | undefined;
  /** A name's part, or a 受理号 (the receipt sequence). */
  search?: string | undefined;
}

function filterExpression(filter: ApplicationFilter): QueryFilter {
  // Digits are a 受理号 (the receipt sequence), anything else a part of the applicant's name.
  const receipt = filter.search && /^\d{1,12}$/.test(filter.search) ? Number(filter.search) : undefined;
  const equal = equalities({
    unitOrgId: filter.unitOrgId,
    employerOrgId: filter.employerOrgId,
    quotaState: filter.quotaState,
    sequence: receipt,
  });
  const parts = ['contains(#chain, :chainOrg)', ...(equal.expression ? [equal.expression] : [])];
  const names: Record<string, string> = { ...equal.names, '#chain': 'chain' };
  const values: Record<string, unknown> = { ...equal.values, ':chainOrg': filter.chainOrgId };
  if (filter.search && receipt === undefined) {
    parts.push('contains(#applicant.#name, :q)');
    names['#applicant'] = 'applicant';
    names['#name'] = 'name';
    values[':q'] = filter.search;
  }
  return { expression: parts.join(' AND '), names, values };
}

/** Reads back a token `programmeApplicationsPage` issued for the same statuses: a sequence key per status. */
function applicationsPageStart(after: unknown, statuses: readonly string[]): Record<string, string> {
  if (after === undefined) return {};
  const valid =
    after !== null &&
    typeof after === 'object' &&
    !Array.isArray(after) &&
    Object.keys(after).length === statuses.length &&
    statuses.every((s) => {
      const v = (after as Record<string, unknown>)[s];
      return typeof v === 'string' && receiptOrderKeyPattern.test(v);
    });
  if (!valid) throw new InvalidPageToken();
  return after as Record<string, string>;
}
