import type { ApplicationPaymentRecord } from '../model/application.ts';
import type {
  InstructionRecord,
  PlacedInstruction,
  PlannedInstruction,
  Settlement,
} from '../model/payout.ts';
import { eventItem } from './application-items.ts';
import { updateExpression } from './expressions.ts';
import {
  applicationKey,
  applicationPaymentKey,
  instructionKey,
  payoutHoldKey,
  payoutRunKey,
} from './keys.ts';
import { applicantNotice, outboxPut } from './notification-items.ts';
import type { TransactItem } from './retry.ts';

/**
 * The payout repositories' writes as plain data (architecture.md §4): what holding, planning and settling an
 * instruction writes, item by item. Pure, so the instruction, hold and run repositories share them
 * without importing one another.
 */

/** Items one settlement writes at most (state change, hold, worker copy, event, the application's count). */
export const settleItemCount = (i: Pick<InstructionRecord, 'kind' | 'applicationId'>) =>
  i.kind === 'payment' && i.applicationId ? 5 : 2;

/** A worker-visible payment event (R14): who pays how much out of whose money, in which run. */
export function paymentEvent(
  type: string,
  i: Pick<InstructionRecord, 'payerOrgId' | 'amountFen' | 'funding' | 'runId'>,
  at: string,
) {
  return { type, at, payerOrgId: i.payerOrgId, amountFen: i.amountFen, funding: i.funding, runId: i.runId };
}

/**
 * Where placed instructions are stored: under their run, by phase, page and position; a payment
 * that waits for a transfer of the same run records that transfer's sort key (the page reads it).
 */
export function instructionRecords(placed: readonly PlacedInstruction[]): InstructionRecord[] {
  const transferSk = new Map<string, string>();
  const records: InstructionRecord[] = placed.map(({ index, ...i }) => {
    const keys = instructionKey(i.runId, i.phase, i.page, index);
    if (i.kind === 'transfer') transferSk.set(i.key, keys.sk);
    return { ...keys, ...i };
  });
  return records.map((r) => {
    const dependsOnSk = r.kind === 'payment' && r.dependsOn ? transferSk.get(r.dependsOn) : undefined;
    return dependsOnSk ? { ...r, dependsOnSk } : r;
  });
}

/**
 * A run's planned instruction and, for a worker payment, its copy in the application's partition
 * with a `payment_pending` event: plain puts under deterministic keys, so writing them again (a
 * retried Plan) writes the same items.
 */
export function planItems(i: InstructionRecord, plannedAt: string): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [{ type: 'payout-instruction', ...i }];
  if (i.kind !== 'payment' || !i.applicationId) return items;
  const copy: ApplicationPaymentRecord = {
    key: i.key,
    runId: i.runId,
    payerOrgId: i.payerOrgId,
    amountFen: i.amountFen,
    funding: i.funding,
    status: 'pending',
    plannedAt,
  };
  items.push({ ...applicationPaymentKey(i.applicationId, i.key), type: 'payment', ...copy });
  items.push(
    eventItem(
      i.applicationId,
      paymentEvent('payment_pending', i, plannedAt),
      `payment_pending-${i.key.slice(0, 12)}`,
    ),
  );
  return items;
}

/**
 * A run's holds on one application's payments (or on one transfer): a conditional put per key, and
 * for payments the application's `paymentsHeld` count, guarded on it still being approved and
 * holding its place, so a withdrawal racing the plan either comes first or is refused.
 */
export function holdItems(
  tableName: string,
  runId: string,
  programmeId: string,
  group: readonly PlannedInstruction[],
  at: string,
): TransactItem[] {
  const items: TransactItem[] = group.map((i) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...payoutHoldKey(programmeId, i.key),
        type: 'payout-hold',
        ...i,
        programmeId,
        runId,
        state: 'held',
        heldAt: at,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
  const first = group[0];
  if (first?.kind === 'payment' && first.applicationId) {
    // The shares a transfer brings for these payments mark the application with them in the same
    // write: they stay when a payment fails, for the transfer may still arrive (`sharesHeld`).
    const shares = group.flatMap((i) => i.carriedShares ?? []);
    items.push({
      Update: {
        TableName: tableName,
        Key: applicationKey(first.applicationId),
        UpdateExpression:
          shares.length > 0 ? 'ADD paymentsHeld :n, sharesHeld :shares' : 'ADD paymentsHeld :n',
        ConditionExpression: '#s = :approved AND quotaState = :claimed',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':n': group.length,
          ':approved': 'approved',
          ':claimed': 'claimed',
          ...(shares.length > 0 ? { ':shares': new Set(shares) } : {}),
        },
      },
    });
  }
  return items;
}

/**
 * Takes `shareKeys` out of an application's `sharesHeld`: the transfer carrying them definitely
 * failed, so no funder's money left for its place by them. Idempotent; never creates an application.
 */
export function forgetSharesUpdate(tableName: string, applicationId: string, shareKeys: readonly string[]) {
  return {
    TableName: tableName,
    Key: applicationKey(applicationId),
    UpdateExpression: 'DELETE sharesHeld :keys',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':keys': new Set(shareKeys) },
  };
}

