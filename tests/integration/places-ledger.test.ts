import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/aws.ts';
import { cancellationReasons } from '../../shared/adapters/errors.ts';
import {
  accountDraftsKey,
  accountProgrammeKey,
  personLevelKey,
  receiptCounterKey,
} from '../../shared/adapters/keys.ts';
import { PlacesInUse } from '../../shared/adapters/persistence-errors.ts';
import { SUBMIT_ITEM, submitItems } from '../../shared/adapters/place-items.ts';
import { PlaceLedger } from '../../shared/adapters/place-ledger.ts';
import { Waitlist } from '../../shared/adapters/waitlist.ts';
import { loadConfig } from '../../shared/config.ts';
import { PlaceBook } from '../../shared/domain/place-book.ts';
import { homeShard, invariantViolations, MAX_SHARDS } from '../../shared/domain/places.ts';
import { liveStatuses } from '../../shared/model/application.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import {
  draftRecord,
  ledgerOperation,
  placeSnapshot,
  programmeRecord,
  submitThroughLedger,
} from '../support/ledger-fixtures.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let deps: Deps;
let programmeCount = 0;

beforeAll(async () => {
  stack = await startTestStack();
  deps = createDeps(loadConfig());
});
afterAll(async () => {
  await stack.stop();
});

const units = ['lc-dongchangfu', 'lc-chiping', 'lc-linqing'] as const;

async function newProgramme(places: Record<string, number>): Promise<string> {
  const id = `ledger-${++programmeCount}`;
  await deps.programmes.create(programmeRecord(id, places));
  return id;
}

/**
 * A ledger on a client of its own whose every command passes `before` and, once answered, `after`
 * (at the SDK's first step: before its retries, the input as the document client has it): a fault
 * this test injects, or a count it takes, on this ledger alone.
 */
function ledgerWatched(
  name: string,
  hooks: {
    before?: (command: string, input: Record<string, unknown>) => void;
    after?: (command: string) => void;
  },
): PlaceLedger {
  const db = createDocumentClient(deps.config);
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      hooks.before?.(command, args.input as Record<string, unknown>);
      const out = await next(args);
      hooks.after?.(command);
      return out;
    },
    { step: 'initialize', name },
  );
  return new PlaceLedger(db, deps.config.tableName, new Waitlist(db, deps.config.tableName));
}

/**
 * What an application holds as long as it is live, as the table has it: its person-and-level item
 * (R8) and its account-and-programme item (issue 10 point 8), each naming it, and its account's
 * live-draft count (zero once submitted). `submitThroughLedger` gives each application its own
 * person (`hash-{id}`) and account (`worker-{id}`).
 */
async function holdings(programmeId: string, id: string) {
  const get = async (Key: { pk: string; sk: string }) =>
    (await deps.db.send(new GetCommand({ TableName: deps.config.tableName, Key, ConsistentRead: true })))
      .Item;
  const [person, account, drafts] = await Promise.all([
    get(personLevelKey(`hash-${id}`, 'junior_college')),
    get(accountProgrammeKey(`worker-${id}`, programmeId)),
    get(accountDraftsKey(`worker-${id}`)),
  ]);
  return {
    person: person?.applicationId as string | undefined,
    account: account?.applicationId as string | undefined,
    drafts: drafts?.drafts as number | undefined,
  };
}

const operation = ledgerOperation(units, 3);

