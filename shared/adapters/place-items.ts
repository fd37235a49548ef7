import { MAX_SHARDS, type PlaceState, type ShardCounters, type UnitCounters } from '../domain/places.ts';
import type { ApplicationRecord, ReviewDecision, TimelineRecord } from '../model/application.ts';
import { applicationIndexes, eventItem } from './application-items.ts';
import { updateExpression } from './expressions.ts';
import {
  accountDraftsKey,
  allocationKey,
  allocationShardKey,
  applicationKey,
  joinDrawKey,
  personLevelKey,
  sequenceSortKey,
  waitlistEntryKey,
} from './keys.ts';
import { applicantNotice, outboxPut } from './notification-items.ts';
import type { TransactItem } from './retry.ts';

/**
 * The place ledger's writes as plain data (architecture.md §3): the items of each `TransactWriteItems` that
 * claims, waits for, releases or promotes a place. Pure functions, testable without DynamoDB; the
 * ledger (`place-ledger.ts`) reads what they need, sends them and reads the cancellation reasons.
 *
 * Longer than our ~350 lines on purpose: every transaction that moves a unit's `claimed` and
 * `waitlisted` counters is here, so that whether they keep the invariant of architecture.md §3 (counters equal
 * the holders and the waiting; no place idle while someone waits) can be checked by reading one file.
 */

export interface SubmitRequest {
  applicationId: string;
  programmeId: string;
  unitOrgId: string;
  /** The draft's `updatedAt` the checks ran on: the draft must not have changed since. */
  expectedUpdatedAt: string;
  idHash: string;
  level: string;
  submittedAt: string;
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
}

/** Index of each item in {@link submitItems}' transaction, to read its cancellation reasons. */
export const SUBMIT_ITEM = { allocation: 0, person: 1, application: 2 } as const;

/**
 * A submission: the unit's allocation item (a claim while `claimed < places`, else a waitlist join),
 * the person-and-level item (R8), the draft's guarded move to `in_review` at the chain's first step,
 * its timeline event, the account's draft count and, when waiting, the waitlist entry.
 */
export function submitItems(
  tableName: string,
  req: SubmitRequest,
  state: 'claimed' | 'waitlisted',
  sequence: number,
  digest: string,
  /**
   * The shard a claim takes its place in, and how many the unit has (architecture.md §3); for a join,
   * whether the unit was read with someone waiting (`behindWaiting`), which spares it the checks of
   * the other shards.
   */
  placement: { shard: number; shards: number; behindWaiting?: boolean } = { shard: 0, shards: 1 },
): TransactItem[] {
  const claimed = state === 'claimed';
  const { shard, shards } = placement;
  // A join of a sharded unit that someone already waits in: see `allocationChange`.
  const behindWaiting = !claimed && shards > 1 && placement.behindWaiting === true;
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName,
        Key: allocationShardKey(req.programmeId, req.unitOrgId, claimed ? shard : 0),
        UpdateExpression: claimed
          ? 'SET claimed = claimed + :one, lastClaimSequence = :seq'
          : 'SET waitlisted = waitlisted + :one, lastJoinSequence = :seq',
        ...allocationChange(claimed, shard, shards, sequence, behindWaiting),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    ...submittedItems(tableName, req, state, sequence, digest, claimed ? shard : 0),
  ];
  if (!claimed) {
    items.push(waitlistEntryPut(tableName, req, sequence));
    // Nobody waits while a place is free, nor ahead of a holder's receipt, in any shard of the unit.
    if (!behindWaiting) {
      for (let k = 1; k < shards; k++) items.push(shardFullCheck(tableName, req, k, sequence));
    }
  }
  items.push(submittedNotice(tableName, req, state, sequence));
  return items;
}

/** A join slot drawn from a full unit's allocation item by the sequencer (`PlaceLedger.submit`). */
export interface JoinSlot {
  /** The receipt number: the unit's `lastJoinSequence` after the draw. */
  sequence: number;
  /** The unit's `joinDraws` after the draw: the key of the draw's settlement item. */
  draw: number;
  /** The unit's `waitlisted` after the draw: the position the join is answered. */
  position: number;
}

