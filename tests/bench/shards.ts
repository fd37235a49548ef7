import { throttleStats } from '../../shared/adapters/fault-injection.ts';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import { invariantViolations, type PlaceHolder, type UnitCounters } from '../../shared/domain/places.ts';
import { draftBody, programmeBody } from '../support/fixtures.ts';
import { rushUnitOrgId, verifiedAttachments } from '../support/rush.ts';
import {
  type BenchContext,
  type BenchStack,
  pool,
  prepareRush,
  type RushWorker,
  round,
  startBenchStack,
  submitRush,
} from './support.ts';

/**
 * Write units a second any one item takes before DynamoDB-like throttling (architecture.md §3; a write
 * in a transaction is two), `BENCH_SHARD_CAP`. It stands for DynamoDB's per-item limit on an emulator
 * that is far slower than DynamoDB, so it must sit well below what the machine itself can push:
 * {@link SHARDS} × the transactions it allows (half the cap) has to stay under the CPU-bound rate of the
 * programme rush, or the sharded rush measures the machine and not the shards (docs/benchmarks.md,
 * shards). 20 (10 transactions a second) leaves a margin of two on this 2-core machine.
 */
export const CAP_WRITES_PER_ITEM = Number(process.env.BENCH_SHARD_CAP ?? 20);
/** Shards of the sharded rush. */
export const SHARDS = 4;
/** Units of the programme rush: ten of the seed's units, one enterprise registered under each. */
const PROGRAMME_UNITS = [
  'lc-shizhi',
  'lc-dongchangfu',
  'lc-chiping',
  'lc-linqing',
  'lc-guanxian',
  'lc-shenxian',
  'lc-yanggu',
  'lc-donge',
  'lc-gaotang',
  'lc-kaifaqu',
];

export interface ShardsResult {
  capWritesPerItemPerSec: number;
  shards: number;
  submits: number;
  unshardedPerSec: number;
  shardedPerSec: number;
  scaling: number;
  programmeUnits: number;
  programmePerSec: number;
  /** Joins of the waitlist of a full unit of {@link SHARDS} shards, a second (the sequencer's draws). */
  shardedJoinsPerSec: number;
  /** `shardedJoinsPerSec ÷ capWritesPerItemPerSec`: about 1 when a join spends one write unit of the unit's item. */
  shardedJoinsPerCap: number;
  overAllocated: number;
}

export interface ShardsDiagnostics {
  throttled: { unsharded: number; sharded: number; programme: number; shardedJoins: number };
  /** Draws the sequencer made in the joins rush (`joinDraws` of the unit's item), and its joins. */
  shardedJoinDraws: { draws: number; joins: number };
  /** Submits answered 429 (gave up after 26 s of throttles and retries), per rush. */
  rateLimited: Record<string, number>;
  hottest: string[];
  failures: Record<string, number>;
  problems: string[];
}

/**
 * Hot items under a per-item write limit (architecture.md §3): a stack whose handlers throttle any item
 * above {@link CAP_WRITES_PER_ITEM} write units a second (a write in a transaction is two;
 * `INJECT_ITEM_WRITES_PER_SECOND`, read at cold start; the SDK retries the `ThrottlingException`s, the
 * ledger what the SDK gave up on). Three rushes of `BENCH_SHARD_SUBMITS` (default 400) submits, each
 * with as many places as submits so that every submit claims: one unsharded unit, one unit of
 * {@link SHARDS} shards, and a programme of ten unsharded units. Then half as many joins of a full unit
 * of {@link SHARDS} shards whose waitlist has started: the sequencer's draws, one write unit each of the
 * unit's item, so they run at about the cap (1,000 a second on DynamoDB).
 */
