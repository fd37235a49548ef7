import { describe, expect, it } from 'vitest';
import {
  applicationKey,
  applicationPaymentKey,
  instructionKey,
  payoutHoldKey,
  payoutRunKey,
} from '../../shared/adapters/keys.ts';
import {
  bankCountsUpdate,
  claimUpdate,
  holdItems,
  instructionRecords,
  planItems,
  settleItemCount,
  settleItems,
} from '../../shared/adapters/payout-items.ts';
import type { InstructionRecord, PlacedInstruction, PlannedInstruction } from '../../shared/model/payout.ts';

/**
 * The payout store's writes as plain data (architecture.md §4): what a hold, a plan and a settlement
 * write, read back as the attributes they set, so each condition and each count is pinned here and
 * not only by the runs on DynamoDB Local.
 */
const TABLE = 'edu-subsidy';

interface UpdateParts {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The attributes an update sets (`=`), increments (`if_not_exists(…) +`) and adds (`ADD`), by their names. */
function effects(u: UpdateParts) {
  const names = u.ExpressionAttributeNames ?? {};
  const values = u.ExpressionAttributeValues ?? {};
  const path = (p: string) =>
    p
      .split('.')
      .map((part) => names[part] ?? part)
      .join('.');
  const set: Record<string, unknown> = {};
  const increment: Record<string, unknown> = {};
  const add: Record<string, unknown> = {};
  const [, setClause = ''] = /SET (.*?)(?: ADD | REMOVE |$)/.exec(u.UpdateExpression) ?? [];
  for (const part of setClause.split(/, (?=#|[a-z])/).filter(Boolean)) {
    const inc = /^(\S+) = if_not_exists\(\S+, (:\w+)\) \+ (:\w+)$/.exec(part);
    const plain = /^(\S+) = (:\w+)$/.exec(part);
    if (inc) increment[path(inc[1] as string)] = values[inc[3] as string];
    else if (plain) set[path(plain[1] as string)] = values[plain[2] as string];
    else throw new Error(`unread SET part: ${part}`);
  }
  const [, addClause = ''] = /ADD (.*?)(?: REMOVE |$)/.exec(u.UpdateExpression) ?? [];
  for (const part of addClause.split(', ').filter(Boolean)) {
    const [p, v] = part.split(' ');
    add[path(p as string)] = values[v as string];
  }
  return { set, increment, add };
}

const payment = (over: Partial<InstructionRecord> = {}): InstructionRecord => ({
  ...instructionKey('run-1', 'payments', 0, 3),
  key: 'k-payment-0123456789',
  kind: 'payment',
  payerOrgId: 'lc-chiping',
  applicationId: 'app-1',
  amountFen: 250_000,
  funding: [
    { funderOrgId: 'sd', amountFen: 100_000 },
    { funderOrgId: 'lc', amountFen: 100_000 },
    { funderOrgId: 'lc-chiping', amountFen: 50_000 },
  ],
  runId: 'run-1',
  programmeId: 'p',
  phase: 'payments',
  page: 0,
  status: 'sending',
  attempts: 1,
  ...over,
});

const transfer = (over: Partial<InstructionRecord> = {}): InstructionRecord => ({
  ...instructionKey('run-1', 'transfers', 0, 0),
  key: 'k-transfer-0123456789',
  kind: 'transfer',
  payerOrgId: 'lc',
  payeeOrgId: 'lc-chiping',
  amountFen: 400_000,
  funding: [
    { funderOrgId: 'sd', amountFen: 200_000 },
    { funderOrgId: 'lc', amountFen: 200_000 },
  ],
  applicationIds: ['app-1', 'app-2'],
  shareKeys: ['s1', 's2', 's3', 's4'],
  runId: 'run-1',
  programmeId: 'p',
  phase: 'transfers',
  page: 0,
  status: 'sending',
  attempts: 1,
  ...over,
});

describe('what one settlement writes, and how many items it takes', () => {
  it('counts five items for a worker payment and two for a transfer', () => {
    expect(settleItemCount({ kind: 'payment', applicationId: 'a' })).toBe(5);
    expect(settleItemCount({ kind: 'transfer' })).toBe(2);
    expect(settleItemCount({ kind: 'payment' })).toBe(2);
  });

  it('pays a payment: sending → paid, the hold kept as paid by its run, the worker’s copy and event', () => {
    const items = settleItems(TABLE, { i: payment(), outcome: { status: 'paid', reference: 'sbx-1' } }, 'T1');
    expect(items).toHaveLength(5);
    const [state, hold, copy, event, sms] = items;
    const u = state?.Update as UpdateParts & { Key: unknown };
    expect(u.Key).toEqual({ pk: payment().pk, sk: payment().sk });
    expect(u.ConditionExpression).toBe('#s = :sending');
    expect(u.ExpressionAttributeNames?.['#s']).toBe('status');
    expect(u.ExpressionAttributeValues?.[':sending']).toBe('sending');
    expect(effects(u).set).toEqual({ status: 'paid', reference: 'sbx-1', paidAt: 'T1' });
    expect(hold?.Update).toMatchObject({
      Key: payoutHoldKey('p', 'k-payment-0123456789'),
      UpdateExpression: 'SET #s = :paid, paidAt = :at',
      ConditionExpression: 'runId = :run',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':paid': 'paid', ':at': 'T1', ':run': 'run-1' },
    });
    expect(copy?.Update?.Key).toEqual(applicationPaymentKey('app-1', 'k-payment-0123456789'));
    expect(effects(copy?.Update as UpdateParts).set).toEqual({ status: 'paid', paidAt: 'T1' });
    expect(event?.Put?.Item).toMatchObject({
      event: { type: 'payment_paid', at: 'T1', payerOrgId: 'lc-chiping', amountFen: 250_000, runId: 'run-1' },
    });
    expect(JSON.stringify(items)).not.toContain('paymentsHeld');
    // Issue 17: the worker's SMS of the money, once per payment key, committed with the settlement.
    expect(sms?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: 'APP#app-1',
        sk: 'NOTIFY#app-1.paid.k-payment-0123456789',
        event: 'paid',
        facts: { amountFen: '250000' },
        status: 'queued',
      },
    });
  });

  it('fails a payment: the hold released by its run, one payment fewer held on the application', () => {
    const items = settleItems(
      TABLE,
      { i: payment(), outcome: { status: 'failed', reference: '', reason: '账户已销户' } },
      'T2',
    );
    expect(items).toHaveLength(5);
    const [state, hold, count, copy, event] = items;
    expect(effects(state?.Update as UpdateParts).set).toEqual({
      status: 'failed',
      reference: '',
      failedAt: 'T2',
      reason: '账户已销户',
    });
    // The hold stays, marked failed: its key is never sent again (the next attempt takes the next).
    expect(hold?.Update).toEqual({
      TableName: TABLE,
      Key: payoutHoldKey('p', 'k-payment-0123456789'),
      UpdateExpression: 'SET #s = :failed, failedAt = :at',
      ConditionExpression: 'runId = :run',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':failed': 'failed', ':at': 'T2', ':run': 'run-1' },
    });
    expect(count?.Update).toMatchObject({
      Key: applicationKey('app-1'),
      UpdateExpression: 'ADD paymentsHeld :minus',
      ExpressionAttributeValues: { ':minus': -1 },
    });
    expect(effects(copy?.Update as UpdateParts).set).toEqual({
      status: 'failed',
      failedAt: 'T2',
      reason: '账户已销户',
    });
    expect(event?.Put?.Item).toMatchObject({ event: { type: 'payment_failed', reason: '账户已销户' } });
  });