/**
 * The sequencer's draw (architecture.md §3): on a full unit, one `UpdateItem` of its allocation item
 * numbers the receipt after every receipt of the unit, takes the next waitlist slot and the next draw,
 * and answers all three (`ReturnValues: UPDATED_NEW`). One write of the hot item per join, never
 * redone: joins are numbered in the order the item takes them.
 *
 * - Unsharded: the unit is still full and unsharded, and its join numbering is above its claims'
 *   (`lastJoinSequence >= lastClaimSequence`; {@link joinNumberingBase} puts it there). Receipts go
 *   on by one, as the unit's counter numbers them; a claim checks `lastJoinSequence` itself.
 * - Sharded (`shards` > 1): the unit's own item is full and someone already waits. While anyone
 *   waits, no shard but the unit's own item gains a free place (see `allocationChange`), so every
 *   shard is full: the join that started the waitlist checked them all. Receipts go on by
 *   {@link MAX_SHARDS} from `lastSequencedJoin`, kept ≡ `MAX_SHARDS − 1` (mod `MAX_SHARDS`): a number no
 *   counter of a unit of fewer than `MAX_SHARDS` shards gives (`Receipts`), so a claim in a shard
 *   k > 0, which does not read the unit's item, never takes one. A unit of `MAX_SHARDS` shards joins
 *   by transaction.
 */
export function joinDrawUpdate(tableName: string, programmeId: string, unitOrgId: string, sharded = false) {
  if (!sharded) {
    return {
      TableName: tableName,
      Key: allocationKey(programmeId, unitOrgId),
      UpdateExpression:
        'SET waitlisted = waitlisted + :one, lastJoinSequence = lastJoinSequence + :one, joinDraws = if_not_exists(joinDraws, :zero) + :one',
      ConditionExpression:
        'attribute_exists(pk) AND claimed >= places AND (attribute_not_exists(shards) OR shards = :one) AND attribute_exists(lastJoinSequence) AND (attribute_not_exists(lastClaimSequence) OR lastJoinSequence >= lastClaimSequence)',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
      ReturnValues: 'UPDATED_NEW' as const,
    };
  }
  return {
    TableName: tableName,
    Key: allocationKey(programmeId, unitOrgId),
    UpdateExpression:
      'SET waitlisted = waitlisted + :one, lastSequencedJoin = lastSequencedJoin + :step, lastJoinSequence = lastSequencedJoin + :step, joinDraws = if_not_exists(joinDraws, :zero) + :one',
    ConditionExpression:
      'attribute_exists(pk) AND claimed >= places AND shards > :one AND shards < :step AND waitlisted > :zero AND attribute_exists(lastSequencedJoin) AND (attribute_not_exists(lastJoinSequence) OR lastSequencedJoin >= lastJoinSequence) AND (attribute_not_exists(lastClaimSequence) OR lastSequencedJoin >= lastClaimSequence)',
    ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':step': MAX_SHARDS },
    ReturnValues: 'UPDATED_NEW' as const,
  };
}

/**
 * Puts a unit's join numbering at `base` (the highest receipt it recorded) when it is absent or below:
 * the sequencer's first draw, or its first after claims (or joins by transaction) took receipts from
 * the counters. Sharded, the base goes up to the next number ≡ `MAX_SHARDS − 1` (mod `MAX_SHARDS`).
 */
export function joinNumberingBase(
  tableName: string,
  programmeId: string,
  unitOrgId: string,
  base: number,
  sharded = false,
) {
  const attribute = sharded ? 'lastSequencedJoin' : 'lastJoinSequence';
  const at = sharded ? sequencedJoinBase(base) : base;
  return {
    TableName: tableName,
    Key: allocationKey(programmeId, unitOrgId),
    UpdateExpression: 'SET #n = :base',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#n) OR #n < :base)',
    ExpressionAttributeNames: { '#n': attribute },
    ExpressionAttributeValues: { ':base': at },
  };
}

