import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  canGivePlaces,
  claimOutcome,
  type PlaceState,
  releasePlan,
  type UnitCounters,
} from '../domain/places.ts';
import type { ApplicationRecord } from '../model/application.ts';
import { channelObserver, type Observer } from '../observer.ts';
import { cancellationReasons, cancelledItem } from './errors.ts';
import { accountProgrammeKey, applicationKey, personLevelKey, receiptCounterKey } from './keys.ts';
import {
  ApplicationNotFound,
  ApplicationNotInState,
  DraftNotSubmittable,
  PaymentsHeld,
  PersonLevelTaken,
  PlacesInUse,
  SubmitContention,
  UnitNotAllocated,
} from './persistence-errors.ts';
import {
  counterChange,
  promotionItems,
  type ReleaseRequest,
  reallocationItems,
  releaseItems,
  SUBMIT_ITEM,
  type SubmitRequest,
  submitItems,
} from './place-items.ts';
import { backoffMs, isTransactionConflict, withRetry } from './retry.ts';
import type { Waitlist } from './waitlist.ts';

export interface SubmitOutcome {
  state: 'claimed' | 'waitlisted';
  sequence: number;
  submittedAt: string;
  digest: string;
}

export interface ReleaseOutcome {
  released: PlaceState;
  promotedApplicationId: string | undefined;
}

/** Read-then-write attempts of a release, reallocation or promotion before it gives up. */
const MAX_ATTEMPTS = 60;
/** A submission's attempts: a rush on one unit makes many receipts arrive out of order. */
const MAX_SUBMIT_ATTEMPTS = 400;
const CONDITION_FAILED = 'ConditionalCheckFailed';
/**
 * Promotions one reallocation transaction carries: four items each (application, waitlist entry,
 * timeline event, SMS outbox item) and the two units' counters stay within DynamoDB's 100 items.
 */
const PROMOTIONS_PER_TRANSACTION = 24;

/**
 * Carries out the place decisions of `domain/places.ts` as DynamoDB transactions (architecture.md §3). Every
 * counter change travels in one `TransactWriteItems` with a guarded change of the application, so a
 * retried write can never count twice. The items are built by `place-items.ts`; what a release or
 * reallocation reads first comes from the {@link Waitlist}. A transaction that fails because the world
 * changed between the read and the write is read and written again, with jittered backoff.
 */