describe('the place ledger on DynamoDB Local follows the domain model', () => {
  it('keeps the invariant after every step of random sequences, on units of 1 to 4 shards', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          a: fc.integer({ min: 0, max: 5 }),
          b: fc.integer({ min: 0, max: 3 }),
          c: fc.integer({ min: 0, max: 3 }),
          // Shards of each unit at the start (architecture.md §3): the unit is one whatever N is.
          shards: fc.tuple(
            fc.integer({ min: 1, max: 3 }),
            fc.integer({ min: 1, max: 2 }),
            fc.integer({ min: 1, max: 1 }),
          ),
        }),
        fc.array(operation, { minLength: 5, maxLength: 25 }),
        async (p, ops) => {
          const places = { [units[0]]: p.a, [units[1]]: p.b, [units[2]]: p.c };
          const programmeId = await newProgramme(places);
          for (const [i, unit] of units.entries()) {
            const n = p.shards[i] ?? 1;
            if (n > 1) await deps.ledger.setShards(programmeId, unit, n, new Date().toISOString());
          }
          const model = new PlaceBook(places);
          const ids: string[] = [];
          for (const step of ops) {
            if (step.op === 'submit') {
              const id = `${programmeId.replace('-', '')}x${ids.length + 1}`;
              const outcome = await submitThroughLedger(deps, id, programmeId, step.unit);
              ids.push(id);
              expect(outcome.state).toBe(model.submit(id, step.unit).state);
            } else if (step.op === 'grow') {
              // A shard more while the programme runs: nothing a worker can see changes.
              const { shards } = await deps.waitlist.unit(programmeId, step.unit, true);
              if (shards.length < 4) {
                await deps.ledger.setShards(
                  programmeId,
                  step.unit,
                  shards.length + 1,
                  new Date().toISOString(),
                );
              }
            } else if (step.op === 'reallocate') {
              if (step.from === step.to) continue;
              const allowed = model.reallocate(step.from, step.to, step.places);
              const result = await deps.ledger
                .reallocate(programmeId, step.from, step.to, step.places, new Date().toISOString())
                .then(
                  () => true,
                  (err: unknown) => {
                    if (err instanceof PlacesInUse) return false;
                    throw err;
                  },
                );
              expect(result).toBe(allowed);
            } else {
              const live = [...model.applications.values()].filter((a) => a.live);
              const target = live[step.pick % Math.max(1, live.length)];
              if (!target) continue;
              const promotedInModel = model.release(target.id);
              const at = new Date().toISOString();
              const outcome = await deps.ledger.release({
                applicationId: target.id,
                status: step.op,
                from: liveStatuses,
                at,
                event: { type: step.op, at },
              });
              expect(outcome.promotedApplicationId).toBe(promotedInModel);
              // R8: the released application's locks go with it, in the same transaction.
              expect(await holdings(programmeId, target.id)).toEqual({
                person: undefined,
                account: undefined,
                drafts: 0,
              });
            }
            const snapshot = await placeSnapshot(deps, programmeId, ids);
            expect(invariantViolations(snapshot.units, snapshot.applications)).toEqual([]);
            expect(snapshot.shardProblems).toEqual([]);
            for (const app of snapshot.applications) {
              expect(app.state).toBe(model.applications.get(app.id)?.state);
            }
          }
          // Every live application still holds its locks, and only those.
          for (const id of ids) {
            const live = model.applications.get(id)?.live === true;
            expect(await holdings(programmeId, id)).toEqual({
              person: live ? id : undefined,
              account: live ? id : undefined,
              drafts: 0,
            });
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('receipts of a sharded unit', () => {
  it('a submit whose home shard is full takes its number from the counter of the shard it claims in', async () => {
    const programmeId = await newProgramme({ 'lc-dongchangfu': 4 });
    await deps.ledger.setShards(programmeId, 'lc-dongchangfu', 4, new Date().toISOString());
    // Two applications of the same home shard, then one of each other shard: one place a shard, so
    // the second of the pair finds its home full and claims in the one shard left free.
    const ids = Array.from({ length: 64 }, (_, i) => `fallback-${programmeId}-${i}`);
    const byHome = Map.groupBy(ids, (id) => homeShard(id, 4));
    const pair = [...byHome.values()].find((same) => same.length >= 2)?.slice(0, 2) ?? [];
    const home = homeShard(pair[0] ?? '', 4);
    const others = [0, 1, 2, 3].filter((k) => k !== home).map((k) => byHome.get(k)?.[0] ?? '');
    const [first, second] = pair;
    if (!first || !second || others.some((id) => !id)) throw new Error('no ids for every shard');

    const outcomes = [];
    for (const id of [first, ...others.slice(0, 2), second]) {
      outcomes.push({ id, ...(await submitThroughLedger(deps, id, programmeId, 'lc-dongchangfu')) });
    }
    const fallback = outcomes.at(-1);
    expect(fallback?.state).toBe('claimed');
    expect(fallback?.shard).not.toBe(home);
    expect(fallback?.shard).toBe(others.map((id) => homeShard(id, 4)).at(-1));
    for (const o of outcomes) expect(o.sequence % MAX_SHARDS, o.id).toBe(o.shard);
  });

  it('a submit whose home counter DynamoDB throttles claims in the next shard, numbered there', async () => {
    const programmeId = await newProgramme({ 'lc-dongchangfu': 8 });
    await deps.ledger.setShards(programmeId, 'lc-dongchangfu', 4, new Date().toISOString());
    const id = `throttled-${programmeId}`;
    const home = homeShard(id, 4);
    const hot = receiptCounterKey(programmeId, 'lc-dongchangfu', home).pk;
    // Every write of the home shard's counter is throttled, as a hot item's is (outside the SDK's
    // retries, so that the ledger meets it at once).
    let refused = 0;
    const ledger = ledgerWatched('throttle-home-counter', {
      before: (command, input) => {
        if (command === 'UpdateItemCommand' && (input.Key as { pk?: string } | undefined)?.pk === hot) {
          refused++;
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput (test).'), {
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
      },
    });

    const outcome = await submitThroughLedger({ ...deps, ledger }, id, programmeId, 'lc-dongchangfu');
    expect(refused).toBe(1);
    expect(outcome.state).toBe('claimed');
    expect(outcome.shard).toBe((home + 1) % 4);
    expect(outcome.sequence % MAX_SHARDS).toBe(outcome.shard);
  });
});

describe('joins of a sharded unit', () => {
  it('the join that starts the waitlist checks every other shard; a join behind someone waiting checks none, drawn by the sequencer', async () => {
    const programmeId = await newProgramme({ 'lc-dongchangfu': 4 });
    await deps.ledger.setShards(programmeId, 'lc-dongchangfu', 4, new Date().toISOString());
    // The shards each transaction checks, by the submit it belongs to (one submit at a time; a
    // submit whose receipt another shard's claims had passed tries again with a fresh number).
    const checks: number[][] = [];
    const ledger = ledgerWatched('count-shard-checks', {
      before: (command, input) => {
        const items = input.TransactItems as { ConditionCheck?: unknown }[] | undefined;
        if (command === 'TransactWriteItemsCommand' && items) {
          checks.at(-1)?.push(items.filter((i) => i.ConditionCheck).length);
        }
      },
    });
    const ids = Array.from({ length: 6 }, (_, i) => `${programmeId.replace('-', '')}j${i + 1}`);
    const states = [];
    for (const id of ids) {
      checks.push([]);
      states.push((await submitThroughLedger({ ...deps, ledger }, id, programmeId, 'lc-dongchangfu')).state);
    }
    expect(states).toEqual(['claimed', 'claimed', 'claimed', 'claimed', 'waitlisted', 'waitlisted']);
    // What each submit's transactions checked, whatever attempt: the first join alone checks the shards.
    expect(checks.map((attempts) => [...new Set(attempts)])).toEqual([[0], [0], [0], [0], [3], [0]]);
    // The sixth took its slot from the unit's own item (one draw), its transaction left that item alone.
    expect((await deps.waitlist.unit(programmeId, 'lc-dongchangfu', true)).head.joinDraws).toBe(1);
    const snapshot = await placeSnapshot(deps, programmeId, ids);
    expect(invariantViolations(snapshot.units, snapshot.applications)).toEqual([]);
    expect(snapshot.shardProblems).toEqual([]);
  });
});

describe('places a reallocation gives to a unit with a waitlist', () => {
  /**
   * A unit of 1 place with 40 waiting, then 40 places moved to it by a reallocation that stops after
   * its first transaction (the places and the first 24 promotions), as a function stopped by its
   * timeout would: 16 places are left free while 16 applicants still wait.
   */
  async function stoppedReallocation() {
    const programmeId = await newProgramme({ 'lc-dongchangfu': 1, 'lc-chiping': 60 });
    const ids = Array.from({ length: 41 }, (_, i) => `${programmeId.replace('-', '')}w${i + 1}`);
    for (const id of ids) await submitThroughLedger(deps, id, programmeId, 'lc-dongchangfu');

    let stopped = false;
    const stopping = ledgerWatched('stop-after-first-transaction', {
      before: () => {
        if (stopped) throw new Error('the function stopped (test)');
      },
      after: (command) => {
        if (command === 'TransactWriteItemsCommand') stopped = true;
      },
    });
    await expect(
      stopping.reallocate(programmeId, 'lc-chiping', 'lc-dongchangfu', 40, new Date().toISOString()),
    ).rejects.toThrow('the function stopped');
    const left = await deps.waitlist.unit(programmeId, 'lc-dongchangfu', true);
    expect({ places: left.head.places, claimed: left.head.claimed, waitlisted: left.waitlisted }).toEqual({
      places: 41,
      claimed: 25,
      waitlisted: 16,
    });
    return { programmeId, ids };
  }

  /** Five workers submit to the unit afterwards: each joins the waitlist behind everyone waiting. */
  async function newcomersWait(programmeId: string, ids: string[]) {
    for (let i = 1; i <= 5; i++) {
      const id = `${programmeId.replace('-', '')}n${i}`;
      const outcome = await submitThroughLedger(deps, id, programmeId, 'lc-dongchangfu');
      ids.push(id);
      expect(outcome.state, id).toBe('waitlisted');
      expect(await deps.waitlist.position(programmeId, 'lc-dongchangfu', outcome.sequence), id).toBe(i);
    }
    const snapshot = await placeSnapshot(deps, programmeId, ids);
    expect(invariantViolations(snapshot.units, snapshot.applications)).toEqual([]);
    expect(snapshot.shardProblems).toEqual([]);
    expect(snapshot.units.get('lc-dongchangfu')).toEqual({ places: 41, claimed: 41, waitlisted: 5 });
  }

  it('a worker submitting after a reallocation stopped half-way does not take a place someone waits for', async () => {
    const { programmeId, ids } = await stoppedReallocation();
    await newcomersWait(programmeId, ids);
  });

  it('a claim read before the reallocation, arriving after it, is refused while someone waits', async () => {
    const { programmeId } = await stoppedReallocation();
    // A submit that read the unit with its place free, before 40 joined and the reallocation came.
    const id = `${programmeId.replace('-', '')}late`;
    const at = new Date().toISOString();
    await deps.applications.create(draftRecord(id, programmeId, 'lc-dongchangfu', at));
    const claim = submitItems(
      deps.config.tableName,
      {
        applicationId: id,
        programmeId,
        unitOrgId: 'lc-dongchangfu',
        expectedUpdatedAt: at,
        idHash: `hash-${id}`,
        level: 'junior_college',
        submittedAt: at,
        reviewerOrgId: 'lc-dongchangfu',
        digest: async () => 'digest',
      },
      'claimed',
      1_000,
      'digest',
    );
    const refused = await deps.db.send(new TransactWriteCommand({ TransactItems: claim })).then(
      () => undefined,
      (err: unknown) => cancellationReasons(err),
    );
    expect(refused?.[SUBMIT_ITEM.allocation]).toBe('ConditionalCheckFailed');
  });

  it('a reallocation and new submits at once: the places go to those already waiting', async () => {
    const programmeId = await newProgramme({ 'lc-dongchangfu': 1, 'lc-chiping': 60 });
    const ids = Array.from({ length: 41 }, (_, i) => `${programmeId.replace('-', '')}w${i + 1}`);
    for (const id of ids) await submitThroughLedger(deps, id, programmeId, 'lc-dongchangfu');
    const newcomers = Array.from({ length: 20 }, (_, i) => `${programmeId.replace('-', '')}n${i + 1}`);
    // The submits may make some of the reallocation's promotions themselves: whoever makes them, the
    // 40 waiting take the 40 places.
    const [, ...outcomes] = await Promise.all([
      deps.ledger.reallocate(programmeId, 'lc-chiping', 'lc-dongchangfu', 40, new Date().toISOString()),
      ...newcomers.map((id) => submitThroughLedger(deps, id, programmeId, 'lc-dongchangfu')),
    ]);
    expect(outcomes.map((o) => o.state)).toEqual(newcomers.map(() => 'waitlisted'));
    const snapshot = await placeSnapshot(deps, programmeId, [...ids, ...newcomers]);
    expect(invariantViolations(snapshot.units, snapshot.applications)).toEqual([]);
    expect(snapshot.units.get('lc-dongchangfu')).toEqual({ places: 41, claimed: 41, waitlisted: 20 });
  });

  it('growing the unit then spreads no place someone waits for over the new shards', async () => {
    const { programmeId, ids } = await stoppedReallocation();
    await deps.ledger.setShards(programmeId, 'lc-dongchangfu', 3, new Date().toISOString());
    await newcomersWait(programmeId, ids);
  });
});
