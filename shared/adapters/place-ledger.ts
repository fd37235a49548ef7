import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
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
  sequencerJoins,
  unitTotals,
} from '../domain/places.ts';
import { type ApplicationRecord, placePaidFor } from '../model/application.ts';
import { channelObserver, type Observer } from '../observer.ts';
import {
  cancellationReasons,
  cancelledItem,
  isConditionFailed,
  isRefusedForLoad,
  isThrottled,
} from './errors.ts';
import {
  ALLOCATION_PREFIX,
  accountProgrammeKey,
  applicationKey,
  joinDrawKey,
  joinDrawPartition,
  joinRepairKey,
  personLevelKey,
  programmePartition,
  sequenceSortKey,
} from './keys.ts';
import {
  ApplicationNotFound,
  ApplicationNotInState,
  DraftNotSubmittable,
  JoinsInFlight,
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
  JOIN_COMMIT_ITEM,
  type JoinSlot,
  joinCommitItems,
  joinDrawUpdate,
  joinNumberingBase,
  joinVoidItems,
  promotionItems,
  type ReleaseRequest,
  reallocationItems,
  releaseItems,
  SUBMIT_ITEM,
  type SubmitRequest,
  shardChange,
  shardCheckIndex,
  submitItems,
  type WaitingApplicant,
} from './place-items.ts';
import { countAll, queryAll } from './query.ts';
import { Receipts } from './receipts.ts';
import {
  backoffMs,
  isTransactionConflict,
  sleep,
  type TransactItem,
  transactWithRetry,
  withRetry,
} from './retry.ts';
import { type AllocationItem, shardOf, type UnitLedger, type Waitlist } from './waitlist.ts';
import { writeIf } from './writes.ts';

/**
 * Units this process last saw joined by the sequencer, by table, programme and unit, with whether
 * they were sharded (per container in Lambda). A submit to one of them draws at once, without reading
 * the unit first: the draw's condition is the whole check ({@link joinDrawUpdate}), so a unit that
 * changed since (a place freed, shards grown) costs only the refused draw and a read.
 */
const sequencerUnits = new Map<string, boolean>();
const unitKey = (tableName: string, programmeId: string, unitOrgId: string) =>
  `${tableName}|${programmeId}|${unitOrgId}`;

