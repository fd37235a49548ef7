import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  canGivePlaces,
  claimShard,
  growShards,
  homeShard,
  MAX_SHARDS,
  type PlaceState,
  placesOwed,
  releasePlan,
  type ShardCounters,
  unitTotals,
} from '../domain/places.ts';
import { type ApplicationRecord, placePaidFor } from '../model/application.ts';
import { channelObserver, type Observer } from '../observer.ts';
import { cancellationReasons, cancelledItem, isThrottled } from './errors.ts';
import { accountProgrammeKey, applicationKey, personLevelKey } from './keys.ts';
import {
  ApplicationNotFound,
  ApplicationNotInState,
  DraftNotSubmittable,
  PaymentsHeld,
  PersonLevelTaken,
  PlacesInUse,
  ShardCountInvalid,
  SubmitContention,
  UnitNotAllocated,
} from './persistence-errors.ts';
import {
  counterChange,
  growShardItems,
  promotionItems,
  type ReleaseRequest,
  reallocationItems,
  releaseItems,
  SUBMIT_ITEM,
  type SubmitRequest,
  shardChange,
  shardCheckIndex,
  submitItems,
} from './place-items.ts';
import { Receipts } from './receipts.ts';
import { backoffMs, isTransactionConflict, sleep, type TransactItem, withRetry } from './retry.ts';
import { type AllocationItem, shardOf, type Waitlist } from './waitlist.ts';

/** One submit attempt's failure, with the transaction it sent (to read its cancellation reasons). */
class SubmitAttemptFailed extends Error {
  declare items: TransactItem[];
  declare placement: { shard: number; shards: number };
  declare state: 'claimed' | 'waitlisted';
  constructor(cause: unknown) {
    super('submit attempt failed', { cause });
  }
}

