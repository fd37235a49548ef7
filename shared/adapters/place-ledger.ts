import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { canGivePlaces, claimOutcome, type PlaceState, releasePlan } from '../domain/places.ts';
import { AppError } from '../errors.ts';
import { channelObserver, type Observer } from '../observer.ts';
import { cancellationReasons } from './errors.ts';
import {
  accountDraftsKey,
  accountProgrammeKey,
  allocationKey,
  applicationKey,
  eventKey,
  personLevelKey,
  REVIEW_QUEUE_ATTRIBUTES,
  receiptCounterKey,
  reviewQueueIndex,
  sequenceSortKey,
  statusIndex,
  waitlistEntryKey,
  waitlistPartition,
} from './keys.ts';
import { countAll } from './query.ts';
import { backoffMs, isTransactionConflict, sleep } from './retry.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Review statuses that hold a place or a waitlist position (design §2: live). */
export const liveStatuses = ['in_review', 'returned', 'approved'] as const;

export interface SubmitRequest {
  applicationId: string;
  programmeId: string;
  unitOrgId: string;
  /** The draft's `updatedAt` the checks ran on: the draft must not have changed since. */
  expectedUpdatedAt: string;
  idHash: string;
  level: string;
  submittedAt: string;
  /** Fields the application gets when submitted (review chain, current reviewing org …). */
  set: Record<string, unknown>;
  /** The first step of the review chain: the submitted application enters that org's queue. */
  reviewerOrgId: string | null;
  /** Who submits (the worker's account), for the audit trail. */
  actor?: string;
  /**
   * The account whose live-draft count (issue 10 point 8) the draft leaves as it is submitted; only
   * for a draft counted when created (`draftCounted`).
   */
  countedDraftOf?: string;
  /** The receipt digest for a sequence number. */
  digest: (sequence: number) => Promise<string>;
  /** The unit's counters as last read, if the caller has them: a hint, the transaction decides. */
  counters?: { places: number; claimed: number; waitlisted: number };
}

export interface SubmitOutcome {
  state: 'claimed' | 'waitlisted';
  sequence: number;
  submittedAt: string;
  digest: string;
}

export interface ReleaseRequest {
  applicationId: string;
  /** The review status the application moves to: withdrawn, rejected or lapsed. */
  status: 'withdrawn' | 'rejected' | 'lapsed';
  /** Statuses it may move from. */
  from: readonly string[];
  at: string;
  event: Record<string, unknown>;
  set?: Record<string, unknown>;
  /** Only while this org is the application's current review step (a reviewer's rejection). */
  currentOrgId?: string;
}

export interface ReleaseOutcome {
  released: PlaceState;
  promotedApplicationId: string | undefined;
}

const MAX_ATTEMPTS = 60;
const MAX_SUBMIT_ATTEMPTS = 400;

/**
 * Carries out the place decisions of `domain/places.ts` as DynamoDB transactions (design §3). Every
 * counter change travels in one `TransactWriteItems` with a guarded change of the application, so a
 * retried write can never count twice; conflicts are retried with jittered backoff.
 */