/** `pending | sending → sending`: an instruction taken for a call to the rail. */
export function claimUpdate(tableName: string, i: Pick<InstructionRecord, 'pk' | 'sk'>, at: string) {
  return {
    TableName: tableName,
    Key: { pk: i.pk, sk: i.sk },
    UpdateExpression: 'SET #s = :sending, sendingAt = :at ADD attempts :one',
    ConditionExpression: '#s IN (:pending, :sending)',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':at': at, ':one': 1 },
  };
}

/**
 * The writes of one settlement `sending → paid | failed`: the conditional state change first, then
 * what follows from it — the hold kept as `paid` for good, or as `failed`, which frees the money for
 * a later run under the next key (only by the run that holds it) — and for a worker payment its copy,
 * its timeline event and the count of held payments on the application.
 */
export function settleItems(tableName: string, s: Settlement, at: string): TransactItem[] {
  const { i, outcome } = s;
  const paid = outcome.status === 'paid';
  const settledAt = paid ? 'paidAt' : 'failedAt';
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName,
        Key: { pk: i.pk, sk: i.sk },
        ...updateExpression(
          {
            set: {
              status: outcome.status,
              reference: outcome.reference,
              [settledAt]: at,
              reason: outcome.reason,
            },
          },
          { condition: '#s = :sending', names: { '#s': 'status' }, values: { ':sending': 'sending' } },
        ),
      },
    },
    paid
      ? {
          Update: {
            TableName: tableName,
            Key: payoutHoldKey(i.programmeId, i.key),
            UpdateExpression: 'SET #s = :paid, paidAt = :at',
            ConditionExpression: 'runId = :run',
            ExpressionAttributeNames: { '#s': 'state' },
            ExpressionAttributeValues: { ':paid': 'paid', ':at': at, ':run': i.runId },
          },
        }
      : {
          // The money is free for a later run, the key is not: a rail or bank that saw it once
          // answers it with this refusal again, so the next attempt takes the next key (attemptKey).
          Update: {
            TableName: tableName,
            Key: payoutHoldKey(i.programmeId, i.key),
            UpdateExpression: 'SET #s = :failed, failedAt = :at',
            ConditionExpression: 'runId = :run',
            ExpressionAttributeNames: { '#s': 'state' },
            ExpressionAttributeValues: { ':failed': 'failed', ':at': at, ':run': i.runId },
          },
        },
  ];
  if (i.kind !== 'payment' || !i.applicationId) return items;
  if (!paid) {
    items.push({
      Update: {
        TableName: tableName,
        Key: applicationKey(i.applicationId),
        UpdateExpression: 'ADD paymentsHeld :minus',
        ExpressionAttributeValues: { ':minus': -1 },
      },
    });
  }
  items.push(
    {
      Update: {
        TableName: tableName,
        Key: applicationPaymentKey(i.applicationId, i.key),
        ...updateExpression({ set: { status: outcome.status, [settledAt]: at, reason: outcome.reason } }),
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: eventItem(
          i.applicationId,
          {
            ...paymentEvent(paid ? 'payment_paid' : 'payment_failed', i, at),
            ...(outcome.reason ? { reason: outcome.reason } : {}),
          },
          `payment_${outcome.status}-${i.key.slice(0, 12)}`,
        ),
      },
    },
  );
  // The worker hears of the money by SMS, committed with the settlement (once per payment key).
  if (paid) {
    items.push(
      outboxPut(
        tableName,
        applicantNotice(
          { id: i.applicationId, programmeId: i.programmeId },
          'paid',
          at,
          { amountFen: String(i.amountFen) },
          i.key,
        ),
      ),
    );
  }
  return items;
}

/**
 * bank_file: the run's counters for settled bank lines — paid, failed, still waiting, and each
 * funder's money reaching workers — guarded on the run still `awaiting_bank`. A funder's money is
 * counted when it reaches a worker, not for the transfer that carried it.
 */
export function bankCountsUpdate(
  tableName: string,
  runId: string,
  settled: readonly Settlement[],
  at: string,
) {
  const paid = settled.filter((s) => s.outcome.status === 'paid');
  const byFunder: Record<string, number> = {};
  for (const s of paid) {
    if (s.i.kind !== 'payment') continue;
    for (const p of s.i.funding)
      byFunder[`bankPaidByFunder.${p.funderOrgId}`] =
        (byFunder[`bankPaidByFunder.${p.funderOrgId}`] ?? 0) + p.amountFen;
  }
  return {
    TableName: tableName,
    Key: payoutRunKey(runId),
    ...updateExpression(
      {
        set: { updatedAt: at },
        increment: byFunder,
        add: {
          paidCount: paid.length,
          failedCount: settled.length - paid.length,
          awaitingBank: -settled.length,
        },
      },
      { condition: '#s = :awaiting', names: { '#s': 'status' }, values: { ':awaiting': 'awaiting_bank' } },
    ),
  };
}
