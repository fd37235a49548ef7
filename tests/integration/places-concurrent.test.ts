import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultStats, throttleStats } from '../../shared/adapters/fault-injection.ts';
import { personLevelKey } from '../../shared/adapters/keys.ts';
import { PlacesInUse } from '../../shared/adapters/persistence-errors.ts';
import type { SubmitOutcome } from '../../shared/adapters/place-ledger.ts';
import { loadConfig } from '../../shared/config.ts';
import { invariantViolations } from '../../shared/domain/places.ts';
import { liveStatuses } from '../../shared/model/application.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import {
  ledgerOperation,
  placeSnapshot,
  programmeRecord,
  submitThroughLedger,
  unsettledDraws,
} from '../support/ledger-fixtures.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
/** Reads the outcome: no faults. */
let deps: Deps;
/** Acts: a fifth of its transactions fail on TransactionConflict and a hot item takes 4 writes a second. */
let faulty: Deps;
let programmeCount = 0;

beforeAll(async () => {
  stack = await startTestStack();
  deps = createDeps(loadConfig());
  faulty = createDeps({ ...loadConfig(), injectTransactionConflictRate: 0.2, injectItemWritesPerSecond: 4 });
});
afterAll(async () => {
  await stack.stop();
});

const units = ['lc-dongchangfu', 'lc-chiping'] as const;
type Unit = (typeof units)[number];

const operation = ledgerOperation(units, 5);

interface Joined {
  id: string;
  unit: Unit;
  sequence: number;
  /** The position the submit would answer, read as the submit route reads it. */
  answered: number;
}

/**
 * The ledger's operations fired together, batch after batch, with injected conflicts and throttles:
 * whatever order DynamoDB Local commits them in, the place invariant of architecture.md §3 holds after
 * every batch, a released application lets go of its person-and-level item, and the waitlist position a
 * join is answered is the one read back — exactly, when nobody left the waitlist meanwhile, and never
 * further back otherwise.
 */
describe('the place ledger under concurrent operations (architecture.md §3)', () => {
  it('keeps the invariant and exact positions whatever order concurrent submits, releases, growth and reallocations commit in', async () => {
    const injected = {
      conflicts: faultStats.injectedTransactionConflicts,
      throttled: throttleStats.throttled,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          places: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })),
          shards: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
        }),
        fc.array(fc.array(operation, { minLength: 2, maxLength: 10 }), { minLength: 2, maxLength: 5 }),
        async (p, batches) => {
          const programmeId = `conc-${++programmeCount}`;
          const places = { [units[0]]: p.places[0], [units[1]]: p.places[1] };
          await deps.programmes.create(programmeRecord(programmeId, places));
          for (const [i, unit] of units.entries()) {
            const n = p.shards[i] ?? 1;
            if (n > 1) await deps.ledger.setShards(programmeId, unit, n, new Date().toISOString());
          }
          const ids: string[] = [];
          for (const batch of batches) {
            const before = await placeSnapshot(deps, programmeId, ids);
            const live = before.applications.filter((a) => a.live).map((a) => a.id);
            const releasing = new Set<string>();
            const growing = new Set<Unit>();
            const joined: Joined[] = [];
            let departures = false;
            const runs: Promise<unknown>[] = [];
            for (const step of batch) {
              if (step.op === 'submit') {
                const id = `conc${programmeCount}x${ids.length + 1}`;
                ids.push(id);
                runs.push(
                  submitThroughLedger(faulty, id, programmeId, step.unit).then(async (out: SubmitOutcome) => {
                    if (out.state !== 'waitlisted') return;
                    const answered =
                      out.position ??
                      (await faulty.waitlist.positionOnJoin(programmeId, step.unit, out.sequence));
                    joined.push({ id, unit: step.unit, sequence: out.sequence, answered });
                  }),
                );
              } else if (step.op === 'grow') {
                if (growing.has(step.unit)) continue;
                growing.add(step.unit);
                const { shards } = await deps.waitlist.unit(programmeId, step.unit, true);
                if (shards.length >= 4) continue;
                runs.push(
                  faulty.ledger.setShards(
                    programmeId,
                    step.unit,
                    shards.length + 1,
                    new Date().toISOString(),
                  ),
                );
              } else if (step.op === 'reallocate') {
                if (step.from === step.to) continue;
                departures = true;
                runs.push(
                  faulty.ledger
                    .reallocate(programmeId, step.from, step.to, step.places, new Date().toISOString())
                    .catch((err: unknown) => {
                      if (!(err instanceof PlacesInUse)) throw err;
                    }),
                );
              } else {
                const free = live.filter((id) => !releasing.has(id));
                const target = free[step.pick % Math.max(1, free.length)];
                if (!target) continue;
                releasing.add(target);
                departures = true;
                const at = new Date().toISOString();
                runs.push(
                  faulty.ledger.release({
                    applicationId: target,
                    status: step.op,
                    from: liveStatuses,
                    at,
                    event: { type: step.op, at },
                  }),
                );
              }
            }
            await Promise.all(runs);

            const after = await placeSnapshot(deps, programmeId, ids);
            expect(invariantViolations(after.units, after.applications)).toEqual([]);
            expect(after.shardProblems).toEqual([]);
            // Every join the sequencer drew has committed or been given back.
            for (const unit of units) expect(await unsettledDraws(deps, programmeId, unit)).toBe(0);
            for (const id of releasing) {
              const app = after.applications.find((a) => a.id === id);
              expect(app?.live).toBe(false);
              const person = await deps.db.send(
                new GetCommand({
                  TableName: deps.config.tableName,
                  Key: personLevelKey(`hash-${id}`, 'junior_college'),
                  ConsistentRead: true,
                }),
              );
              expect(person.Item).toBeUndefined();
            }
            // Receipts are unique within a unit.
            for (const unit of units) {
              const sequences = after.applications.filter((a) => a.unitOrgId === unit).map((a) => a.sequence);
              expect(new Set(sequences).size).toBe(sequences.length);
            }
            for (const j of joined) {
              const app = after.applications.find((a) => a.id === j.id);
              if (app?.state !== 'waitlisted') {
                expect(departures, `${j.id} left the waitlist with nobody released`).toBe(true);
                continue;
              }
              const readBack = await deps.waitlist.position(programmeId, j.unit, j.sequence);
              if (departures) expect(readBack).toBeLessThanOrEqual(j.answered);
              else expect(readBack, `${j.id} (#${j.sequence})`).toBe(j.answered);
            }
            if (!departures) {
              for (const unit of units) {
                const told = joined.filter((j) => j.unit === unit).map((j) => j.answered);
                expect(new Set(told).size, `${unit} told ${told}`).toBe(told.length);
              }
            }
          }
        },
      ),
      { numRuns: Number(process.env.PLACES_CONCURRENT_RUNS ?? 8) },
    );
    // The faults this test is about were injected.
    expect(faultStats.injectedTransactionConflicts).toBeGreaterThan(injected.conflicts);
    expect(throttleStats.throttled).toBeGreaterThan(injected.throttled);
  }, 600_000);
});