export class PlaceLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly observer: Observer = channelObserver,
  ) {}

  /** The next receipt number of a programme (R8 先到先得: submission order). */
  async nextSequence(programmeId: string): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: receiptCounterKey(programmeId),
        UpdateExpression: 'ADD #next :one',
        ExpressionAttributeNames: { '#next': 'next' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return out.Attributes?.next as number;
  }

  /**
   * Submits a draft: one transaction claims a place in its unit — or joins the unit's waitlist when
   * every place is taken — writes the person-and-level uniqueness item (R8) and moves the draft to
   * `in_review`. The allocation item only accepts increasing receipt numbers, so within a unit the
   * order of commits is the order of receipts: the earliest submissions hold the places.
   */
  async submit(req: SubmitRequest): Promise<SubmitOutcome> {
    // Read the counters before taking a number: the number should reach the allocation item as soon
    // as possible after it is drawn, so that receipts rarely arrive out of order.
    let state = claimOutcome(req.counters ?? (await this.counters(req.programmeId, req.unitOrgId)));
    let sequence = await this.nextSequence(req.programmeId);
    let digest = await req.digest(sequence);
    let stale = 0;
    for (let attempt = 0; attempt < MAX_SUBMIT_ATTEMPTS; attempt++) {
      try {
        await this.db.send(
          new TransactWriteCommand({ TransactItems: this.submitItems(req, state, sequence, digest) }),
        );
        return { state, sequence, submittedAt: req.submittedAt, digest };
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw err;
        if (isTransactionConflict(err)) {
          this.observer.count('retry.transactionConflicts');
          await sleep(backoffMs(attempt));
          continue;
        }
        const [allocation, person, application] = reasons;
        if (application === 'ConditionalCheckFailed') {
          throw new AppError('invalid_state', { message: '申请已提交或已被修改，请刷新后重试', cause: err });
        }
        if (person === 'ConditionalCheckFailed') {
          throw new AppError('already_applied', { cause: err });
        }
        if (allocation !== 'ConditionalCheckFailed') throw err;
        const old = oldItem(err, 0);
        if (!old) throw new AppError('not_found', { message: '该单位不在本项目的名额分配中', cause: err });
        if (typeof old.lastClaimSequence === 'number' && old.lastClaimSequence >= sequence) {
          // A later receipt committed first in this unit: take a fresh, higher number. Someone else
          // committed, so the unit made progress; back off a little only when it keeps happening.
          this.observer.count('retry.staleReceipts');
          if (++stale > 2) await sleep(backoffMs(stale - 2, 2, 50));
          sequence = await this.nextSequence(req.programmeId);
          digest = await req.digest(sequence);
        }
        state = claimOutcome(old as { places: number; claimed: number; waitlisted: number });
      }
    }
    throw new AppError('rate_limited', { message: '提交人数过多，请稍后重试' });
  }

  private submitItems(
    req: SubmitRequest,
    state: 'claimed' | 'waitlisted',
    sequence: number,
    digest: string,
  ): TransactItem[] {
    const claimed = state === 'claimed';
    const set = {
      ...req.set,
      status: 'in_review',
      quotaState: state,
      sequence,
      submittedAt: req.submittedAt,
      digest,
      updatedAt: req.submittedAt,
      currentOrgId: req.reviewerOrgId,
      ...statusIndex(req.programmeId, 'in_review', sequence),
      ...(req.reviewerOrgId ? reviewQueueIndex(req.programmeId, req.reviewerOrgId, sequence) : {}),
    };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':draft': 'draft', ':expected': req.expectedUpdatedAt };
    const assignments = Object.entries(set).map(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      return `#s${i} = :s${i}`;
    });
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: allocationKey(req.programmeId, req.unitOrgId),
          // Order matters only where a place is at stake: a claim may not overtake a later receipt
          // that already holds a place, and nobody joins the waitlist ahead of a holder's receipt.
          // Waitlist joins among themselves may land in any order: the waitlist is sorted by receipt.
          UpdateExpression: claimed
            ? 'SET claimed = claimed + :one, lastClaimSequence = :seq'
            : 'SET waitlisted = waitlisted + :one',
          ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(lastClaimSequence) OR lastClaimSequence < :seq) AND ${
            claimed ? 'claimed < places' : 'claimed >= places'
          }`,
          ExpressionAttributeValues: { ':one': 1, ':seq': sequence },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...personLevelKey(req.idHash, req.level),
            type: 'person_level',
            applicationId: req.applicationId,
            programmeId: req.programmeId,
            createdAt: req.submittedAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: applicationKey(req.applicationId),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: '#status = :draft AND #updatedAt = :expected',
          ExpressionAttributeNames: { ...names, '#status': 'status', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: values,
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...eventKey(req.applicationId, req.submittedAt, `${sequenceSortKey(sequence)}-submitted`),
            type: 'event',
            // Audit trail: lodged with the first step of the chain, by the worker.
            event: {
              type: 'submitted',
              at: req.submittedAt,
              ...(req.reviewerOrgId ? { orgId: req.reviewerOrgId } : {}),
              ...(req.actor ? { actor: req.actor } : {}),
              sequence,
              quotaState: state,
              unitOrgId: req.unitOrgId,
            },
          },
        },
      },
    ];
    if (req.countedDraftOf !== undefined) {
      // Exactly once: the application's draft → in_review guard is in the same transaction.
      items.push(this.draftCountChange(req.countedDraftOf));
    }
    if (!claimed) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...waitlistEntryKey(req.programmeId, req.unitOrgId, sequence),
            type: 'waitlist_entry',
            applicationId: req.applicationId,
            sequence,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    return items;
  }

  /** Live counters of one allocation unit (eventually consistent: a hint, the transaction decides). */
  async counters(programmeId: string, unitOrgId: string) {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: allocationKey(programmeId, unitOrgId) }),
    );
    if (!out.Item) throw new AppError('not_found', { message: '该单位不在本项目的名额分配中' });
    return out.Item as { places: number; claimed: number; waitlisted: number };
  }

  /** The earliest waiting applicant of a unit, read strongly consistently. */
  async earliestWaiting(
    programmeId: string,
    unitOrgId: string,
    limit = 1,
  ): Promise<{ applicationId: string; sequence: number }[]> {
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
   * committed ahead of it. {@link waitlistPosition} counts everyone ahead instead: a read of the whole
   * waitlist per submission, O(n²) over a rush (docs/benchmarks.md). Read in this order, joins landing
   * meanwhile can only lower the answer: like `waitlistPosition`'s, it may be lower than the position
   * the worker ends up with, never higher (a withdrawal or promotion between the two reads aside).
   */
  async waitlistPositionOnJoin(programmeId: string, unitOrgId: string, sequence: number): Promise<number> {
    const { waitlisted } = await this.consistentCounters(programmeId, unitOrgId);
    const later = await this.countWaiting(programmeId, unitOrgId, '>', sequence);
    return Math.max(1, waitlisted - later);
  }

  /** 1-based position on the unit's waitlist: how many wait with an earlier receipt, plus one. */
  async waitlistPosition(programmeId: string, unitOrgId: string, sequence: number): Promise<number> {
    return (await this.countWaiting(programmeId, unitOrgId, '<', sequence)) + 1;
  }

  /** How many wait in the unit with a receipt before (`<`) or after (`>`) `sequence`, read strongly consistently. */
  private async countWaiting(
    programmeId: string,
    unitOrgId: string,
    side: '<' | '>',
    sequence: number,
  ): Promise<number> {
    return countAll(this.db, this.tableName, {
      KeyConditionExpression: `pk = :pk AND sk ${side} :mine`,
      ExpressionAttributeValues: {
        ':pk': waitlistPartition(programmeId, unitOrgId),
        ':mine': sequenceSortKey(sequence),
      },
      ConsistentRead: true,
    });
  }

  /**
   * Releases an application's place or waitlist position as it stops being live (withdrawal,
   * rejection, lapse). In the same transaction the earliest waitlisted applicant of the unit takes
   * the freed place, so no place is idle while someone waits, and the application lets go of what it
   * holds as a live application: its person-and-level item (R8), its account-and-programme item and,
   * for a draft, its place in the account's live-draft count (issue 10 point 8).
   */
  async release(req: ReleaseRequest): Promise<ReleaseOutcome> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const app = (
        await this.db.send(
          new GetCommand({
            TableName: this.tableName,
            Key: applicationKey(req.applicationId),
            ConsistentRead: true,
          }),
        )
      ).Item;
      if (!app) throw new AppError('not_found');
      if (!req.from.includes(app.status as string)) throw new AppError('invalid_state');
      // A payment held or paid ties the place to this application for good (no second subsidy for it).
      if (((app.paymentsHeld as number | undefined) ?? 0) > 0) {
        throw new AppError('invalid_state', { message: '补助已进入发放流程或已发放，名额不能释放' });
      }
      if (req.currentOrgId !== undefined && app.currentOrgId !== req.currentOrgId)
        throw new AppError('invalid_state');
      const quotaState = (app.quotaState ?? 'none') as PlaceState;
      const programmeId = app.programmeId as string;
      const unitOrgId = app.unitOrgId as string;
      const next =
        quotaState === 'claimed' ? (await this.earliestWaiting(programmeId, unitOrgId))[0] : undefined;
      const plan = releasePlan(quotaState, next?.applicationId);
      const items: TransactItem[] = [
        this.statusChange(req, app, quotaState),
        this.eventPut(req.applicationId, req.at, req.status, req.event),
        ...(await this.liveHoldings(req.applicationId, app)),
      ];
      if (quotaState === 'claimed' && plan.promote && next) {
        items.push(...this.promotionItems(programmeId, unitOrgId, next, req.at));
        items.push(this.counterChange(programmeId, unitOrgId, 0, -1, 'waitlisted > :zero', next.sequence));
      } else if (quotaState === 'claimed') {
        // Nobody waited when we looked: the guard fails if someone joined the waitlist meanwhile.
        items.push(
          this.counterChange(programmeId, unitOrgId, -1, 0, 'claimed > :zero AND waitlisted = :zero'),
        );
      } else if (quotaState === 'waitlisted') {
        items.push({
          Delete: {
            TableName: this.tableName,
            Key: waitlistEntryKey(programmeId, unitOrgId, app.sequence as number),
            ConditionExpression: 'attribute_exists(pk)',
          },
        });
        items.push(this.counterChange(programmeId, unitOrgId, 0, -1, 'waitlisted > :zero'));
      }
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return { released: quotaState, promotedApplicationId: plan.promote };
      } catch (err) {
        if (!cancellationReasons(err)) throw err;
        if (isTransactionConflict(err)) this.observer.count('retry.transactionConflicts');
        // A conflict, or the world changed between our read and our write: read again and redo.
        await sleep(backoffMs(attempt));
      }
    }
    throw new Error(`release of ${req.applicationId} did not settle after ${MAX_ATTEMPTS} attempts`);
  }

  /**
   * R15: moves places from one unit to another. The source keeps at least as many places as it has
   * holders (409 `quota_exceeded` otherwise); the places added go at once to the target's earliest
   * waitlisted applicants.
   */
  async reallocate(
    programmeId: string,
    fromUnitOrgId: string,
    toUnitOrgId: string,
    places: number,
    at: string,
  ): Promise<string[]> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [from, to] = await Promise.all([
        this.consistentCounters(programmeId, fromUnitOrgId),
        this.consistentCounters(programmeId, toUnitOrgId),
      ]);
      if (!canGivePlaces(from, places))
        throw new AppError('quota_exceeded', { message: '调出单位的名额不能少于已占用的名额' });
      const free = to.places + places - to.claimed;
      const waiting =
        free > 0 && to.waitlisted > 0
          ? await this.earliestWaiting(programmeId, toUnitOrgId, Math.min(free, to.waitlisted, 30))
          : [];
      const items: TransactItem[] = [
        {
          Update: {
            TableName: this.tableName,
            Key: allocationKey(programmeId, fromUnitOrgId),
            UpdateExpression: 'SET places = places - :n',
            ConditionExpression: 'places = :places AND claimed <= :limit',
            ExpressionAttributeValues: {
              ':n': places,
              ':places': from.places,
              ':limit': from.places - places,
            },
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: allocationKey(programmeId, toUnitOrgId),
            UpdateExpression: `SET places = places + :n, claimed = claimed + :k, waitlisted = waitlisted - :k${
              waiting.length > 0 ? ', lastClaimSequence = :promoted' : ''
            }`,
            ConditionExpression: 'places = :places AND claimed = :claimed AND waitlisted = :waitlisted',
            ExpressionAttributeValues: {
              ':n': places,
              ':k': waiting.length,
              ...(waiting.length > 0 ? { ':promoted': Math.max(...waiting.map((w) => w.sequence)) } : {}),
              ':places': to.places,
              ':claimed': to.claimed,
              ':waitlisted': to.waitlisted,
            },
          },
        },
        ...waiting.flatMap((w) => this.promotionItems(programmeId, toUnitOrgId, w, at)),
      ];
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        const promoted = waiting.map((w) => w.applicationId);
        // More than one transaction can carry: fill whatever places are still free.
        promoted.push(...(await this.fillFreePlaces(programmeId, toUnitOrgId, at)));
        return promoted;
      } catch (err) {
        if (!cancellationReasons(err)) throw err;
        if (isTransactionConflict(err)) this.observer.count('retry.transactionConflicts');
        await sleep(backoffMs(attempt));
      }
    }
    throw new Error(`reallocation in ${programmeId} did not settle after ${MAX_ATTEMPTS} attempts`);
  }

  /** Promotes waitlisted applicants while the unit has free places. */
  async fillFreePlaces(programmeId: string, unitOrgId: string, at: string): Promise<string[]> {
    const promoted: string[] = [];
    for (let attempt = 0; attempt < MAX_ATTEMPTS * 4; attempt++) {
      const unit = await this.consistentCounters(programmeId, unitOrgId);
      if (unit.claimed >= unit.places || unit.waitlisted === 0) return promoted;
      const [next] = await this.earliestWaiting(programmeId, unitOrgId);
      if (!next) return promoted;
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...this.promotionItems(programmeId, unitOrgId, next, at),
              this.counterChange(
                programmeId,
                unitOrgId,
                1,
                -1,
                'claimed < places AND waitlisted > :zero',
                next.sequence,
              ),
            ],
          }),
        );
        promoted.push(next.applicationId);
      } catch (err) {
        if (!cancellationReasons(err)) throw err;
        await sleep(backoffMs(attempt));
      }
    }
    return promoted;
  }

  private async consistentCounters(programmeId: string, unitOrgId: string) {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: allocationKey(programmeId, unitOrgId),
        ConsistentRead: true,
      }),
    );
    if (!out.Item)
      throw new AppError('validation_failed', {
        fields: [{ path: 'unitOrgId', message: `单位 ${unitOrgId} 不在本项目的名额分配中` }],
      });
    return out.Item as { places: number; claimed: number; waitlisted: number };
  }

  /**
   * The deletes and count change that free what a live application holds, each only if this
   * application holds it: R8 says once per person and level, and a rejected, withdrawn or lapsed
   * application has not used that chance, so its person-and-level item must not outlive it. Each lock
   * is read first (strongly) and its delete conditioned on naming this application, so a lock another
   * application holds now — or none, for records stored without one — is left alone.
   */
  private async liveHoldings(applicationId: string, app: Record<string, unknown>): Promise<TransactItem[]> {
    const locks = [
      typeof app.idHash === 'string' && typeof (app.enrolment as { level?: unknown })?.level === 'string'
        ? personLevelKey(app.idHash, (app.enrolment as { level: string }).level)
        : undefined,
      typeof app.ownerSub === 'string' && typeof app.programmeId === 'string'
        ? accountProgrammeKey(app.ownerSub, app.programmeId)
        : undefined,
    ].filter((k): k is { pk: string; sk: string } => k !== undefined);
    const held = await Promise.all(
      locks.map(async (Key) => {
        const out = await this.db.send(
          new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }),
        );
        return out.Item?.applicationId === applicationId ? Key : undefined;
      }),
    );
    const items: TransactItem[] = held
      .filter((k): k is { pk: string; sk: string } => k !== undefined)
      .map((Key) => ({
        Delete: {
          TableName: this.tableName,
          Key,
          ConditionExpression: 'applicationId = :mine',
          ExpressionAttributeValues: { ':mine': applicationId },
        },
      }));
    if (app.status === 'draft' && app.draftCounted === true && typeof app.ownerSub === 'string') {
      items.push(this.draftCountChange(app.ownerSub));
    }
    return items;
  }

  /** One draft fewer in an account's live-draft count; callers guard the application's state change. */
  private draftCountChange(sub: string): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: accountDraftsKey(sub),
        UpdateExpression: 'ADD drafts :minusOne',
        ExpressionAttributeValues: { ':minusOne': -1 },
      },
    };
  }

  private statusChange(
    req: ReleaseRequest,
    app: Record<string, unknown>,
    quotaState: PlaceState,
  ): TransactItem {
    const fromStatus = app.status as string;
    const sequence = app.sequence as number | undefined;
    const set: Record<string, unknown> = {
      ...(req.set ?? {}),
      status: req.status,
      quotaState: quotaState === 'none' ? 'none' : 'released',
      updatedAt: req.at,
      currentOrgId: null,
      // Drafts were never submitted: they stay out of the programme's status index.
      ...(sequence === undefined ? {} : statusIndex(app.programmeId as string, req.status, sequence)),
    };
    const names: Record<string, string> = { '#status': 'status', '#quotaState': 'quotaState' };
    const values: Record<string, unknown> = {
      ':fromStatus': fromStatus,
      ':fromQuota': quotaState,
      ':noPayments': 0,
      ...(req.currentOrgId === undefined ? {} : { ':step': req.currentOrgId }),
    };
    const assignments = Object.entries(set).map(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      return `#s${i} = :s${i}`;
    });
    return {
      Update: {
        TableName: this.tableName,
        Key: applicationKey(req.applicationId),
        // Out of every review queue: a released application awaits nobody.
        UpdateExpression: `SET ${assignments.join(', ')} REMOVE ${REVIEW_QUEUE_ATTRIBUTES.join(', ')}`,
        ConditionExpression: `${
          quotaState === 'none'
            ? '#status = :fromStatus AND (attribute_not_exists(#quotaState) OR #quotaState = :fromQuota)'
            : '#status = :fromStatus AND #quotaState = :fromQuota'
        }${req.currentOrgId === undefined ? '' : ' AND currentOrgId = :step'} AND (attribute_not_exists(paymentsHeld) OR paymentsHeld <= :noPayments)`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  private promotionItems(
    programmeId: string,
    unitOrgId: string,
    next: { applicationId: string; sequence: number },
    at: string,
  ): TransactItem[] {
    return [
      {
        Update: {
          TableName: this.tableName,
          Key: applicationKey(next.applicationId),
          UpdateExpression: 'SET quotaState = :claimed, promotedAt = :at',
          ConditionExpression: 'quotaState = :waitlisted',
          ExpressionAttributeValues: { ':claimed': 'claimed', ':waitlisted': 'waitlisted', ':at': at },
        },
      },
      {
        Delete: {
          TableName: this.tableName,
          Key: waitlistEntryKey(programmeId, unitOrgId, next.sequence),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      // Audit trail: the place taken is the unit's.
      this.eventPut(next.applicationId, at, 'promoted', {
        type: 'promoted',
        at,
        orgId: unitOrgId,
        unitOrgId,
      }),
    ];
  }

  private counterChange(
    programmeId: string,
    unitOrgId: string,
    claimedDelta: number,
    waitlistedDelta: number,
    condition: string,
    /** A promoted applicant's receipt: later waitlist joins must come after it. */
    promotedSequence?: number,
  ): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: allocationKey(programmeId, unitOrgId),
        UpdateExpression: `SET claimed = claimed + :dc, waitlisted = waitlisted + :dw${
          promotedSequence === undefined ? '' : ', lastClaimSequence = :promoted'
        }`,
        ConditionExpression: condition,
        ExpressionAttributeValues: {
          ':dc': claimedDelta,
          ':dw': waitlistedDelta,
          ...(condition.includes(':zero') ? { ':zero': 0 } : {}),
          ...(promotedSequence === undefined ? {} : { ':promoted': promotedSequence }),
        },
      },
    };
  }

  private eventPut(
    applicationId: string,
    at: string,
    suffix: string,
    event: Record<string, unknown>,
  ): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...eventKey(applicationId, at, `${suffix}-${Math.random().toString(36).slice(2, 8)}`),
          type: 'event',
          event,
        },
      },
    };
  }
}

/** The item a failed condition saw (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), unmarshalled. */
function oldItem(err: unknown, index: number): Record<string, unknown> | undefined {
  const reasons = (err as { CancellationReasons?: { Item?: Record<string, never> }[] }).CancellationReasons;
  const item = reasons?.[index]?.Item;
  if (!item) return undefined;
  // The document client leaves cancellation reasons in the low-level attribute-value shape.
  const first = Object.values(item)[0] as unknown;
  return first && typeof first === 'object' && ('S' in first || 'N' in first || 'M' in first)
    ? unmarshall(item)
    : item;
}