export interface SubmitOutcome {
  state: 'claimed' | 'waitlisted';
  /** The shard whose place it holds (0 when unsharded or waiting). */
  shard: number;
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
/**
 * How long a submission keeps trying before it answers SubmitContention (429, try again) rather than
 * run into the API's 29 s limit (a 500 whose transaction may still commit).
 */
export const SUBMIT_BUDGET_MS = 26_000;
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
    private readonly receipts = new Receipts(db, tableName),
  ) {}

  /**
   * The next receipt number of an unsharded allocation unit (R8 先到先得: submission order within the
   * unit, where first come, first served is decided; architecture.md §3), above `floor` when given.
   */
  async nextSequence(programmeId: string, unitOrgId: string, floor = 0): Promise<number> {
    const drawn = await this.receipts.next(programmeId, unitOrgId, 1, 0, floor);
    if (drawn === undefined) throw new SubmitContention(unitOrgId);
    return drawn;
  }

  /**
   * Submits a draft: one transaction claims a place in its unit — in its home shard, or another
   * with a free place when that one is full — or joins the unit's waitlist when every place of every
   * shard is taken, writes the person-and-level uniqueness item (R8) and moves the draft to
   * `in_review`. Each shard only accepts increasing receipt numbers for its claims, and the unit's
   * waitlist only increasing receipts for its joins, each join checking every shard: within a unit
   * the earliest submissions hold the places, and a join's position is the one it keeps.
   *
   * @throws DraftNotSubmittable, PersonLevelTaken (R8), UnitNotAllocated, or SubmitContention when
   *   the unit stayed too busy for every attempt.
   */
  async submit(req: SubmitRequest): Promise<SubmitOutcome> {
    // Read the counters before taking a number: the number should reach the allocation item as soon
    // as possible after it is drawn, so that receipts rarely arrive out of order. Strongly: a stale
    // count sends a claim to a full shard or a join to a unit with a free place, a transaction lost.
    let unit: { shards: ShardCounters[]; waitlisted: number } = await this.waitlist.unit(
      req.programmeId,
      req.unitOrgId,
      true,
    );
    let floor = 0;
    let stale = 0;
    let reread = false;
    // Shards past home to start from: each throttled attempt moves a sharded submit to the next
    // shard, away from the item DynamoDB found hot (its counter or its allocation item).
    let detour = 0;
    const draw = async (): Promise<number> => {
      for (let n = 0; n < MAX_ATTEMPTS; n++) {
        const shards = unit.shards.length;
        // The counter of the shard it will claim in (its home shard's while that has a free place):
        // a receipt of another shard's counter is often behind that shard's own claims, and each such
        // stale receipt writes the counter twice more (the jump past them, then a draw).
        const counter =
          claimShard(req.applicationId, unit.shards, detour) ?? homeShard(req.applicationId, shards, detour);
        const drawn = await this.receipts.next(req.programmeId, req.unitOrgId, shards, counter, floor);
        if (drawn !== undefined) return drawn;
        // The unit's shard count changed (or is changing): read it again.
        if (n > 0) await sleep(backoffMs(n, 2, 50));
        unit = await this.waitlist.unit(req.programmeId, req.unitOrgId, true);
      }
      throw new SubmitContention(req.unitOrgId);
    };
    const started = performance.now();
    let sequence = 0;
    let digest = '';
    let renumber = true;
    return withRetry(
      async () => {
        if (reread) {
          unit = await this.waitlist.unit(req.programmeId, req.unitOrgId, true);
          reread = false;
        }
        if (placesOwed(unit)) {
          // Free places while someone waits: a reallocation whose promotions have not all been made
          // (or stopped half-way). They are the waiting's, in receipt order: promote first.
          await this.fillFreePlaces(req.programmeId, req.unitOrgId, req.submittedAt);
          unit = await this.waitlist.unit(req.programmeId, req.unitOrgId, true);
        }
        if (renumber) {
          sequence = await draw();
          digest = await req.digest(sequence);
          renumber = false;
        }
        const shard = claimShard(req.applicationId, unit.shards, detour);
        const state = shard === undefined ? 'waitlisted' : 'claimed';
        const placement = {
          shard: shard ?? 0,
          shards: unit.shards.length,
          behindWaiting: unit.waitlisted > 0,
        };
        const items = submitItems(this.tableName, req, state, sequence, digest, placement);
        try {
          await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        } catch (err) {
          throw Object.assign(new SubmitAttemptFailed(err), { items, placement, state });
        }
        return { state, sequence, submittedAt: req.submittedAt, digest, shard: placement.shard };
      },
      {
        maxAttempts: MAX_SUBMIT_ATTEMPTS,
        retryAfter: (failed, n) => {
          const err = failed instanceof SubmitAttemptFailed ? failed.cause : failed;
          if (performance.now() - started > SUBMIT_BUDGET_MS)
            throw new SubmitContention(req.unitOrgId, { cause: err });
          if (isThrottled(err)) {
            // The SDK's own retries were throttled too (a hot item): wait longer, then again — on a
            // sharded unit from the next shard, with a number from that shard's counter.
            this.observer.count('retry.throttled');
            if (unit.shards.length > 1) {
              detour++;
              renumber = true;
            }
            return backoffMs(n, 25, 1000);
          }
          if (!(failed instanceof SubmitAttemptFailed)) return undefined;
          const reasons = cancellationReasons(err);
          if (!reasons) throw err;
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
          // What the failed allocation items hold now: the shard claimed in, or the unit's own item
          // and every shard a join checked.
          const { items, placement, state } = failed;
          const seen: AllocationItem[] = [];
          if (reasons[SUBMIT_ITEM.allocation] === CONDITION_FAILED) {
            const item = cancelledItem(err, SUBMIT_ITEM.allocation) as AllocationItem | undefined;
            if (!item) throw new UnitNotAllocated(req.programmeId, req.unitOrgId, { cause: err });
            const k = state === 'claimed' ? placement.shard : 0;
            unit.shards[k] = shardOf(item as unknown as Record<string, unknown>, k);
            if (k === 0) unit.waitlisted = item.waitlisted;
            if (k === 0 && (item.shards ?? 1) !== unit.shards.length) reread = true;
            seen.push(item);
          }
          if (state === 'waitlisted') {
            for (let k = 1; k < placement.shards; k++) {
              const at = shardCheckIndex(items, k);
              if (reasons[at] !== CONDITION_FAILED) continue;
              const item = cancelledItem(err, at) as AllocationItem | undefined;
              if (!item) continue;
              unit.shards[k] = shardOf(item as unknown as Record<string, unknown>, k);
              seen.push(item);
            }
          }
          if (seen.length === 0) return undefined;
          let wait = 0;
          const latest = Math.max(
            0,
            ...seen.map((i) => Math.max(i.lastClaimSequence ?? 0, i.lastJoinSequence ?? 0)),
          );
          if (latest >= sequence) {
            // A later receipt committed first in this unit: take a fresh, higher number. Someone else
            // committed, so the unit made progress; back off a little only when it keeps happening.
            this.observer.count('retry.staleReceipts');
            floor = Math.max(floor, latest);
            if (++stale > 2) wait = backoffMs(stale - 2, 2, 50);
            renumber = true;
          }
          return wait;
        },
        exhausted: (err) =>
          new SubmitContention(req.unitOrgId, {
            cause: err instanceof SubmitAttemptFailed ? err.cause : err,
          }),
      },
    );
  }

  /**
   * Splits a unit's places over `shards` sub-allocations (architecture.md §3), or more than it has:
   * the free places are spread evenly, held places stay where they are, the unit's places do not
   * change. N only grows; asking for the count it has changes nothing. Safe to run again after a crash.
   *
   * @throws ShardCountInvalid below the unit's count or above MAX_SHARDS; UnitNotAllocated.
   */
  async setShards(
    programmeId: string,
    unitOrgId: string,
    shards: number,
    at: string,
  ): Promise<ShardCounters[]> {
    const before = await this.waitlist.unit(programmeId, unitOrgId, true);
    if (!Number.isInteger(shards) || shards < before.shards.length || shards > MAX_SHARDS) {
      throw new ShardCountInvalid(unitOrgId, before.shards.length, shards);
    }
    if (shards === before.shards.length) return before.shards;
    await withRetry(
      async () => {
        let unit = await this.waitlist.unit(programmeId, unitOrgId, true);
        if (unit.shards.length >= shards) return;
        if (placesOwed(unit)) {
          // Places owed to the waiting are theirs before any is spread over new shards.
          await this.fillFreePlaces(programmeId, unitOrgId, at);
          unit = await this.waitlist.unit(programmeId, unitOrgId, true);
        }
        await this.receipts.grow(programmeId, unitOrgId, unit.shards.length, shards);
        const plan = growShards(unit.shards, shards);
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: growShardItems(this.tableName, programmeId, unitOrgId, unit.shards, plan, at),
          }),
        );
      },
      {
        maxAttempts: MAX_ATTEMPTS,
        retryAfter: (err, n) => this.afterCancelled(err, n),
        exhausted: () => new Error(`growing ${unitOrgId} to ${shards} shards did not settle`),
      },
    );
    return (await this.waitlist.unit(programmeId, unitOrgId, true)).shards;
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
    // A payment, or a transfer of its funders' shares, held or paid ties the place to this
    // application for good (no second subsidy for it).
    if (placePaidFor(app)) throw new PaymentsHeld(req.applicationId);
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
          shard: app.quotaShard ?? 0,
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
          this.waitlist.unit(programmeId, fromUnitOrgId, true),
          this.waitlist.unit(programmeId, toUnitOrgId, true),
        ]);
        if (!canGivePlaces(unitTotals(from.shards, from.waitlisted), places)) {
          throw new PlacesInUse(fromUnitOrgId, places);
        }
        // The places join the target's own allocation item (shard 0), where its waiting take them.
        const head = { places: to.head.places, claimed: to.head.claimed, waitlisted: to.waitlisted };
        const free = head.places + places - head.claimed;
        const waiting =
          free > 0 && head.waitlisted > 0
            ? await this.waitlist.earliest(
                programmeId,
                toUnitOrgId,
                Math.min(free, head.waitlisted, PROMOTIONS_PER_TRANSACTION),
              )
            : [];
        const move = { fromUnitOrgId, toUnitOrgId, places };
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: reallocationItems(
              this.tableName,
              programmeId,
              move,
              from.shards,
              head,
              waiting,
              at,
            ),
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
    const unit = await this.waitlist.unit(programmeId, unitOrgId, true);
    const shard = unit.shards.find((s) => s.claimed < s.places)?.shard;
    if (shard === undefined || unit.waitlisted === 0) return undefined;
    const [next] = await this.waitlist.earliest(programmeId, unitOrgId);
    if (!next) return undefined;
    const counters =
      shard === 0
        ? [
            counterChange(
              this.tableName,
              programmeId,
              unitOrgId,
              1,
              -1,
              'claimed < places AND waitlisted > :zero',
              next.sequence,
            ),
          ]
        : [
            shardChange(this.tableName, programmeId, unitOrgId, shard, 1, 'claimed < places', next.sequence),
            counterChange(this.tableName, programmeId, unitOrgId, 0, -1, 'waitlisted > :zero'),
          ];
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          ...promotionItems(this.tableName, programmeId, unitOrgId, next, at, shard),
          ...counters,
        ],
      }),
    );
    return next.applicationId;
  }

  /** A cancelled transaction — a conflict, or the world changed since the read — is read and redone. */
  private afterCancelled(err: unknown, attempt: number): number | undefined {
    if (isThrottled(err)) {
      this.observer.count('retry.throttled');
      return backoffMs(attempt, 25, 1000);
    }
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