/**
 * The least number ≥ `n` that is ≡ `MAX_SHARDS − 1` (mod `MAX_SHARDS`): where a sharded unit's
 * sequencer numbering starts above receipt `n`.
 *
 * @example sequencedJoinBase(33) // 47, with MAX_SHARDS = 16
 */
export function sequencedJoinBase(n: number): number {
  const residue = MAX_SHARDS - 1;
  return n + ((((residue - n) % MAX_SHARDS) + MAX_SHARDS) % MAX_SHARDS);
}

/** Index of each item in {@link joinCommitItems}' transaction, to read its cancellation reasons. */
export const JOIN_COMMIT_ITEM = { person: 0, application: 1 } as const;

/**
 * The second write of a sequenced join (architecture.md §3, "The sequencer"): everything of the
 * submission but the unit's allocation item, whose slot the draw took already — the person-and-level
 * item, the draft's guarded move, its timeline event, the draft count, the waitlist entry, the SMS —
 * and the draw's settlement item, put only if absent: a join and the repair pass's void of the same
 * draw exclude each other, so a slot is either joined or given back, never both.
 */
export function joinCommitItems(
  tableName: string,
  req: SubmitRequest,
  slot: JoinSlot,
  digest: string,
): TransactItem[] {
  return [
    ...submittedItems(tableName, req, 'waitlisted', slot.sequence, digest, 0),
    waitlistEntryPut(tableName, req, slot.sequence, slot.draw),
    {
      Put: {
        TableName: tableName,
        Item: {
          ...joinDrawKey(req.programmeId, req.unitOrgId, slot.draw),
          type: 'join_draw',
          state: 'joined',
          applicationId: req.applicationId,
          sequence: slot.sequence,
          at: req.submittedAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    submittedNotice(tableName, req, 'waitlisted', slot.sequence),
  ];
}

/**
 * A draw given back (a join whose commit was refused or never came): its settlement item, put only if
 * absent (the join did not commit), and the unit's waitlist one shorter. The slot leaves like anyone
 * leaving the waitlist (`departures`): positions answered behind it read one less afterwards.
 */
export function joinVoidItems(
  tableName: string,
  programmeId: string,
  unitOrgId: string,
  draw: number,
  at: string,
): TransactItem[] {
  return [
    {
      Put: {
        TableName: tableName,
        Item: { ...joinDrawKey(programmeId, unitOrgId, draw), type: 'join_draw', state: 'void', at },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    counterChange(tableName, programmeId, unitOrgId, 0, -1, 'waitlisted > :zero'),
  ];
}

/**
 * What every submission writes besides the place: the person-and-level item (R8), the draft's guarded
 * move to `in_review` at the chain's first step, its timeline event and the account's draft count.
 */
function submittedItems(
  tableName: string,
  req: SubmitRequest,
  state: 'claimed' | 'waitlisted',
  sequence: number,
  digest: string,
  shard: number,
): TransactItem[] {
  const submitted = {
    status: 'in_review' as const,
    quotaState: state,
    ...(state === 'claimed' && shard > 0 ? { quotaShard: shard } : {}),
    sequence,
    submittedAt: req.submittedAt,
    digest,
    updatedAt: req.submittedAt,
    currentOrgId: req.reviewerOrgId,
  };
  const indexes = applicationIndexes({
    programmeId: req.programmeId,
    unitOrgId: req.unitOrgId,
    ...submitted,
  });
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
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
        TableName: tableName,
        Key: applicationKey(req.applicationId),
        ...updateExpression(
          { set: { ...submitted, ...indexes.set }, remove: indexes.remove },
          {
            condition: '#status = :draft AND #updatedAt = :expected',
            names: { '#status': 'status', '#updatedAt': 'updatedAt' },
            values: { ':draft': 'draft', ':expected': req.expectedUpdatedAt },
          },
        ),
      },
    },
    {
      Put: {
        TableName: tableName,
        // Audit trail: lodged with the first step of the chain, by the worker.
        Item: eventItem(
          req.applicationId,
          {
            type: 'submitted',
            at: req.submittedAt,
            ...(req.reviewerOrgId ? { orgId: req.reviewerOrgId } : {}),
            ...(req.actor ? { actor: req.actor } : {}),
            sequence,
            quotaState: state,
            unitOrgId: req.unitOrgId,
          },
          `${sequenceSortKey(sequence)}-submitted`,
        ),
      },
    },
  ];
  // Exactly once: the application's draft → in_review guard is in the same transaction.
  if (req.countedDraftOf !== undefined) items.push(draftCountChange(tableName, req.countedDraftOf));
  return items;
}

/** The unit's waitlist entry of a join; a sequenced join's names its draw. */
function waitlistEntryPut(
  tableName: string,
  req: SubmitRequest,
  sequence: number,
  draw?: number,
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...waitlistEntryKey(req.programmeId, req.unitOrgId, sequence),
        type: 'waitlist_entry',
        applicationId: req.applicationId,
        sequence,
        ...(draw === undefined ? {} : { draw }),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The worker's SMS (受理号, place or waitlist position), committed with the submission or not at all. */
function submittedNotice(
  tableName: string,
  req: SubmitRequest,
  state: 'claimed' | 'waitlisted',
  sequence: number,
): TransactItem {
  return outboxPut(
    tableName,
    applicantNotice({ id: req.applicationId, programmeId: req.programmeId }, 'submitted', req.submittedAt, {
      receipt: String(sequence),
      quotaState: state,
      unitOrgId: req.unitOrgId,
    }),
  );
}

/**
 * The conditions of a submit's change of the allocation item it writes (architecture.md §3).
 *
 * - A claim may not overtake a later receipt that already holds a place in its shard. In the unit's
 *   own item, which keeps the waitlist, it takes a free place only while nobody waits: places a
 *   reallocation added that are still owed to the waiting are theirs.
 * - A join, on the unit's own item, lands in receipt order after every claim and every join
 *   (`lastJoinSequence`), so nobody joins ahead of someone already waiting and the position it is
 *   answered is the one it keeps (`Waitlist.positionOnJoin`); it names the shard count it read, so a
 *   unit grown meanwhile is read again. A join of a sharded unit checks every other shard full and
 *   earlier (`shardFullCheck`) — unless it requires someone to be waiting already (`behindWaiting`):
 *   the join that started the waitlist checked every shard, and while anyone waits no shard but the
 *   unit's own item gains a free place (a freed place goes to the earliest waiting in its release,
 *   growth spreads no place while someone waits, a reallocation adds places to the unit's own item)
 *   nor a claim of a later receipt. Each shard is then spared a write per join.
 */
function allocationChange(
  claimed: boolean,
  shard: number,
  shards: number,
  sequence: number,
  behindWaiting: boolean,
): { ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> } {
  const conditions = [
    'attribute_exists(pk)',
    '(attribute_not_exists(lastClaimSequence) OR lastClaimSequence < :seq)',
  ];
  const values: Record<string, unknown> = { ':one': 1, ':seq': sequence };
  if (claimed) {
    conditions.push('claimed < places');
    if (shard === 0) {
      // Nor below a receipt the sequencer gave a join (unsharded: the unit's receipts stay unique).
      conditions.push(
        'waitlisted = :zero',
        '(attribute_not_exists(lastJoinSequence) OR lastJoinSequence < :seq)',
      );
      values[':zero'] = 0;
    }
  } else {
    conditions.push(
      '(attribute_not_exists(lastJoinSequence) OR lastJoinSequence < :seq)',
      'claimed >= places',
      shards === 1 ? '(attribute_not_exists(shards) OR shards = :shards)' : 'shards = :shards',
    );
    values[':shards'] = shards;
    if (behindWaiting) {
      conditions.push('waitlisted > :zero');
      values[':zero'] = 0;
    }
  }
  return { ConditionExpression: conditions.join(' AND '), ExpressionAttributeValues: values };
}

/**
 * Where a waitlist join's check of shard k > 0 sits in its transaction: the checks run together, one
 * per shard, after the waitlist entry (the SMS outbox's item follows them).
 */
export function shardCheckIndex(items: readonly TransactItem[], shard: number): number {
  const first = items.findIndex((item) => item.ConditionCheck !== undefined);
  return first < 0 ? -1 : first + shard - 1;
}

function shardFullCheck(
  tableName: string,
  req: SubmitRequest,
  shard: number,
  sequence: number,
): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: allocationShardKey(req.programmeId, req.unitOrgId, shard),
      ConditionExpression:
        'claimed >= places AND (attribute_not_exists(lastClaimSequence) OR lastClaimSequence < :seq)',
      ExpressionAttributeValues: { ':seq': sequence },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

export interface ReleaseRequest {
  applicationId: string;
  /** The review status the application moves to: withdrawn, rejected or lapsed. */
  status: 'withdrawn' | 'rejected' | 'lapsed';
  /** Statuses it may move from. */
  from: readonly string[];
  at: string;
  event: TimelineRecord;
  /** A reviewer's rejection: the decision joins the application's review record. */
  decision?: ReviewDecision;
  /** Only while this org is the application's current review step (a reviewer's rejection). */
  currentOrgId?: string;
}

/** What a release reads before it writes: the application, its place, and who waits for it. */
export interface ReleaseContext {
  app: ApplicationRecord;
  quotaState: PlaceState;
  /** The earliest waitlisted applicant of the unit, when a held place is released and someone waits. */
  next: WaitingApplicant | undefined;
  /** Keys of the live-application locks (R8 person-and-level, account-and-programme) this application holds. */
  locks: { pk: string; sk: string }[];
  /** The shard whose place it holds (0 when the unit is not sharded). */
  shard?: number;
}

export interface WaitingApplicant {
  applicationId: string;
  sequence: number;
  /** A sequenced join's draw (architecture.md §3). */
  draw?: number;
}

/**
 * A release (withdrawal, rejection, lapse): the application's guarded move out of every queue, its
 * timeline event, the locks and draft count it lets go of, and the unit's counters — with the freed
 * place going to the earliest waitlisted applicant in the same transaction when someone waits.
 */
export function releaseItems(tableName: string, req: ReleaseRequest, ctx: ReleaseContext): TransactItem[] {
  const { app, quotaState, next } = ctx;
  const { programmeId, unitOrgId } = app;
  const items: TransactItem[] = [
    releasedApplication(tableName, req, app, quotaState),
    { Put: { TableName: tableName, Item: eventItem(req.applicationId, req.event) } },
    ...ctx.locks.map((Key) => ({
      Delete: {
        TableName: tableName,
        Key,
        ConditionExpression: 'applicationId = :mine',
        ExpressionAttributeValues: { ':mine': req.applicationId },
      },
    })),
  ];
  if (app.status === 'draft' && app.draftCounted === true && typeof app.ownerSub === 'string') {
    items.push(draftCountChange(tableName, app.ownerSub));
  }
  const shard = ctx.shard ?? 0;
  if (quotaState === 'claimed' && next && shard === 0) {
    items.push(...promotionItems(tableName, programmeId, unitOrgId, next, req.at));
    items.push(counterChange(tableName, programmeId, unitOrgId, 0, -1, 'waitlisted > :zero', next.sequence));
  } else if (quotaState === 'claimed' && next) {
    // The place freed in shard k goes to the unit's earliest waiting receipt, whichever shard.
    items.push(...promotionItems(tableName, programmeId, unitOrgId, next, req.at, shard));
    items.push(
      shardChange(tableName, programmeId, unitOrgId, shard, 0, 'attribute_exists(pk)', next.sequence),
    );
    items.push(counterChange(tableName, programmeId, unitOrgId, 0, -1, 'waitlisted > :zero'));
  } else if (quotaState === 'claimed' && shard === 0) {
    // Nobody waited when we looked: the guard fails if someone joined the waitlist meanwhile.
    items.push(
      counterChange(tableName, programmeId, unitOrgId, -1, 0, 'claimed > :zero AND waitlisted = :zero'),
    );
  } else if (quotaState === 'claimed') {
    items.push(shardChange(tableName, programmeId, unitOrgId, shard, -1, 'claimed > :zero'));
    items.push(nobodyWaits(tableName, programmeId, unitOrgId));
  } else if (quotaState === 'waitlisted') {
    items.push({
      Delete: {
        TableName: tableName,
        Key: waitlistEntryKey(programmeId, unitOrgId, app.sequence as number),
        ConditionExpression: 'attribute_exists(pk)',
      },
    });
    items.push(counterChange(tableName, programmeId, unitOrgId, 0, -1, 'waitlisted > :zero'));
  }
  // A rejection or lapse is told to the worker by SMS in the same transaction; a withdrawal is their own act.
  if (req.status !== 'withdrawn') {
    const reason: Record<string, string> =
      typeof req.event.reason === 'string' ? { reason: req.event.reason } : {};
    items.push(
      outboxPut(
        tableName,
        applicantNotice({ id: req.applicationId, programmeId }, req.status, req.at, {
          receipt: String(app.sequence ?? ''),
          ...reason,
        }),
      ),
    );
  }
  return items;
}

/** The application's own part of a release, guarded on the status, place and step it was read in. */
function releasedApplication(
  tableName: string,
  req: ReleaseRequest,
  app: ApplicationRecord,
  quotaState: PlaceState,
): TransactItem {
  const released = {
    ...(req.decision ? { decisions: [...(app.decisions ?? []), req.decision] } : {}),
    status: req.status,
    quotaState: quotaState === 'none' ? ('none' as const) : ('released' as const),
    updatedAt: req.at,
    currentOrgId: null,
  };
  // Drafts were never submitted: they stay out of the programme's status index, and a released
  // application awaits nobody, so it leaves every review queue.
  const indexes = applicationIndexes({ ...app, ...released });
  const placeGuard =
    quotaState === 'none'
      ? '#status = :fromStatus AND (attribute_not_exists(#quotaState) OR #quotaState = :fromQuota)'
      : '#status = :fromStatus AND #quotaState = :fromQuota';
  const stepGuard = req.currentOrgId === undefined ? '' : ' AND currentOrgId = :step';
  return {
    Update: {
      TableName: tableName,
      Key: applicationKey(req.applicationId),
      ...updateExpression(
        { set: { ...released, ...indexes.set }, remove: indexes.remove },
        {
          condition: `${placeGuard}${stepGuard} AND (attribute_not_exists(paymentsHeld) OR paymentsHeld <= :noPayments) AND attribute_not_exists(sharesHeld)`,
          names: { '#status': 'status', '#quotaState': 'quotaState' },
          values: {
            ':fromStatus': app.status,
            ':fromQuota': quotaState,
            ':noPayments': 0,
            ...(req.currentOrgId === undefined ? {} : { ':step': req.currentOrgId }),
          },
        },
      ),
    },
  };
}

/** A waitlisted applicant takes a place (in `shard`): its place state, its waitlist entry, its timeline. */
export function promotionItems(
  tableName: string,
  programmeId: string,
  unitOrgId: string,
  next: WaitingApplicant,
  at: string,
  shard = 0,
): TransactItem[] {
  return [
    {
      Update: {
        TableName: tableName,
        Key: applicationKey(next.applicationId),
        UpdateExpression: `SET quotaState = :claimed, promotedAt = :at${shard > 0 ? ', quotaShard = :shard' : ''}`,
        ConditionExpression: 'quotaState = :waitlisted',
        ExpressionAttributeValues: {
          ':claimed': 'claimed',
          ':waitlisted': 'waitlisted',
          ':at': at,
          ...(shard > 0 ? { ':shard': shard } : {}),
        },
      },
    },
    {
      Delete: {
        TableName: tableName,
        Key: waitlistEntryKey(programmeId, unitOrgId, next.sequence),
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
    // Audit trail: the place taken is the unit's.
    {
      Put: {
        TableName: tableName,
        Item: eventItem(next.applicationId, { type: 'promoted', at, orgId: unitOrgId, unitOrgId }),
      },
    },
    // The worker hears of the place by SMS, committed with the promotion.
    outboxPut(
      tableName,
      applicantNotice({ id: next.applicationId, programmeId }, 'promoted', at, {
        receipt: String(next.sequence),
      }),
    ),
  ];
}

/**
 * A change of a unit's counters, guarded by `condition` (which may use `:zero`). Everyone leaving the
 * waitlist (promoted or released) also counts in `departures`, which only grows: a waitlist position
 * read across two calls is exact when it did not move between them (`Waitlist.positionOnJoin`).
 */
export function counterChange(
  tableName: string,
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
      TableName: tableName,
      Key: allocationKey(programmeId, unitOrgId),
      UpdateExpression: `SET claimed = claimed + :dc, waitlisted = waitlisted + :dw${
        waitlistedDelta < 0 ? ', departures = if_not_exists(departures, :zero) + :left' : ''
      }${promotedSequence === undefined ? '' : ', lastClaimSequence = :promoted'}`,
      ConditionExpression: condition,
      ExpressionAttributeValues: {
        ':dc': claimedDelta,
        ':dw': waitlistedDelta,
        ...(condition.includes(':zero') || waitlistedDelta < 0 ? { ':zero': 0 } : {}),
        ...(waitlistedDelta < 0 ? { ':left': -waitlistedDelta } : {}),
        ...(promotedSequence === undefined ? {} : { ':promoted': promotedSequence }),
      },
    },
  };
}

/**
 * A change of one shard k > 0 of a sharded unit: its holders by `claimedDelta`, guarded by
 * `condition` (which may use `:zero`); `promotedSequence` records the receipt that took a place in it.
 */
export function shardChange(
  tableName: string,
  programmeId: string,
  unitOrgId: string,
  shard: number,
  claimedDelta: number,
  condition: string,
  promotedSequence?: number,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: allocationShardKey(programmeId, unitOrgId, shard),
      UpdateExpression: `SET claimed = claimed + :dc${promotedSequence === undefined ? '' : ', lastClaimSequence = :promoted'}`,
      ConditionExpression: condition,
      ExpressionAttributeValues: {
        ':dc': claimedDelta,
        ...(condition.includes(':zero') ? { ':zero': 0 } : {}),
        ...(promotedSequence === undefined ? {} : { ':promoted': promotedSequence }),
      },
    },
  };
}

/** A shard's place is freed only while nobody waits in the unit (the waitlist is the unit's). */
export function nobodyWaits(tableName: string, programmeId: string, unitOrgId: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: allocationKey(programmeId, unitOrgId),
      ConditionExpression: 'waitlisted = :zero',
      ExpressionAttributeValues: { ':zero': 0 },
    },
  };
}