export async function shardsSuite(
  ctx: BenchContext,
): Promise<{ result: ShardsResult; diagnostics: ShardsDiagnostics }> {
  const submits = Number(process.env.BENCH_SHARD_SUBMITS ?? 400);
  const stack = await startBenchStack(ctx, 'shards', {
    INJECT_ITEM_WRITES_PER_SECOND: String(CAP_WRITES_PER_ITEM),
  });
  const failures: Record<string, number> = {};
  const rateLimited: Record<string, number> = {};
  const problems: string[] = [];
  const hot = new Map<string, number>();
  const rush = async (
    workers: RushWorker[],
    programmeId: string,
    units: readonly string[],
    /** Every application of the programme, when the rush is not all of them (the invariant reads all). */
    all: readonly RushWorker[] = workers,
  ) => {
    throttleStats.byItem.clear();
    const before = throttleStats.throttled;
    const out = await submitRush(stack, workers);
    // A 429 (SubmitContention) is the contract's answer to a unit too hot to take more: what an
    // unsharded unit under the cap is expected to give. Anything else is a failure of the run.
    for (const [k, v] of Object.entries(out.failures)) {
      if (k === '429 rate_limited') rateLimited[programmeId] = v;
      else failures[k] = (failures[k] ?? 0) + v;
    }
    for (const [item, n] of throttleStats.byItem) hot.set(item, (hot.get(item) ?? 0) + n);
    const back = await readBack(stack, programmeId, units, all);
    problems.push(...back.problems.map((p) => `${programmeId}: ${p}`));
    ctx.log(`shards: ${programmeId}: ${workers.length} submits in ${round(out.seconds)} s`);
    return { perSec: out.perSec, throttled: throttleStats.throttled - before, over: back.overAllocated };
  };
  try {
    ctx.log(`shards: preparing ${submits} drafts, unsharded…`);
    const plain = await prepareRush(stack, {
      programmeId: 'bench-unsharded',
      places: submits,
      drafts: submits,
    });
    const a = await rush(plain, 'bench-unsharded', [rushUnitOrgId]);

    ctx.log(`shards: preparing ${submits} drafts, ${SHARDS} shards…`);
    const sharded = await prepareRush(stack, {
      programmeId: 'bench-sharded',
      places: submits,
      drafts: submits,
      firstWorker: submits,
    });
    const admin = await stack.token({ sub: 'bench-admin', role: 'admin', org: 'sd' });
    const grown = await stack.call(
      'PUT',
      `/v1/programmes/bench-sharded/allocations/${rushUnitOrgId}/shards`,
      {
        token: admin,
        body: { shards: SHARDS },
      },
    );
    if (grown.status !== 200) throw new Error(`shards: ${grown.status} ${JSON.stringify(grown.body)}`);
    const b = await rush(sharded, 'bench-sharded', [rushUnitOrgId]);

    // A full unit of SHARDS shards: its places and the join that starts its waitlist (by transaction,
    // checking every shard) first, then a rush of joins, each the sequencer's draw on the unit's item.
    const joins = Math.round(submits / 2);
    const held = 2 * SHARDS;
    ctx.log(`shards: preparing ${held + 1 + joins} drafts for a full unit of ${SHARDS} shards…`);
    const full = await prepareRush(stack, {
      programmeId: 'bench-sharded-full',
      places: held,
      drafts: held + 1 + joins,
      firstWorker: 4 * submits,
    });
    const grownFull = await stack.call(
      'PUT',
      `/v1/programmes/bench-sharded-full/allocations/${rushUnitOrgId}/shards`,
      { token: admin, body: { shards: SHARDS } },
    );
    if (grownFull.status !== 200)
      throw new Error(`shards: ${grownFull.status} ${JSON.stringify(grownFull.body)}`);
    const before = await submitRush(stack, full.slice(0, held + 1));
    if (Object.keys(before.failures).length > 0)
      throw new Error(`shards: ${JSON.stringify(before.failures)}`);
    const d = await rush(full.slice(held + 1), 'bench-sharded-full', [rushUnitOrgId], full);
    const draws =
      (await stack.deps.waitlist.unit('bench-sharded-full', rushUnitOrgId, true)).head.joinDraws ?? 0;

    ctx.log(`shards: preparing ${submits} drafts over ${PROGRAMME_UNITS.length} units…`);
    const spread = await prepareProgramme(stack, 'bench-programme', submits, 2 * submits);
    const c = await rush(spread, 'bench-programme', PROGRAMME_UNITS);

    return {
      result: {
        capWritesPerItemPerSec: CAP_WRITES_PER_ITEM,
        shards: SHARDS,
        submits,
        unshardedPerSec: round(a.perSec, 1),
        shardedPerSec: round(b.perSec, 1),
        scaling: round(b.perSec / a.perSec, 2),
        programmeUnits: PROGRAMME_UNITS.length,
        programmePerSec: round(c.perSec, 1),
        shardedJoinsPerSec: round(d.perSec, 1),
        shardedJoinsPerCap: round(d.perSec / CAP_WRITES_PER_ITEM, 2),
        overAllocated: a.over + b.over + c.over + d.over,
      },
      diagnostics: {
        throttled: {
          unsharded: a.throttled,
          sharded: b.throttled,
          programme: c.throttled,
          shardedJoins: d.throttled,
        },
        shardedJoinDraws: { draws, joins },
        hottest: [...hot]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 6)
          .map(([item, n]) => `${item.split('|').slice(1).join(' ')}: ${n}`),
        failures,
        rateLimited,
        problems,
      },
    };
  } finally {
    await stack.stop();
  }
}

