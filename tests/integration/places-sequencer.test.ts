import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/aws.ts';
import { faultStats, throttleStats } from '../../shared/adapters/fault-injection.ts';
import { joinDrawPartition, joinRepairKey } from '../../shared/adapters/keys.ts';
import { JoinsInFlight, PersonLevelTaken } from '../../shared/adapters/persistence-errors.ts';
import {
  type JoinSlot,
  joinCommitItems,
  joinDrawUpdate,
  joinNumberingBase,
  type SubmitRequest,
} from '../../shared/adapters/place-items.ts';
import { JOIN_REPAIR_GRACE_MS, PlaceLedger, type SubmitOutcome } from '../../shared/adapters/place-ledger.ts';
import { Waitlist } from '../../shared/adapters/waitlist.ts';
import { loadConfig } from '../../shared/config.ts';
import { invariantViolations, MAX_SHARDS } from '../../shared/domain/places.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import {
  draftRecord,
  placeSnapshot,
  programmeRecord,
  submitThroughLedger,
} from '../support/ledger-fixtures.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let deps: Deps;
let programmeCount = 0;
const unit = 'lc-dongchangfu';

beforeAll(async () => {
  stack = await startTestStack({ sms: {} });
  deps = createDeps(loadConfig());
});
afterAll(async () => {
  await stack.stop();
});

async function programmeOf(places: number): Promise<string> {
  const programmeId = `seq-${++programmeCount}`;
  await deps.programmes.create(programmeRecord(programmeId, { [unit]: places }));
  return programmeId;
}

/** The unit's allocation item as stored. */
async function head(programmeId: string) {
  return (await deps.waitlist.unit(programmeId, unit, true)).head;
}

/** Every settlement item of the unit's join draws, by draw. */
async function settlements(programmeId: string): Promise<Map<number, Record<string, unknown>>> {
  const out = await deps.db.send(
    new QueryCommand({
      TableName: deps.config.tableName,
      KeyConditionExpression: 'pk = :pk AND sk < :repair',
      ExpressionAttributeValues: { ':pk': joinDrawPartition(programmeId, unit), ':repair': 'REPAIR' },
      ConsistentRead: true,
    }),
  );
  return new Map((out.Items ?? []).map((i) => [Number(i.sk), i]));
}

/** A submit request as the ledger receives it, for a draft created here. */
async function draft(programmeId: string, id: string, idHash = `hash-${id}`): Promise<SubmitRequest> {
  const at = new Date().toISOString();
  await deps.applications.create({ ...draftRecord(id, programmeId, unit, at), idHash });
  return {
    applicationId: id,
    programmeId,
    unitOrgId: unit,
    expectedUpdatedAt: at,
    idHash,
    level: 'junior_college',
    submittedAt: at,
    reviewerOrgId: unit,
    digest: async (sequence) => `digest-${sequence}`,
  };
}

/**
 * The first write of a sequenced join without its second, as a function stopped between them leaves
 * it: the slot, receipt and position drawn from the unit's allocation item, nothing committed.
 */
async function drawOnly(programmeId: string): Promise<JoinSlot> {
  const out = await deps.db.send(new UpdateCommand(joinDrawUpdate(deps.config.tableName, programmeId, unit)));
  const drawn = out.Attributes ?? {};
  return {
    sequence: drawn.lastJoinSequence as number,
    draw: drawn.joinDraws as number,
    position: drawn.waitlisted as number,
  };
}

/**
 * A unit of one place, held by `seq{n}a`; an earlier receipt drawn but not committed (`early`, as a
 * function between its two writes leaves it); a later join committed behind it (`late`).
 */
async function earlyStillJoining() {
  const programmeId = await programmeOf(1);
  const n = programmeCount;
  await submitThroughLedger(deps, `seq${n}a`, programmeId, unit);
  await deps.db.send(
    new UpdateCommand(
      joinNumberingBase(
        deps.config.tableName,
        programmeId,
        unit,
        (await head(programmeId)).lastClaimSequence ?? 0,
      ),
    ),
  );
  const early = await draft(programmeId, `seq${n}early`);
  const slot = await drawOnly(programmeId);
  const late = await submitThroughLedger(deps, `seq${n}late`, programmeId, unit);
  expect(late.sequence).toBeGreaterThan(slot.sequence);
  return { programmeId, n, early, slot, late };
}