/** A unit's ledger as read, rather than a join's slot or outcome. */
const isLedger = (x: object): x is UnitLedger => 'head' in x;

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
  /** A sequenced join's waitlist position, drawn with its slot (else the route reads it: `positionOnJoin`). */
  position?: number;
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
 * How long after the repair pass marks a unit's draws it may void those still unsettled: well past the
 * longest a submit runs (its function's 29 s), so that only a join whose function stopped is voided.
 */
export const JOIN_REPAIR_GRACE_MS = 120_000;
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
   * waitlist only increasing receipts for its joins, the join that starts it checking every shard:
   * within a unit the earliest submissions hold the places, and a join's position is the one it keeps.
   * Once the unit is full (sharded: once someone waits), the sequencer joins it ({@link sequencedJoin}).
   *
   * @throws DraftNotSubmittable, PersonLevelTaken (R8), UnitNotAllocated, or SubmitContention when
   *   the unit stayed too busy for every attempt.
   */
  async submit(req: SubmitRequest): Promise<SubmitOutcome> {
    const started = performance.now();
    const sharded = sequencerUnits.get(unitKey(this.tableName, req.programmeId, req.unitOrgId));
    let refused: UnitLedger | undefined;
    if (sharded !== undefined) {
      const joined = await this.sequencedJoin(req, started, sharded).catch((err: unknown) => {
        // Throttled or in conflict before any slot was drawn (the unit's read, its numbering base):
        // nothing is held, and the path below reads the unit and retries.
        if (isRefusedForLoad(err)) return undefined;
        throw err;
      });
      if (joined && !isLedger(joined)) return joined;
      refused = joined;
    }
    // Read the counters before taking a number: the number should reach the allocation item as soon
    // as possible after it is drawn, so that receipts rarely arrive out of order. Strongly: a stale
    // count sends a claim to a full shard or a join to a unit with a free place, a transaction lost.
    let unit: UnitLedger = refused ?? (await this.waitlist.unit(req.programmeId, req.unitOrgId, true));
    // Above every receipt the sequencer gave a join: a claim after the waitlist emptied, or in a shard
    // of a unit grown after its joins, must not reuse one of their numbers.
    let floor = unit.head.lastJoinSequence ?? 0;
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
        if (sequencerJoins(unit)) {
          // Full (and, sharded, someone already waits): the sequencer joins it, one write of its
          // allocation item.
          const joined = await this.sequencedJoin(req, started, unit.shards.length > 1);
          if (!isLedger(joined)) return joined;
          // A place came free or the unit grew meanwhile (the unit as read then): the transaction decides.
          unit = joined;
        }
        // A number drawn before the sequencer gave joins higher ones is not used (a claim in a shard
        // k > 0 does not check the unit's joins itself).
        const lastJoined = unit.head.lastJoinSequence ?? 0;
        if (lastJoined > floor) {
          floor = lastJoined;
          if (sequence <= floor) renumber = true;
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
   * A join of a full unit in two writes (architecture.md §3, "The sequencer"; sharded, once someone
   * waits: {@link sequencerJoins}): the draw
   * takes the slot, the receipt and the position on the unit's allocation item ({@link joinDrawUpdate});
   * then one transaction commits the submission with the draw's settlement item. A commit refused (the
   * draft changed, the person-and-level taken) or out of time gives the slot back ({@link joinVoidItems});
   * a commit whose answer was lost is found by its settlement item. When the unit no longer joins by
   * the sequencer, the unit as the refused draw read it: the transaction path decides then.
   */
  private async sequencedJoin(
    req: SubmitRequest,
    started: number,
    sharded: boolean,
  ): Promise<SubmitOutcome | UnitLedger> {
    const slot = await this.drawJoin(req, started, sharded);
    if (isLedger(slot)) return slot;
    let failure: unknown;
    try {
      const digest = await req.digest(slot.sequence);
      await withRetry(
        () =>
          this.db.send(
            new TransactWriteCommand({ TransactItems: joinCommitItems(this.tableName, req, slot, digest) }),
          ),
        {
          maxAttempts: MAX_SUBMIT_ATTEMPTS,
          retryAfter: (err, n) => {
            if (performance.now() - started > SUBMIT_BUDGET_MS) return undefined;
            if (isThrottled(err)) {
              this.observer.count('retry.throttled');
              return backoffMs(n, 25, 1000);
            }
            if (!isTransactionConflict(err)) return undefined;
            this.observer.count('retry.transactionConflicts');
            return backoffMs(n);
          },
        },
      );
      return {
        state: 'waitlisted',
        shard: 0,
        sequence: slot.sequence,
        submittedAt: req.submittedAt,
        digest,
        position: slot.position,
      };
    } catch (err) {
      failure = err;
    }
    const settled = await this.voidJoin(req.programmeId, req.unitOrgId, slot.draw, req.submittedAt).catch(
      (err: unknown) => {
        // Not given back now: the repair pass will. The worker may try again.
        throw new SubmitContention(req.unitOrgId, { cause: err });
      },
    );
    if (settled?.state === 'joined' && settled.applicationId === req.applicationId) {
      // An earlier attempt committed and its answer was lost: the join stands.
      return {
        state: 'waitlisted',
        shard: 0,
        sequence: slot.sequence,
        submittedAt: req.submittedAt,
        digest: await req.digest(slot.sequence),
        position: slot.position,
      };
    }
    // Voided by the repair pass while this submit ran past every deadline: try again.
    if (settled) throw new SubmitContention(req.unitOrgId, { cause: failure });
    const reasons = cancellationReasons(failure);
    if (reasons?.[JOIN_COMMIT_ITEM.application] === CONDITION_FAILED) {
      throw new DraftNotSubmittable(req.applicationId, { cause: failure });
    }
    if (reasons?.[JOIN_COMMIT_ITEM.person] === CONDITION_FAILED) {
      throw new PersonLevelTaken(req.level, { cause: failure });
    }
    if (isThrottled(failure) || isTransactionConflict(failure)) {
      throw new SubmitContention(req.unitOrgId, { cause: failure });
    }
    throw failure;
  }

  /**
   * The sequencer's draw of a join slot; when the unit no longer joins by it ({@link sequencerJoins}),
   * the unit as read after the refused draw.
   */
  private async drawJoin(
    req: SubmitRequest,
    started: number,
    shardedAsRead: boolean,
  ): Promise<JoinSlot | UnitLedger> {
    let sharded = shardedAsRead;
    for (let n = 0; n < MAX_SUBMIT_ATTEMPTS; n++) {
      if (performance.now() - started > SUBMIT_BUDGET_MS) throw new SubmitContention(req.unitOrgId);
      try {
        const out = await this.db.send(
          new UpdateCommand(joinDrawUpdate(this.tableName, req.programmeId, req.unitOrgId, sharded)),
        );
        const drawn = out.Attributes ?? {};
        sequencerUnits.set(unitKey(this.tableName, req.programmeId, req.unitOrgId), sharded);
        return {
          sequence: drawn.lastJoinSequence as number,
          draw: drawn.joinDraws as number,
          position: drawn.waitlisted as number,
        };
      } catch (err) {
        if (await this.waitedOut(err, n)) continue;
        if (!isConditionFailed(err)) throw err;
      }
      const unit = await this.waitlist.unit(req.programmeId, req.unitOrgId, true);
      if (!sequencerJoins(unit)) {
        sequencerUnits.delete(unitKey(this.tableName, req.programmeId, req.unitOrgId));
        return unit;
      }
      const { head } = unit;
      const wasSharded = sharded;
      sharded = unit.shards.length > 1;
      if (sharded !== wasSharded) continue;
      // The first join, or the first since claims (or joins by transaction) numbered from the
      // counters: number above them.
      const base = Math.max(
        head.lastClaimSequence ?? 0,
        head.lastJoinSequence ?? 0,
        sharded ? (head.lastSequencedJoin ?? 0) : 0,
      );
      try {
        await writeIf(() =>
          this.db.send(
            new UpdateCommand(
              joinNumberingBase(this.tableName, req.programmeId, req.unitOrgId, base, sharded),
            ),
          ),
        );
      } catch (err) {
        if (!(await this.waitedOut(err, n))) throw err;
      }
    }
    throw new SubmitContention(req.unitOrgId);
  }

  /**
   * Waits before the next attempt at a single write of a unit's hot item that DynamoDB refused for
   * its load: throttled (the SDK's own retries were throttled too: the item is at its write rate), or
   * in conflict with a transaction then writing the item (`TransactionConflictException`, which the
   * SDK does not retry). False for any other error.
   */
  private async waitedOut(err: unknown, attempt: number): Promise<boolean> {
    if (isThrottled(err)) {
      this.observer.count('retry.throttled');
      await sleep(backoffMs(attempt, 25, 1000));
      return true;
    }
    if (isTransactionConflict(err)) {
      this.observer.count('retry.transactionConflicts');
      await sleep(backoffMs(attempt));
      return true;
    }
    return false;
  }

  /**
   * Gives a draw back unless it is settled: its void and the unit's waitlist one shorter, in one
   * transaction. Answers the draw's settlement item when it already had one (the join committed, or
   * another pass voided it), undefined when this call voided it. Conflicts are tried again; what still
   * fails is left to the repair pass ({@link repairJoins}).
   */
  private async voidJoin(
    programmeId: string,
    unitOrgId: string,
    draw: number,
    at: string,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      await transactWithRetry(
        this.db,
        joinVoidItems(this.tableName, programmeId, unitOrgId, draw, at),
        this.observer,
      );
      this.observer.count('joins.voided');
      return undefined;
    } catch (err) {
      if (cancellationReasons(err)?.[0] !== CONDITION_FAILED) throw err;
    }
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: joinDrawKey(programmeId, unitOrgId, draw),
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }

  /**
   * Waits until every join drawn before `upTo` (a draw number) has settled — committed or given back
   * — so that a place handed to the earliest waiting never passes over an earlier receipt whose join
   * is still being written (architecture.md §3). Throws {@link JoinsInFlight} (tried again by the
   * caller) while one has not.
   */
  private async joinsSettled(programmeId: string, unitOrgId: string, upTo: number): Promise<void> {
    if (upTo <= 0) return;
    const repair = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: joinRepairKey(programmeId, unitOrgId),
        ConsistentRead: true,
      }),
    );
    const done = (repair.Item?.done as number | undefined) ?? 0;
    if (upTo <= done) return;
    const settled = await countAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': joinDrawPartition(programmeId, unitOrgId),
        ':from': sequenceSortKey(done + 1),
        ':to': sequenceSortKey(upTo),
      },
      ConsistentRead: true,
    });
    if (settled < upTo - done) {
      // Marks the draws for the repair pass (or voids those marked long enough ago): a join whose
      // function stopped holds up the places only until then.
      await this.repairJoins(programmeId, unitOrgId, new Date());
      throw new JoinsInFlight(unitOrgId);
    }
  }

  /** {@link joinsSettled} for the waiting about to take places: every draw before the latest of them. */
  private async beforePromoting(
    programmeId: string,
    unitOrgId: string,
    head: AllocationItem,
    waiting: readonly WaitingApplicant[],
  ): Promise<void> {
    const draws = head.joinDraws ?? 0;
    if (draws === 0 || waiting.length === 0) return;
    // A sequenced join's earlier draws; a join by transaction (the unit grew since) follows them all.
    const upTo = Math.max(...waiting.map((w) => (w.draw === undefined ? draws : w.draw - 1)));
    await this.joinsSettled(programmeId, unitOrgId, upTo);
  }

  /**
   * The earliest `limit` waiting of a unit once every draw before them has settled
   * ({@link beforePromoting}), read again after the wait: a join that settled meanwhile may be earlier
   * than those first read, and it is the one owed the place. Until two reads agree. `head`: the unit's
   * allocation item as the caller read it (read here when someone waits, if not given).
   */
  private async settledEarliest(
    programmeId: string,
    unitOrgId: string,
    limit: number,
    head?: AllocationItem,
  ): Promise<WaitingApplicant[]> {
    let read = await this.waitlist.earliest(programmeId, unitOrgId, limit);
    if (read.length === 0) return read;
    const unit = head ?? (await this.waitlist.unit(programmeId, unitOrgId, true)).head;
    for (;;) {
      await this.beforePromoting(programmeId, unitOrgId, unit, read);
      if ((unit.joinDraws ?? 0) === 0) return read;
      const again = await this.waitlist.earliest(programmeId, unitOrgId, limit);
      if (again.map((w) => w.applicationId).join() === read.map((w) => w.applicationId).join()) return read;
      read = again;
    }
  }

  /**
   * The repair pass of a unit's join draws (architecture.md §3, "The sequencer"): a draw whose commit
   * never came — its function stopped between the two writes — holds a waitlist slot nobody fills.
   * Each pass marks how far the unit has drawn; the next pass, at least `graceMs` later (longer than
   * any submit runs), voids every draw up to that mark still without a settlement item, each in one
   * transaction with the unit's waitlist one shorter, and then counts them all settled. Safe to run
   * at any time and twice at once: a void and a late commit of the same draw exclude each other.
   * Answers the draws it voided.
   */
  async repairJoins(
    programmeId: string,
    unitOrgId: string,
    now: Date,
    graceMs = JOIN_REPAIR_GRACE_MS,
  ): Promise<number> {
    const [repairOut, { head }] = await Promise.all([
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: joinRepairKey(programmeId, unitOrgId),
          ConsistentRead: true,
        }),
      ),
      this.waitlist.unit(programmeId, unitOrgId, true),
    ]);
    const repair = repairOut.Item ?? {};
    const done = (repair.done as number | undefined) ?? 0;
    const mark = (repair.mark as number | undefined) ?? 0;
    const markedAt = typeof repair.markedAt === 'string' ? Date.parse(repair.markedAt) : Number.NaN;
    const draws = head.joinDraws ?? 0;
    if (mark > done && !(now.getTime() - markedAt >= graceMs)) return 0; // marked, not yet old enough
    let voided = 0;
    if (mark > done) {
      const settled = new Set(
        (
          await queryAll(this.db, this.tableName, {
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': joinDrawPartition(programmeId, unitOrgId),
              ':from': sequenceSortKey(done + 1),
              ':to': sequenceSortKey(mark),
            },
            ProjectionExpression: 'sk',
            ConsistentRead: true,
          })
        ).map((i) => i.sk as string),
      );
      for (let draw = done + 1; draw <= mark; draw++) {
        if (settled.has(sequenceSortKey(draw))) continue;
        if ((await this.voidJoin(programmeId, unitOrgId, draw, now.toISOString())) === undefined) voided++;
      }
    }
    if (draws <= mark && mark <= done) return voided; // nothing drawn since the last pass
    // Every draw up to the old mark is settled; mark how far the unit has drawn now.
    await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...joinRepairKey(programmeId, unitOrgId),
            type: 'join_repair',
            done: mark,
            mark: Math.max(mark, draws),
            markedAt: now.toISOString(),
          },
          // Two passes at once: only one moves the marks on from what it read.
          ConditionExpression: 'attribute_not_exists(pk) OR (done = :done AND mark = :mark)',
          ExpressionAttributeValues: { ':done': done, ':mark': mark },
        }),
      ),
    );
    return voided;
  }

  /**
   * The repair pass over every unit of a programme that the sequencer joined ({@link repairJoins}):
   * its units' allocation items in one query of the programme's partition. Answers the draws voided.
   */
  async repairProgrammeJoins(programmeId: string, now: Date): Promise<number> {
    const units = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': programmePartition(programmeId), ':prefix': ALLOCATION_PREFIX },
      ConsistentRead: true,
    });
    let voided = 0;
    for (const unit of units) {
      // Shard items (k > 0) carry no draws; only the unit's own item does.
      if (typeof unit.joinDraws !== 'number' || unit.joinDraws === 0) continue;
      voided += await this.repairJoins(programmeId, unit.unitOrgId as string, now);
    }
    return voided;
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
        await this.receipts.grow(
          programmeId,
          unitOrgId,
          unit.shards.length,
          shards,
          unit.head.lastJoinSequence ?? 0,
        );
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
      exhausted: (last) =>
        last instanceof JoinsInFlight
          ? last
          : new Error(`release of ${req.applicationId} did not settle after ${MAX_ATTEMPTS} attempts`),
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
    const [next] =
      quotaState === 'claimed' ? await this.settledEarliest(app.programmeId, app.unitOrgId, 1) : [];
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
        const limit = Math.min(free, head.waitlisted, PROMOTIONS_PER_TRANSACTION);
        const waiting =
          free > 0 && head.waitlisted > 0
            ? await this.settledEarliest(programmeId, toUnitOrgId, limit, to.head)
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
        exhausted: (last) =>
          last instanceof JoinsInFlight
            ? last
            : new Error(`reallocation in ${programmeId} did not settle after ${MAX_ATTEMPTS} attempts`),
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
        // Still contended after every attempt, or an earlier join still being written: the places
        // stay for the next release (or submit) to fill.
        if (cancellationReasons(err) || err instanceof JoinsInFlight) return undefined;
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
    const [next] = await this.settledEarliest(programmeId, unitOrgId, 1, unit.head);
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
    if (err instanceof JoinsInFlight) return backoffMs(attempt, 8, 500);
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