/** A programme of ten units, `submits / 10` places each, and `submits` drafts spread over them. */
async function prepareProgramme(
  stack: BenchStack,
  programmeId: string,
  submits: number,
  firstWorker: number,
): Promise<RushWorker[]> {
  const admin = await stack.token({ sub: 'bench-admin', role: 'admin', org: 'sd' });
  for (const unit of PROGRAMME_UNITS) {
    const res = await stack.call('POST', '/v1/orgs', {
      token: admin,
      body: { id: `bench-${unit}`, name: `压测企业工会 ${unit}`, kind: 'enterprise', parentId: unit },
    });
    if (res.status !== 201 && res.status !== 409)
      throw new Error(`org: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const places = Math.ceil(submits / PROGRAMME_UNITS.length);
  const created = await stack.call('POST', '/v1/programmes', {
    token: admin,
    body: programmeBody({
      id: programmeId,
      levels: ['junior_college'],
      allocations: PROGRAMME_UNITS.map((unitOrgId) => ({
        unitOrgId,
        places,
        funding: [{ funderOrgId: 'sd', amountFen: 100_000 }],
      })),
    }),
  });
  if (created.status !== 201) throw new Error(`programme: ${created.status} ${JSON.stringify(created.body)}`);
  const year = Number(shanghaiDate(new Date()).slice(0, 4));
  return pool(
    Array.from({ length: submits }, (_, i) => i),
    24,
    async (i) => {
      const n = firstWorker + i;
      const token = await stack.token({ sub: `${programmeId}-w${n}`, role: 'worker' });
      const unit = PROGRAMME_UNITS[i % PROGRAMME_UNITS.length] as string;
      const res = await stack.call('POST', '/v1/applications', {
        token,
        body: draftBody(100_000 + n, { programmeId, employerOrgId: `bench-${unit}`, enrolmentYear: year }),
      });
      if (res.status !== 201) throw new Error(`draft ${n}: ${res.status} ${JSON.stringify(res.body)}`);
      const id = res.body.id as string;
      await Promise.all(
        verifiedAttachments(id, n, new Date().toISOString()).map((a) =>
          stack.deps.applications.putAttachment(a),
        ),
      );
      return { token, id };
    },
  );
}

/**
 * The rush read back: the quota board, every application's place and the invariant of architecture.md §3
 * per unit.
 */
async function readBack(
  stack: BenchStack,
  programmeId: string,
  units: readonly string[],
  workers: readonly RushWorker[],
): Promise<{ overAllocated: number; problems: string[] }> {
  const board = await stack.call('GET', `/v1/programmes/${programmeId}/quotas`);
  const counters = new Map<string, UnitCounters>(
    (board.body.units as (UnitCounters & { unitOrgId: string })[])
      .filter((u) => units.includes(u.unitOrgId))
      .map((u) => [u.unitOrgId, { places: u.places, claimed: u.claimed, waitlisted: u.waitlisted }]),
  );
  const holders = await pool(workers, 32, async (w): Promise<PlaceHolder> => {
    const app = (await stack.deps.applications.bundle(w.id))?.application;
    if (!app) throw new Error(`application ${w.id} missing`);
    return {
      id: w.id,
      unitOrgId: app.unitOrgId,
      sequence: app.sequence ?? 0,
      state: app.quotaState as PlaceHolder['state'],
      live: ['in_review', 'returned', 'approved'].includes(app.status),
    };
  });
  let overAllocated = 0;
  for (const [unitOrgId, unit] of counters) {
    const apps = holders.filter((h) => h.unitOrgId === unitOrgId && h.state === 'claimed').length;
    overAllocated += Math.max(0, Math.max(unit.claimed, apps) - unit.places);
  }
  return { overAllocated, problems: invariantViolations(counters, holders) };
}