  it('settles a transfer with its state and its hold only', () => {
    const paid = settleItems(TABLE, { i: transfer(), outcome: { status: 'paid', reference: 'r' } }, 'T3');
    expect(paid.map((i) => Object.keys(i)[0])).toEqual(['Update', 'Update']);
    expect(paid[1]?.Update?.Key).toEqual(payoutHoldKey('p', 'k-transfer-0123456789'));
    const failed = settleItems(TABLE, { i: transfer(), outcome: { status: 'failed', reference: '' } }, 'T3');
    expect(failed.map((i) => Object.keys(i)[0])).toEqual(['Update', 'Update']);
    expect(failed[1]?.Update).toMatchObject({
      Key: payoutHoldKey('p', 'k-transfer-0123456789'),
      ExpressionAttributeValues: { ':failed': 'failed' },
    });
  });
});

describe('holds and plans', () => {
  const planned = (key: string, over: Partial<PlannedInstruction> = {}): PlannedInstruction => ({
    key,
    kind: 'payment',
    payerOrgId: 'lc-chiping',
    applicationId: 'app-1',
    amountFen: 100,
    funding: [{ funderOrgId: 'lc-chiping', amountFen: 100 }],
    ...over,
  });

  it('holds each payment key only if no run holds it, and counts them on the approved application holding its place', () => {
    const items = holdItems(
      TABLE,
      'run-9',
      'p',
      [planned('a'), planned('b', { payerOrgId: 'lc-cp-wenzhuang' })],
      'T',
    );
    expect(items).toHaveLength(3);
    for (const [n, key] of ['a', 'b'].entries()) {
      expect(items[n]?.Put).toMatchObject({
        Item: {
          ...payoutHoldKey('p', key),
          type: 'payout-hold',
          key,
          runId: 'run-9',
          programmeId: 'p',
          state: 'held',
          heldAt: 'T',
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    }
    expect(items[2]?.Update).toEqual({
      TableName: TABLE,
      Key: applicationKey('app-1'),
      UpdateExpression: 'ADD paymentsHeld :n',
      ConditionExpression: '#s = :approved AND quotaState = :claimed',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':n': 2, ':approved': 'approved', ':claimed': 'claimed' },
    });
  });

  it('marks the application with the shares a transfer brings for its payments, in the same write', () => {
    const items = holdItems(
      TABLE,
      'run-9',
      'p',
      [planned('a', { carriedShares: ['share-sd', 'share-lc'] }), planned('b', { payerOrgId: 'e' })],
      'T',
    );
    expect(items).toHaveLength(3);
    // The same guarded count as without shares, with the shares added to the set.
    expect(items[2]?.Update).toMatchObject({
      Key: applicationKey('app-1'),
      UpdateExpression: 'ADD paymentsHeld :n, sharesHeld :shares',
      ConditionExpression: '#s = :approved AND quotaState = :claimed',
    });
    expect(items[2]?.Update?.ExpressionAttributeValues).toEqual({
      ':n': 2,
      ':approved': 'approved',
      ':claimed': 'claimed',
      ':shares': new Set(['share-sd', 'share-lc']),
    });
  });

  it('holds a transfer without touching any application', () => {
    const items = holdItems(
      TABLE,
      'run-9',
      'p',
      [planned('t', { kind: 'transfer', applicationId: undefined })],
      'T',
    );
    expect(items).toHaveLength(1);
    expect(items[0]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('plans a payment with its pending copy and event; a transfer alone', () => {
    const items = planItems(payment({ status: 'pending' }), 'P');
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ type: 'payout-instruction', key: 'k-payment-0123456789' });
    expect(items[1]).toMatchObject({
      ...applicationPaymentKey('app-1', 'k-payment-0123456789'),
      type: 'payment',
      status: 'pending',
      plannedAt: 'P',
      amountFen: 250_000,
    });
    expect(items[2]).toMatchObject({ event: { type: 'payment_pending', at: 'P', amountFen: 250_000 } });
    expect(planItems(transfer({ status: 'pending' }), 'P')).toHaveLength(1);
  });

  it('stores placed instructions by phase, page and position; a payment points at its transfer of the same run', () => {
    // As the planner places them: no table keys yet, only phase, page and position.
    const place = (
      { pk: _pk, sk: _sk, ...i }: InstructionRecord,
      index: number,
      dependsOn?: string,
    ): PlacedInstruction => ({
      ...i,
      index,
      ...(dependsOn ? { dependsOn } : {}),
    });
    const placedTransfer = place(transfer(), 0);
    const waiting = place(payment(), 7, 'k-transfer-0123456789');
    const alone = place(payment({ key: 'other' }), 8, 'not-in-this-run');
    const [t, p, q] = instructionRecords([placedTransfer, waiting, alone]);
    expect(t).toMatchObject(instructionKey('run-1', 'transfers', 0, 0));
    expect(p).toMatchObject({ ...instructionKey('run-1', 'payments', 0, 7), dependsOnSk: t?.sk });
    expect(q?.sk).toBe(instructionKey('run-1', 'payments', 0, 8).sk);
    expect(q?.dependsOnSk).toBeUndefined();
    expect(p).not.toHaveProperty('index');
  });

  it('takes an instruction for the rail only while it is pending or sending', () => {
    const u = claimUpdate(TABLE, payment(), 'T');
    expect(u.ConditionExpression).toBe('#s IN (:pending, :sending)');
    expect(u.ExpressionAttributeValues).toEqual({
      ':sending': 'sending',
      ':pending': 'pending',
      ':at': 'T',
      ':one': 1,
    });
    expect(u.UpdateExpression).toBe('SET #s = :sending, sendingAt = :at ADD attempts :one');
  });
});

describe('a bank import’s counts', () => {
  it('counts paid and failed lines, the lines still waiting, and funders’ money only when it reaches a worker', () => {
    const u = bankCountsUpdate(
      TABLE,
      'run-1',
      [
        { i: payment(), outcome: { status: 'paid', reference: 'b1' } },
        { i: payment({ key: 'x' }), outcome: { status: 'failed', reference: '' } },
        { i: transfer(), outcome: { status: 'paid', reference: 'b2' } },
      ],
      'T',
    );
    expect(u.Key).toEqual(payoutRunKey('run-1'));
    expect(u.ConditionExpression).toBe('#s = :awaiting');
    expect(u.ExpressionAttributeValues?.[':awaiting']).toBe('awaiting_bank');
    const e = effects(u as UpdateParts);
    expect(e.set).toEqual({ updatedAt: 'T' });
    expect(e.add).toEqual({ paidCount: 2, failedCount: 1, awaitingBank: -3 });
    expect(e.increment).toEqual({
      'bankPaidByFunder.sd': 100_000,
      'bankPaidByFunder.lc': 100_000,
      'bankPaidByFunder.lc-chiping': 50_000,
    });
  });

  it('updates only the counters when no worker payment was paid (a transfer-only file)', () => {
    const u = bankCountsUpdate(
      TABLE,
      'run-1',
      [{ i: transfer(), outcome: { status: 'paid', reference: 'b' } }],
      'T',
    );
    const e = effects(u as UpdateParts);
    expect(e.increment).toEqual({});
    expect(e.add).toEqual({ paidCount: 1, failedCount: 0, awaitingBank: -1 });
    expect(u.UpdateExpression).not.toContain('bankPaidByFunder');
  });
});