async function quotaState(id: string) {
  return (await deps.applications.bundle(id))?.application.quotaState;
}

async function expectInvariant(programmeId: string, ids: readonly string[]) {
  const after = await placeSnapshot(deps, programmeId, ids);
  expect(invariantViolations(after.units, after.applications)).toEqual([]);
}

const withdraw = (applicationId: string) => {
  const at = new Date().toISOString();
  return deps.ledger.release({
    applicationId,
    status: 'withdrawn',
    from: ['in_review'],
    at,
    event: { type: 'withdrawn', at },
  });
};

/**
 * The sequencer (architecture.md §3): a full, unsharded unit's joins take their slot, receipt and
 * position in one write of its allocation item, then commit the rest in a transaction that does not
 * touch it.
 */
describe('waitlist joins by the sequencer (architecture.md §3)', () => {
  it('a rush of 200 joins with conflicts and throttles: one draw each, none redone, positions exact and distinct, every draw settled', async () => {
    const programmeId = await programmeOf(5);
    const faulty = createDeps({
      ...loadConfig(),
      injectTransactionConflictRate: 0.2,
      injectItemWritesPerSecond: 40,
    });
    const injected = {
      conflicts: faultStats.injectedTransactionConflicts,
      throttled: throttleStats.throttled,
    };
    const ids = Array.from({ length: 205 }, (_, i) => `seq${programmeCount}r${i + 1}`);
    // The places first, so that every submit of the rush is a join.
    for (const id of ids.slice(0, 5)) await submitThroughLedger(deps, id, programmeId, unit);
    const outcomes = await Promise.all(
      ids
        .slice(5)
        .map((id) => submitThroughLedger(faulty, id, programmeId, unit).then((o) => ({ id, ...o }))),
    );
    expect(faultStats.injectedTransactionConflicts).toBeGreaterThan(injected.conflicts);
    expect(throttleStats.throttled).toBeGreaterThan(injected.throttled);

    expect(outcomes.every((o) => o.state === 'waitlisted')).toBe(true);
    const told = outcomes.map((o: SubmitOutcome & { id: string }) => o.position);
    expect([...told].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    for (const o of outcomes) {
      expect(await deps.waitlist.position(programmeId, unit, o.sequence), o.id).toBe(o.position);
    }
    // Receipts follow the claims' and are unique; a join drawn later holds the later receipt.
    const byPosition = [...outcomes].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    expect(byPosition.map((o) => o.sequence)).toEqual(Array.from({ length: 200 }, (_, i) => 6 + i));
    // One draw per join, each settled as joined: nothing was drawn twice or given back.
    expect((await head(programmeId)).joinDraws).toBe(200);
    const settled = await settlements(programmeId);
    expect(settled.size).toBe(200);
    expect([...settled.values()].every((s) => s.state === 'joined')).toBe(true);
    await expectInvariant(programmeId, ids);
  }, 120_000);

  it('a sharded unit: once its waitlist started, a rush of 200 joins is drawn by the sequencer under conflicts and throttles, positions exact, receipts unique and above every claim', async () => {
    const programmeId = await programmeOf(8);
    const n = programmeCount;
    await deps.ledger.setShards(programmeId, unit, 4, new Date().toISOString());
    const faulty = createDeps({
      ...loadConfig(),
      injectTransactionConflictRate: 0.2,
      injectItemWritesPerSecond: 40,
    });
    const ids = Array.from({ length: 209 }, (_, i) => `seq${n}s${i + 1}`);
    // The places, then the join that starts the waitlist (by transaction: it checks every shard).
    const claims = await Promise.all(
      ids.slice(0, 8).map((id) => submitThroughLedger(deps, id, programmeId, unit)),
    );
    expect(claims.every((c) => c.state === 'claimed')).toBe(true);
    expect(new Set(claims.map((c) => c.shard))).toEqual(new Set([0, 1, 2, 3]));
    const first = await submitThroughLedger(deps, ids[8] as string, programmeId, unit);
    expect(first.state).toBe('waitlisted');
    // The transaction's outcome carries no position (the submit reads it: Waitlist.positionOnJoin).
    expect(first.position).toBeUndefined();
    expect(await deps.waitlist.position(programmeId, unit, first.sequence)).toBe(1);
    expect((await head(programmeId)).joinDraws ?? 0).toBe(0);

    const outcomes = await Promise.all(
      ids
        .slice(9)
        .map((id) => submitThroughLedger(faulty, id, programmeId, unit).then((o) => ({ id, ...o }))),
    );
    expect(outcomes.every((o) => o.state === 'waitlisted')).toBe(true);
    expect([...outcomes.map((o) => o.position)].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 2),
    );
    for (const o of outcomes) {
      expect(await deps.waitlist.position(programmeId, unit, o.sequence), o.id).toBe(o.position);
    }
    // One draw each, all settled as joined; numbered ≡ 15 (mod 16), a number no counter of the unit's
    // four gives, in the order drawn, above every claim and the first join.
    expect((await head(programmeId)).joinDraws).toBe(200);
    const settled = await settlements(programmeId);
    expect([...settled.values()].filter((s) => s.state === 'joined')).toHaveLength(200);
    const byPosition = [...outcomes].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    const receipts = byPosition.map((o) => o.sequence);
    expect(receipts.every((r) => r % 16 === 15)).toBe(true);
    expect(receipts.every((r, i) => i === 0 || r === (receipts[i - 1] as number) + 16)).toBe(true);
    expect(receipts[0]).toBeGreaterThan(Math.max(first.sequence, ...claims.map((c) => c.sequence)));

    // A place freed in a shard k > 0 goes to the unit's earliest waiting: the first join.
    const inShard = claims.find((c) => c.shard > 0);
    const holder = ids[claims.indexOf(inShard as SubmitOutcome)] as string;
    expect(await withdraw(holder)).toMatchObject({ promotedApplicationId: ids[8] });
    expect(await deps.waitlist.position(programmeId, unit, byPosition[0]?.sequence as number)).toBe(1);
    await expectInvariant(programmeId, ids);
  }, 120_000);

  it(`a unit of ${MAX_SHARDS} shards joins by transaction: every number of the sequencer's residue is a counter's there`, async () => {
    const programmeId = await programmeOf(2);
    const n = programmeCount;
    await deps.ledger.setShards(programmeId, unit, MAX_SHARDS, new Date().toISOString());
    const ids = Array.from({ length: 5 }, (_, i) => `seq${n}m${i + 1}`);
    const outcomes: SubmitOutcome[] = [];
    for (const id of ids) outcomes.push(await submitThroughLedger(deps, id, programmeId, unit));
    expect(outcomes.map((o) => o.state)).toEqual([
      'claimed',
      'claimed',
      'waitlisted',
      'waitlisted',
      'waitlisted',
    ]);
    // No draw: the ledger answers no position, the submit reads it (Waitlist.positionOnJoin).
    expect(outcomes.map((o) => o.position)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect((await head(programmeId)).joinDraws ?? 0).toBe(0);
    for (const [i, o] of outcomes.slice(2).entries()) {
      expect(await deps.waitlist.position(programmeId, unit, o.sequence)).toBe(i + 1);
    }
    expect(new Set(outcomes.map((o) => o.sequence)).size).toBe(5);
    await expectInvariant(programmeId, ids);
  });

  it('a commit refused gives its slot back: the waitlist stays as long, the next join is told its true position', async () => {
    const programmeId = await programmeOf(1);
    const n = programmeCount;
    await submitThroughLedger(deps, `seq${n}a`, programmeId, unit);
    const b = await submitThroughLedger(deps, `seq${n}b`, programmeId, unit);
    expect(b).toMatchObject({ state: 'waitlisted', position: 1 });
    // A second application of b's person at the same level (R8): its commit is refused.
    const twin = await draft(programmeId, `seq${n}twin`, `hash-seq${n}b`);
    await expect(deps.ledger.submit(twin)).rejects.toBeInstanceOf(PersonLevelTaken);
    expect(await quotaState(`seq${n}twin`)).toBe('none');
    expect(await head(programmeId)).toMatchObject({ waitlisted: 1, joinDraws: 2, departures: 1 });
    expect((await settlements(programmeId)).get(2)).toMatchObject({ state: 'void' });
    const c = await submitThroughLedger(deps, `seq${n}c`, programmeId, unit);
    expect(c).toMatchObject({ state: 'waitlisted', position: 2 });
    expect(await deps.waitlist.position(programmeId, unit, c.sequence)).toBe(2);
    await expectInvariant(programmeId, [`seq${n}a`, `seq${n}b`, `seq${n}c`, `seq${n}twin`]);
  });

  it('a place freed while an earlier receipt is still joining goes to it, not to the later join already written', async () => {
    const { programmeId, n, early, slot, late } = await earlyStillJoining();
    const table = deps.config.tableName;
    expect(late).toMatchObject({ state: 'waitlisted', position: 2 });
    // The holder withdraws while the earlier join is being written; the join lands 300 ms later.
    const released = withdraw(`seq${n}a`);
    await new Promise((r) => setTimeout(r, 300));
    await deps.db.send(
      new TransactWriteCommand({
        TransactItems: joinCommitItems(table, early, slot, `digest-${slot.sequence}`),
      }),
    );
    expect(await released).toMatchObject({ released: 'claimed', promotedApplicationId: `seq${n}early` });
    expect(await quotaState(`seq${n}early`)).toBe('claimed');
    expect(await deps.waitlist.position(programmeId, unit, late.sequence)).toBe(1);
    await expectInvariant(programmeId, [`seq${n}a`, `seq${n}early`, `seq${n}late`]);
  });

  it('a join that settles between the release’s read of the waitlist and its check of the draws is the one promoted', async () => {
    const { programmeId, n, early, slot, late } = await earlyStillJoining();
    const table = deps.config.tableName;
    // A ledger whose first read of the waitlist (finding `late` earliest) is followed, before anything
    // else it does, by the earlier join's commit.
    const db = createDocumentClient(deps.config);
    let committed = false;
    db.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const input = args.input as { ExpressionAttributeValues?: Record<string, unknown> };
        const pk = input.ExpressionAttributeValues?.[':pk'];
        if (!committed && typeof pk === 'string' && pk.startsWith('WAITLIST#')) {
          committed = true;
          await deps.db.send(
            new TransactWriteCommand({
              TransactItems: joinCommitItems(table, early, slot, `digest-${slot.sequence}`),
            }),
          );
        }
        return out;
      },
      { step: 'initialize', name: 'commit-after-waitlist-read' },
    );
    const ledger = new PlaceLedger(db, table, new Waitlist(db, table));
    const at = new Date().toISOString();
    const released = await ledger.release({
      applicationId: `seq${n}a`,
      status: 'withdrawn',
      from: ['in_review'],
      at,
      event: { type: 'withdrawn', at },
    });
    expect(committed).toBe(true);
    expect(released).toMatchObject({ released: 'claimed', promotedApplicationId: `seq${n}early` });
    expect(await quotaState(`seq${n}late`)).toBe('waitlisted');
    expect(await deps.waitlist.position(programmeId, unit, late.sequence)).toBe(1);
    await expectInvariant(programmeId, [`seq${n}a`, `seq${n}early`, `seq${n}late`]);
  });

  it('claims after the waitlist emptied, in a unit grown since, take receipts above every join the sequencer numbered', async () => {
    const programmeId = await programmeOf(2);
    const n = programmeCount;
    const ids = Array.from({ length: 42 }, (_, i) => `seq${n}w${i + 1}`);
    const outcomes: SubmitOutcome[] = [];
    for (const id of ids) outcomes.push(await submitThroughLedger(deps, id, programmeId, unit));
    expect(outcomes.filter((o) => o.state === 'waitlisted')).toHaveLength(40);
    const joined = Math.max(...outcomes.map((o) => o.sequence));
    expect(joined).toBe(42);
    for (const id of [...ids].reverse()) await withdraw(id);
    await deps.ledger.setShards(programmeId, unit, 2, new Date().toISOString());
    const later = [`seq${n}x1`, `seq${n}x2`];
    const claims = await Promise.all(later.map((id) => submitThroughLedger(deps, id, programmeId, unit)));
    expect(claims.map((c) => c.state)).toEqual(['claimed', 'claimed']);
    expect(new Set(claims.map((c) => c.shard)).size).toBe(2);
    for (const c of claims) expect(c.sequence).toBeGreaterThan(joined);
    await expectInvariant(programmeId, [...ids, ...later]);
  });

  /**
   * A ledger on a client of its own that records every command it sends, refused ones included. It
   * can fail its next GetItem as DynamoDB throttles (`throttleNextRead`), and its next sequencer draws
   * as DynamoDB refuses a write to an item a transaction is writing (`conflictingDraws`), before the
   * SDK's retries.
   */
  function recordingLedger() {
    const table = deps.config.tableName;
    const db = createDocumentClient(deps.config);
    const sent: string[] = [];
    const faults = { throttleNextRead: false, conflictingDraws: 0 };
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName).replace('Command', '');
        sent.push(command);
        if (command === 'GetItem' && faults.throttleNextRead) {
          faults.throttleNextRead = false;
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ThrottlingException',
          });
        }
        const update = (args.input as { UpdateExpression?: string }).UpdateExpression ?? '';
        if (command === 'UpdateItem' && update.includes('joinDraws') && faults.conflictingDraws > 0) {
          faults.conflictingDraws--;
          throw Object.assign(new Error('Transaction is ongoing for the item'), {
            name: 'TransactionConflictException',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'record-commands' },
    );
    return { ledger: new PlaceLedger(db, table, new Waitlist(db, table)), sent, faults };
  }

  it('a unit this process knows to join by the sequencer is drawn from without a read; once a place is free the refused draw reads it and the submit claims; then it is read first again', async () => {
    const programmeId = await programmeOf(1);
    const n = programmeCount;
    const { ledger, sent } = recordingLedger();
    const submit = async (id: string) => {
      const req = await draft(programmeId, `seq${n}${id}`);
      sent.length = 0;
      return ledger.submit(req);
    };

    expect((await submit('a')).state).toBe('claimed');
    expect((await submit('b')).position).toBe(1);
    expect(sent[0]).toBe('GetItem'); // not known yet: read first
    expect((await submit('b2')).position).toBe(2);
    expect(sent).toEqual(['UpdateItem', 'TransactWriteItems']);

    for (const id of ['b2', 'b', 'a']) await withdraw(`seq${n}${id}`);
    const claimed = await submit('c');
    expect(claimed.state).toBe('claimed');
    expect(claimed.sequence).toBeGreaterThan(3);
    // The refused draw, then its one read, which the claim goes on with (then the receipt counter,
    // moved past the joins' numbers, and the transaction).
    expect(sent.slice(0, 2)).toEqual(['UpdateItem', 'GetItem']);
    expect(sent.filter((c) => c === 'GetItem')).toHaveLength(1);
    expect(sent.at(-1)).toBe('TransactWriteItems');

    // Forgotten: the next join reads the unit before it draws.
    expect((await submit('d')).position).toBe(1);
    expect(sent[0]).toBe('GetItem');
    // Grown to 2 shards with someone waiting: the unsharded draw it tries first is refused, and the
    // join is drawn as a sharded unit's.
    await deps.ledger.setShards(programmeId, unit, 2, new Date().toISOString());
    const joined = await submit('e');
    expect(sent[0]).toBe('UpdateItem');
    expect(joined).toMatchObject({ state: 'waitlisted', position: 2 });
    expect(joined.sequence % MAX_SHARDS).toBe(MAX_SHARDS - 1);
    expect((await head(programmeId)).lastSequencedJoin).toBe(joined.sequence);
    await expectInvariant(
      programmeId,
      ['a', 'b', 'b2', 'c', 'd', 'e'].map((id) => `seq${n}${id}`),
    );
  });

  it('a refused draw whose read of the unit is throttled goes the ordinary way: the unit read again, the free place claimed', async () => {
    const programmeId = await programmeOf(1);
    const n = programmeCount;
    const { ledger, sent, faults } = recordingLedger();
    for (const id of ['a', 'b']) await ledger.submit(await draft(programmeId, `seq${n}${id}`));
    for (const id of ['b', 'a']) await withdraw(`seq${n}${id}`);
    const req = await draft(programmeId, `seq${n}c`);
    sent.length = 0;
    faults.throttleNextRead = true;
    expect((await ledger.submit(req)).state).toBe('claimed');
    expect(faults.throttleNextRead).toBe(false);
    expect(sent.slice(0, 3)).toEqual(['UpdateItem', 'GetItem', 'GetItem']);
    await expectInvariant(programmeId, [`seq${n}a`, `seq${n}b`, `seq${n}c`]);
  });

  it('a draw refused for a transaction then writing the unit’s item is tried again, read first or not', async () => {
    const programmeId = await programmeOf(1);
    const n = programmeCount;
    const { ledger, sent, faults } = recordingLedger();
    await ledger.submit(await draft(programmeId, `seq${n}a`));
    const positions: (number | undefined)[] = [];
    for (const id of ['b', 'c']) {
      const req = await draft(programmeId, `seq${n}${id}`);
      sent.length = 0;
      faults.conflictingDraws = 2;
      positions.push((await ledger.submit(req)).position);
      expect(faults.conflictingDraws).toBe(0);
      expect(sent.filter((c) => c === 'TransactWriteItems')).toHaveLength(1);
    }
    // c, known to join by the sequencer, read nothing of the unit: three draws, then the commit.
    expect(sent).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem', 'TransactWriteItems']);
    expect(positions).toEqual([1, 2]);
    await expectInvariant(
      programmeId,
      ['a', 'b', 'c'].map((id) => `seq${n}${id}`),
    );
  });

  it('a join whose function stopped after its draw: places wait for it, the scheduled repair pass gives its slot back, and its commit can no longer land', async () => {
    const programmeId = await programmeOf(1);
    const n = programmeCount;
    const table = deps.config.tableName;
    await submitThroughLedger(deps, `seq${n}a`, programmeId, unit);
    const b = await submitThroughLedger(deps, `seq${n}b`, programmeId, unit);
    const stopped = await draft(programmeId, `seq${n}stopped`);
    const slot = await drawOnly(programmeId);
    const c = await submitThroughLedger(deps, `seq${n}c`, programmeId, unit);
    expect([b.position, slot.position, c.position]).toEqual([1, 2, 3]);

    // The place a goes back to b, whose receipt is before the stopped one's: no wait.
    expect(await withdraw(`seq${n}a`)).toMatchObject({ promotedApplicationId: `seq${n}b` });
    // b's place would pass over the stopped receipt to c: refused while it is unsettled (429 on the route).
    await expect(withdraw(`seq${n}b`)).rejects.toBeInstanceOf(JoinsInFlight);
    expect(await quotaState(`seq${n}b`)).toBe('claimed');
    // The refusal marked the draws for the repair pass; a pass before the grace voids nothing.
    const marked = await deps.db.send(
      new GetCommand({ TableName: table, Key: joinRepairKey(programmeId, unit), ConsistentRead: true }),
    );
    expect(marked.Item).toMatchObject({ done: 0, mark: 3 });
    expect(await deps.ledger.repairJoins(programmeId, unit, new Date())).toBe(0);

    // The 15-minute schedule, once the grace has passed, gives the slot back.
    stack.clock.advance(JOIN_REPAIR_GRACE_MS + 1000);
    expect(await stack.sms.tick()).toMatchObject({ joinsVoided: 1 });
    expect((await settlements(programmeId)).get(2)).toMatchObject({ state: 'void' });
    expect(await head(programmeId)).toMatchObject({ waitlisted: 1, claimed: 1 });
    expect(await deps.waitlist.position(programmeId, unit, c.sequence)).toBe(1);
    // The stopped function's commit, had it come now, is refused whole.
    await expect(
      deps.db.send(
        new TransactWriteCommand({
          TransactItems: joinCommitItems(table, stopped, slot, `digest-${slot.sequence}`),
        }),
      ),
    ).rejects.toThrow(/ConditionalCheckFailed/);
    expect(await quotaState(`seq${n}stopped`)).toBe('none');

    expect(await withdraw(`seq${n}b`)).toMatchObject({ promotedApplicationId: `seq${n}c` });
    // Nothing more to repair.
    stack.clock.advance(JOIN_REPAIR_GRACE_MS + 1000);
    expect(await stack.sms.tick()).toMatchObject({ joinsVoided: 0 });
    await expectInvariant(programmeId, [`seq${n}a`, `seq${n}b`, `seq${n}c`, `seq${n}stopped`]);
  }, 60_000);
});