export class PlaceLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly waitlist: Waitlist,
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
   *
   * @throws DraftNotSubmittable, PersonLevelTaken (R8), UnitNotAllocated, or SubmitContention when
   *   the unit stayed too busy for every attempt.
   */
  async submit(req: SubmitRequest): Promise<SubmitOutcome> {
    // Read the counters before taking a number: the number should reach the allocation item as soon
    // as possible after it is drawn, so that receipts rarely arrive out of order.
    let state = claimOutcome(req.counters ?? (await this.waitlist.counters(req.programmeId, req.unitOrgId)));
    let sequence = await this.nextSequence(req.programmeId);
    let digest = await req.digest(sequence);
    let stale = 0;
    let renumber = false;
    return withRetry(
      async () => {
        if (renumber) {
          sequence = await this.nextSequence(req.programmeId);
          digest = await req.digest(sequence);
          renumber = false;
        }
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: submitItems(this.tableName, req, state, sequence, digest),
          }),
        );
        return { state, sequence, submittedAt: req.submittedAt, digest };
      },
      {
        maxAttempts: MAX_SUBMIT_ATTEMPTS,
        retryAfter: (err, n) => {
          const reasons = cancellationReasons(err);
          if (!reasons) return undefined;
          if (isTransactionConflict(err)) {
            this.observer.count('retry.transactionConflicts');
            return backoffMs(n);
          }
          if (reasons[SUBMIT_ITEM.application] === CONDITION_FAILED) {
            throw new DraftNotSubmittable(req.applicationId, { cause: err });
          }
          if (reasons[SUBMIT_ITEM.person] === CONDITION_FAILED) {
            throw new PersonLevelTaken(req.level, { cause: err });
          }
          if (reasons[SUBMIT_ITEM.allocation] !== CONDITION_FAILED) return undefined;
          const unit = cancelledItem(err, SUBMIT_ITEM.allocation);
          if (!unit) throw new UnitNotAllocated(req.programmeId, req.unitOrgId, { cause: err });
          let wait = 0;
          if (typeof unit.lastClaimSequence === 'number' && unit.lastClaimSequence >= sequence) {
            // A later receipt committed first in this unit: take a fresh, higher number. Someone else
            // committed, so the unit made progress; back off a little only when it keeps happening.
            this.observer.count('retry.staleReceipts');
            if (++stale > 2) wait = backoffMs(stale - 2, 2, 50);
            renumber = true;
          }
          state = claimOutcome(unit as unknown as UnitCounters);
          return wait;
        },
        exhausted: (err) => new SubmitContention(req.unitOrgId, { cause: err }),
      },
    );
  }

  /**
   * Releases an application's place or waitlist position as it stops being live (withdrawal,
   * rejection, lapse). In the same transaction the earliest waitlisted applicant of the unit takes
   * the freed place, so no place is idle while someone waits, and the application lets go of what it
   * holds as a live application: its person-and-level item (R8), its account-and-programme item and,
   * for a draft, its place in the account's live-draft count (issue 10 point 8).
   *
   * @throws ApplicationNotFound; ApplicationNotInState when it is not in a status of `from` (or not at
   *   the step `currentOrgId`); PaymentsHeld when a run holds or has paid a payment of it.
   */
  async release(req: ReleaseRequest): Promise<ReleaseOutcome> {
    return withRetry(() => this.releaseOnce(req), {
      maxAttempts: MAX_ATTEMPTS,
      retryAfter: (err, n) => this.afterCancelled(err, n),
      exhausted: () =>
        new Error(`release of ${req.applicationId} did not settle after ${MAX_ATTEMPTS} attempts`),
    });
  }

  private async releaseOnce(req: ReleaseRequest): Promise<ReleaseOutcome> {
    const app = await this.application(req.applicationId);
    if (!app) throw new ApplicationNotFound(req.applicationId);
    if (!req.from.includes(app.status)) throw new ApplicationNotInState(req.applicationId, app.status);
    // A payment held or paid ties the place to this application for good (no second subsidy for it).
    if ((app.paymentsHeld ?? 0) > 0) throw new PaymentsHeld(req.applicationId);
    if (req.currentOrgId !== undefined && app.currentOrgId !== req.currentOrgId) {
      throw new ApplicationNotInState(req.applicationId, app.status);
    }
    const quotaState = (app.quotaState ?? 'none') as PlaceState;
    const next =
      quotaState === 'claimed'
        ? (await this.waitlist.earliest(app.programmeId, app.unitOrgId))[0]
        : undefined;
    const plan = releasePlan(quotaState, next?.applicationId);
    const locks = await this.locksHeldBy(app);
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: releaseItems(this.tableName, req, {
          app,
          quotaState,
          next: plan.promote ? next : undefined,
          locks,
        }),
      }),
    );
    return { released: quotaState, promotedApplicationId: plan.promote };
  }

  /**
   * R15: moves places from one unit to another. The source keeps at least as many places as it has
   * holders ({@link PlacesInUse} otherwise); the places added go at once to the target's earliest
   * waitlisted applicants. Answers the applications promoted.
   */
  async reallocate(
    programmeId: string,
    fromUnitOrgId: string,
    toUnitOrgId: string,
    places: number,
    at: string,
  ): Promise<string[]> {
    const promoted = await withRetry(
      async () => {
        const [from, to] = await Promise.all([
          this.waitlist.consistentCounters(programmeId, fromUnitOrgId),
          this.waitlist.consistentCounters(programmeId, toUnitOrgId),
        ]);
        if (!canGivePlaces(from, places)) throw new PlacesInUse(fromUnitOrgId, places);
        const free = to.places + places - to.claimed;
        const waiting =
          free > 0 && to.waitlisted > 0
            ? await this.waitlist.earliest(
                programmeId,
                toUnitOrgId,
                Math.min(free, to.waitlisted, PROMOTIONS_PER_TRANSACTION),
              )
            : [];
        const move = { fromUnitOrgId, toUnitOrgId, places };
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: reallocationItems(this.tableName, programmeId, move, from, to, waiting, at),
          }),
        );
        return waiting.map((w) => w.applicationId);
      },
      {
        maxAttempts: MAX_ATTEMPTS,
        retryAfter: (err, n) => this.afterCancelled(err, n),
        exhausted: () =>
          new Error(`reallocation in ${programmeId} did not settle after ${MAX_ATTEMPTS} attempts`),
      },
    );
    // More than one transaction can carry: fill whatever places are still free.
    promoted.push(...(await this.fillFreePlaces(programmeId, toUnitOrgId, at)));
    return promoted;
  }

  /** Promotes waitlisted applicants, one transaction each, while the unit has free places. */
  async fillFreePlaces(programmeId: string, unitOrgId: string, at: string): Promise<string[]> {
    const promoted: string[] = [];
    for (;;) {
      const next = await withRetry(() => this.promoteOne(programmeId, unitOrgId, at), {
        maxAttempts: MAX_ATTEMPTS,
        retryAfter: (err, n) => this.afterCancelled(err, n),
      }).catch((err: unknown) => {
        // Still contended after every attempt: the places stay for the next release to fill.
        if (cancellationReasons(err)) return undefined;
        throw err;
      });
      if (!next) return promoted;
      promoted.push(next);
    }
  }

  /** The earliest waiting applicant takes a free place; undefined when none is free or nobody waits. */
  private async promoteOne(programmeId: string, unitOrgId: string, at: string): Promise<string | undefined> {
    const unit = await this.waitlist.consistentCounters(programmeId, unitOrgId);
    if (unit.claimed >= unit.places || unit.waitlisted === 0) return undefined;
    const [next] = await this.waitlist.earliest(programmeId, unitOrgId);
    if (!next) return undefined;
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          ...promotionItems(this.tableName, programmeId, unitOrgId, next, at),
          counterChange(
            this.tableName,
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
    return next.applicationId;
  }

  /** A cancelled transaction — a conflict, or the world changed since the read — is read and redone. */
  private afterCancelled(err: unknown, attempt: number): number | undefined {
    if (!cancellationReasons(err)) return undefined;
    if (isTransactionConflict(err)) this.observer.count('retry.transactionConflicts');
    return backoffMs(attempt);
  }

  private async application(applicationId: string): Promise<ApplicationRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: applicationKey(applicationId), ConsistentRead: true }),
    );
    return out.Item as ApplicationRecord | undefined;
  }

  /**
   * The live-application locks this application holds. R8 says once per person and level, and a
   * rejected, withdrawn or lapsed application has not used that chance, so its person-and-level item
   * must not outlive it. Each lock is read first (strongly) and its delete conditioned on naming this
   * application, so a lock another application holds now — or none, for records stored without one —
   * is left alone.
   */
  private async locksHeldBy(app: ApplicationRecord): Promise<{ pk: string; sk: string }[]> {
    const locks = [
      typeof app.idHash === 'string' && typeof app.enrolment?.level === 'string'
        ? personLevelKey(app.idHash, app.enrolment.level)
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
        return out.Item?.applicationId === app.id ? Key : undefined;
      }),
    );
    return held.filter((k): k is { pk: string; sk: string } => k !== undefined);
  }
}