/**
 * R15: `places` move from one unit to another whose counters were read as `from` and `to`; the
 * target's earliest waitlisted applicants (`waiting`) take places at once. Both counters are guarded
 * on what was read, so a claim or release meanwhile makes the transaction fail and be redone.
 */
export function reallocationItems(
  tableName: string,
  programmeId: string,
  move: { fromUnitOrgId: string; toUnitOrgId: string; places: number },
  /** The source's shards as read (one, unsharded); the places leave from their free places. */
  from: readonly ShardCounters[],
  /** The target's own allocation item (shard 0) as read: the places join it. */
  to: UnitCounters,
  waiting: readonly WaitingApplicant[],
  at: string,
): TransactItem[] {
  let left = move.places;
  const gives: TransactItem[] = [];
  for (const s of from) {
    const give = Math.min(left, Math.max(0, s.places - s.claimed));
    if (give === 0) continue;
    left -= give;
    gives.push({
      Update: {
        TableName: tableName,
        Key: allocationShardKey(programmeId, move.fromUnitOrgId, s.shard),
        UpdateExpression: 'SET places = places - :n',
        ConditionExpression: 'places = :places AND claimed <= :limit',
        ExpressionAttributeValues: { ':n': give, ':places': s.places, ':limit': s.places - give },
      },
    });
  }
  return [
    ...gives,
    {
      Update: {
        TableName: tableName,
        Key: allocationKey(programmeId, move.toUnitOrgId),
        UpdateExpression: `SET places = places + :n, claimed = claimed + :k, waitlisted = waitlisted - :k${
          waiting.length > 0
            ? ', lastClaimSequence = :promoted, departures = if_not_exists(departures, :zero) + :k'
            : ''
        }`,
        ConditionExpression: 'places = :places AND claimed = :claimed AND waitlisted = :waitlisted',
        ExpressionAttributeValues: {
          ':n': move.places,
          ':k': waiting.length,
          ...(waiting.length > 0
            ? { ':promoted': Math.max(...waiting.map((w) => w.sequence)), ':zero': 0 }
            : {}),
          ':places': to.places,
          ':claimed': to.claimed,
          ':waitlisted': to.waitlisted,
        },
      },
    },
    ...waiting.flatMap((w) => promotionItems(tableName, programmeId, move.toUnitOrgId, w, at)),
  ];
}

/**
 * A unit grows from `shards.length` to `n` shards (architecture.md §3): each existing shard gives
 * `give[k]` free places (guarded on its places and holders as read), the unit's allocation item
 * records the new count (guarded on the count read), and each new shard is put with its places.
 */
export function growShardItems(
  tableName: string,
  programmeId: string,
  unitOrgId: string,
  shards: readonly ShardCounters[],
  plan: { give: number[]; newPlaces: number[] },
  at: string,
): TransactItem[] {
  const old = shards.length;
  const n = old + plan.newPlaces.length;
  const items: TransactItem[] = shards.map((s, k) => {
    const give = plan.give[k] ?? 0;
    const head = k === 0;
    return {
      Update: {
        TableName: tableName,
        Key: allocationShardKey(programmeId, unitOrgId, k),
        UpdateExpression: `SET places = places - :give${head ? ', shards = :n' : ''}`,
        // The unit's own item gives free places only while nobody waits: any it has then are owed
        // to the waiting (a reallocation's promotions not all made yet).
        ConditionExpression: `places = :places AND claimed <= :limit${
          head
            ? `${old === 1 ? ' AND (attribute_not_exists(shards) OR shards = :old)' : ' AND shards = :old'}${
                give > 0 ? ' AND waitlisted = :zero' : ''
              }`
            : ''
        }`,
        ExpressionAttributeValues: {
          ':give': give,
          ':places': s.places,
          ':limit': s.places - give,
          ...(head ? { ':n': n, ':old': old, ...(give > 0 ? { ':zero': 0 } : {}) } : {}),
        },
      },
    };
  });
  plan.newPlaces.forEach((places, i) => {
    items.push({
      Put: {
        TableName: tableName,
        Item: {
          ...allocationShardKey(programmeId, unitOrgId, old + i),
          type: 'allocation_shard',
          programmeId,
          unitOrgId,
          shard: old + i,
          places,
          claimed: 0,
          createdAt: at,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  });
  return items;
}

/** One draft fewer in an account's live-draft count; callers guard the application's state change. */
function draftCountChange(tableName: string, sub: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: accountDraftsKey(sub),
      UpdateExpression: 'ADD drafts :minusOne',
      ExpressionAttributeValues: { ':minusOne': -1 },
    },
  };
}
