/**
 * `npm run bench`: starts DynamoDB Local and the local stacks it needs, runs the benchmark suites,
 * prints a table and writes `bench/results.json`. Every figure that is a speed is measured against a
 * baseline taken in the same run on the same machine; see docs/benchmarks.md.
 *
 * BENCH_SUBMITS (default 2000) and BENCH_PLACES (default 20) size the rushes; BENCH_SUITES (e.g.
 * `claims,coldStart`) runs only some suites while working on them.
 */
// First: sets the log level before the Logger is built (a rush would drown the table).
import '../../infra/local/quiet-logs.ts';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../infra/local/dynamodb.ts';
import { type ClaimsDiagnostics, type ClaimsResult, claimsSuite } from './claims.ts';
import { type ColdStartDiagnostics, type ColdStartResult, coldStartSuite } from './cold-start.ts';
import { type ConflictsDiagnostics, type ConflictsResult, conflictsSuite } from './conflicts.ts';
import { type MachineResult, machineSuite } from './machine.ts';
import { type PayoutDiagnostics, type PayoutResult, payoutSuite } from './payout.ts';
import { type QueueResult, queueSuite } from './queue.ts';
import { type ShardsDiagnostics, type ShardsResult, shardsSuite } from './shards.ts';
import { type BenchContext, round } from './support.ts';
import { type WebResult, webSuite } from './web.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const resultsFile = join(repoRoot, 'bench', 'results.json');
const workDir = join(repoRoot, 'bench', 'tmp', `run-${process.pid}`);

const allSuites = ['coldStart', 'claims', 'conflicts', 'shards', 'payout', 'queue', 'web'] as const;
type SuiteName = (typeof allSuites)[number];

interface Results {
  claims?: ClaimsResult;
  conflicts?: ConflictsResult;
  shards?: ShardsResult;
  payout?: PayoutResult;
  queue?: QueueResult;
  web?: WebResult;
  coldStart?: ColdStartResult;
  machine: MachineResult;
}

interface Diagnostics {
  claims?: ClaimsDiagnostics;
  conflicts?: ConflictsDiagnostics;
  shards?: ShardsDiagnostics;
  coldStart?: ColdStartDiagnostics;
  payout?: PayoutDiagnostics;
}

function selectedSuites(): SuiteName[] {
  const wanted = process.env.BENCH_SUITES?.split(',').map((s) => s.trim());
  if (!wanted) return [...allSuites];
  const unknown = wanted.filter((s) => !(allSuites as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown suites ${unknown.join(', ')}; known: ${allSuites.join(', ')}`);
  return allSuites.filter((s) => wanted.includes(s));
}

const log = (line: string) => console.log(`  · ${line}`);

let dynamo: DynamoDbLocal | undefined;
async function cleanUp() {
  await dynamo?.stop();
  dynamo = undefined;
  rmSync(workDir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping what the benchmark started…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function main() {
  const suites = selectedSuites();
  const submits = Number(process.env.BENCH_SUBMITS ?? 2000);
  const places = Number(process.env.BENCH_PLACES ?? 20);
  if (!process.version.startsWith('v24.')) {
    console.warn(
      `Node ${process.version}: Lambda runs Node.js 24; \`npm run bench\` uses the project's Node 24.`,
    );
  }
  mkdirSync(workDir, { recursive: true });
  const started = performance.now();
  const results: Results = { machine: machineSuite() };
  const diagnostics: Diagnostics = {};
  console.log(
    `edu-subsidy benchmarks — ${results.machine.cpus} CPUs, Node ${results.machine.node}, ${submits} submits on ${places} places`,
  );

  // Cold starts first, while nothing else of ours runs on the machine.
  if (suites.includes('coldStart')) {
    const out = coldStartSuite({ dynamodbEndpoint: '', workDir, submits, places, log });
    results.coldStart = out.result;
    diagnostics.coldStart = out.diagnostics;
  }

  if (suites.some((s) => s !== 'coldStart')) {
    // DynamoDB Local's JVM takes options from the environment, e.g. JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1.
    const jvmOptions = [process.env.JAVA_TOOL_OPTIONS, process.env.JDK_JAVA_OPTIONS]
      .filter(Boolean)
      .join(' ');
    log(`starting DynamoDB Local${jvmOptions ? ` (${jvmOptions})` : ''}…`);
    dynamo = await startDynamoDbLocal();
    const ctx: BenchContext = {
      dynamodbEndpoint: dynamo.endpoint,
      workDir,
      submits,
      places,
      log,
      javaPid: dynamo.process.pid,
    };
    if (suites.includes('claims')) {
      const out = await claimsSuite(ctx);
      results.claims = out.result;
      diagnostics.claims = out.diagnostics;
    }
    if (suites.includes('conflicts')) {
      const out = await conflictsSuite(ctx);
      results.conflicts = out.result;
      diagnostics.conflicts = out.diagnostics;
    }
    if (suites.includes('shards')) {
      const out = await shardsSuite(ctx);
      results.shards = out.result;
      diagnostics.shards = out.diagnostics;
    }
    if (suites.includes('payout')) {
      const out = await payoutSuite(ctx);
      results.payout = out.result;
      diagnostics.payout = out.diagnostics;
    }
    if (suites.includes('queue')) results.queue = await queueSuite(ctx);
    if (suites.includes('web')) results.web = await webSuite(ctx);
  }

  const ordered = {
    ...(results.claims ? { claims: results.claims } : {}),
    ...(results.conflicts ? { conflicts: results.conflicts } : {}),
    ...(results.shards ? { shards: results.shards } : {}),
    ...(results.payout ? { payout: results.payout } : {}),
    ...(results.queue ? { queue: results.queue } : {}),
    ...(results.web ? { web: results.web } : {}),
    ...(results.coldStart ? { coldStart: results.coldStart } : {}),
    machine: results.machine,
  };
  mkdirSync(join(repoRoot, 'bench'), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(ordered, null, 2)}\n`);
  printTable(results, diagnostics);
  console.log(`\n${round((performance.now() - started) / 1000, 0)} s; results in ${resultsFile}`);
  return violations(results, diagnostics);
}

type Row = [suite: string, figure: string, value: string, target: string, verdict: string];

function check(ok: boolean, target: string): [string, string] {
  return [target, ok ? 'ok' : 'SHORT'];
}

function printTable(results: Results, diagnostics: Diagnostics) {
  const rows: Row[] = [];
  const add = (suite: string, figure: string, value: unknown, verdict?: [string, string]) =>
    rows.push([suite, figure, String(value), verdict?.[0] ?? '', verdict?.[1] ?? '']);
  const c = results.claims;
  if (c) {
    add('claims', 'submits / places', `${c.submits} / ${c.places}`);
    add('claims', 'claimed / waitlisted', `${c.claimed} / ${c.waitlisted}`);
    add('claims', 'overAllocated', c.overAllocated, check(c.overAllocated === 0, '= 0'));
    add('claims', 'HTTP submits/s', c.httpSubmitsPerSec);
    add('claims', 'raw claim transactions/s', c.rawTransactPerSec);
    add('claims', 'ratio', c.ratio, check(c.ratio >= 0.5, '≥ 0.5'));
    add('claims', 'p50 / p99 ms', `${c.p50Ms} / ${c.p99Ms}`);
    add('claims', 'positionsExact', c.positionsExact, check(c.positionsExact, '= true'));
    add('claims', 'the same submits, place ledger alone/s', c.ledgerSubmitsPerSec);
    add('claims', 'HTTP submits ÷ ledger alone', c.ratioToLedger);
  }
  const h = results.shards;
  if (h) {
    add('shards', 'cap writes/s per item; submits', `${h.capWritesPerItemPerSec}; ${h.submits}`);
    add('shards', 'unsharded submits/s', h.unshardedPerSec);
    add('shards', `${h.shards} shards submits/s`, h.shardedPerSec);
    add('shards', 'scaling', h.scaling, check(h.scaling >= 3, '≥ 3'));
    add('shards', `programme of ${h.programmeUnits} units, submits/s`, h.programmePerSec);
    add('shards', `joins of a full unit of ${h.shards} shards/s`, h.shardedJoinsPerSec);
    add('shards', 'joins per cap (write units/s of one item)', h.shardedJoinsPerCap);
    add('shards', 'overAllocated', h.overAllocated, check(h.overAllocated === 0, '= 0'));
  }
  const k = results.conflicts;
  if (k) {
    add('conflicts', 'submits', k.submits);
    add('conflicts', 'injected conflict rate', k.injectedConflictRate);
    add('conflicts', 'claimed', k.claimed);
    add('conflicts', 'overAllocated', k.overAllocated, check(k.overAllocated === 0, '= 0'));
    add('conflicts', 'retries', k.retries);
  }
  const p = results.payout;
  if (p) {
    add('payout', 'instructions', p.instructions);
    add('payout', 'rail failure rate', p.failureRate);
    add('payout', 'paid', p.paid, check(p.paid === p.instructions, `= ${p.instructions}`));
    add('payout', 'duplicates', p.duplicates, check(p.duplicates === 0, '= 0'));
    add('payout', 'seconds (payout run)', p.seconds);
    add('payout', 'seconds (direct loop)', p.directLoopSeconds);
    add('payout', 'ratio (direct ÷ run)', p.ratio);
    add('payout', 'overheadRatio (run ÷ direct)', p.overheadRatio, check(p.overheadRatio <= 1.5, '≤ 1.5'));
  }
  const q = results.queue;
  if (q) {
    add('queue', 'page size', q.pageSize);
    add('queue', `RCU, queue of ${q.itemsSmall}`, q.rcuSmall);
    add('queue', `RCU, queue of ${q.itemsLarge}`, q.rcuLarge);
    add('queue', 'rcuRatio', q.rcuRatio, check(q.rcuRatio <= 1.2, '≤ 1.2'));
  }
  const w = results.web?.console;
  if (w) {
    add(
      'web',
      'console first load (gzip B)',
      w.firstLoadGzipBytes,
      check(w.firstLoadGzipBytes <= 350 * 1024, '≤ 350 KB'),
    );
    add('web', `queue of ${w.queueItems}: first page ms`, w.queueFirstPageMs);
  }
  const m = results.web?.worker;
  if (m) {
    add(
      'web',
      'worker first load (gzip B)',
      m.firstLoadGzipBytes,
      check(m.firstLoadGzipBytes <= 150 * 1024, '≤ 150 KB'),
    );
    add('web', 'worker Lighthouse home', m.lighthouse.home, check(m.lighthouse.home >= 90, '≥ 90'));
    add(
      'web',
      'worker Lighthouse application',
      m.lighthouse.application,
      check(m.lighthouse.application >= 90, '≥ 90'),
    );
  }
  const s = results.coldStart;
  if (s) {
    for (const f of s.functions) add('coldStart', f.name, `${f.bundleBytes} B, ${f.initMs} ms`);
    add('coldStart', 'baseline init ms', s.baselineInitMs);
    add('coldStart', 'maxBundleBytes', s.maxBundleBytes, check(s.maxBundleBytes <= 250 * 1024, '≤ 250 KB'));
    add('coldStart', 'maxInitRatio (to a bare handler)', s.maxInitRatio);
    add('coldStart', 'sdkFloorInitMs', s.sdkFloorInitMs);
    add(
      'coldStart',
      'maxInitRatioToFloor',
      s.maxInitRatioToFloor,
      check(s.maxInitRatioToFloor <= 1.2, '≤ 1.2'),
    );
  }
  add('machine', 'cpus / node', `${results.machine.cpus} / ${results.machine.node}`);
  add('machine', 'when', results.machine.when);

  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  console.log('');
  for (const r of rows) {
    console.log(
      `${r[0].padEnd(widths[0] ?? 0)}  ${r[1].padEnd(widths[1] ?? 0)}  ${r[2].padStart(widths[2] ?? 0)}  ${r[3].padEnd(widths[3] ?? 0)}  ${r[4]}`.trimEnd(),
    );
  }

  console.log('\nwhere the time goes');
  const d = diagnostics.claims;
  if (d) {
    const calls = Object.entries(d.callsPerSubmit)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    console.log(`  DynamoDB calls per HTTP submit: ${calls}`);
    console.log(`  CPU per raw transaction: ${d.cpuPerRaw}`);
    console.log(`  CPU per HTTP submit:     ${d.cpuPerSubmit}`);
    console.log(
      `  raw runs before/after the HTTP rush: ${d.rawPerSecRuns.map((r) => round(r, 1)).join(' / ')} per s`,
    );
    console.log(
      `  the place ledger alone before/after the HTTP rush: ${d.ledgerPerSecRuns.map((r) => round(r, 1)).join(' / ')} per s`,
    );
    console.log('  each kind of call of a submit, replayed alone (calls per submit × CPU ms per call):');
    let java = 0;
    let node = 0;
    for (const c of d.costModel) {
      java += c.javaMs * c.perSubmit;
      node += c.nodeMs * c.perSubmit;
      console.log(
        `    ${c.call.padEnd(42)} ${String(c.perSubmit).padStart(5)} × (DynamoDB Local ${c.javaMs} + Node ${c.nodeMs})`,
      );
    }
    console.log(
      `    sum per submit: DynamoDB Local ${round(java, 1)} ms + Node ${round(node, 1)} ms; the rest of the Node figure is the gateway, the handler and the HTTP client`,
    );
  }
  const cd = diagnostics.conflicts;
  if (cd) {
    console.log(
      `  conflicts: ${cd.injected} injected, ${round(cd.perSec, 1)} submits/s, p50/p99 ${cd.p50Ms}/${cd.p99Ms} ms, ${cd.waitlisted} waitlisted`,
    );
  }
  const hd = diagnostics.shards;
  if (hd) {
    console.log(
      `  shards: throttled writes ${hd.throttled.unsharded} (unsharded) / ${hd.throttled.sharded} (sharded) / ${hd.throttled.programme} (programme) / ${hd.throttled.shardedJoins} (joins of the full sharded unit, ${hd.shardedJoinDraws.draws} sequencer draws for ${hd.shardedJoinDraws.joins} joins); answered 429: ${JSON.stringify(hd.rateLimited)}; hottest items: ${hd.hottest.join('; ')}`,
    );
  }
  const pd = diagnostics.payout;
  if (pd) {
    console.log(
      `  payout: run ${pd.status}, ${pd.pageAttempts} page attempts, ${pd.railCalls} rail calls (${pd.railRepeats} repeated keys answered from the ledger); direct loop ${pd.directLoopPageAttempts} page attempts, ${pd.directLoopStatus}; a second run planned ${pd.secondRunPlanned}${pd.problems.length > 0 ? `; the run's problems: ${pd.problems.join(' | ')}` : ''}`,
    );
  }
  const sd = diagnostics.coldStart;
  if (sd) {
    console.log(
      `  cold start floor (DynamoDB document client alone): ${sd.sdkFloorInitMs} ms, ${sd.sdkFloorBundleBytes} B; largest source map ${Math.max(...Object.values(sd.sourceMapBytes))} B (read when an error is logged); the slowest function with --enable-source-maps: ${sd.slowestWithSourceMapsMs} ms`,
    );
    console.log(
      `  init above that floor, per function (median of same-round differences): ${Object.entries(
        sd.aboveFloorMs,
      )
        .map(([name, ms]) => `${name.split('/').pop()} ${ms} ms`)
        .join(', ')}`,
    );
    const fu = sd.schemaFirstUse;
    console.log(
      `  a route's first request, building its schemas (fresh process each): median route ${fu.medianRouteMs} ms, slowest ${fu.slowestRoute.operationId} ${fu.slowestRoute.ms} ms; every route of a group, one after the other: ${Object.entries(
        fu.allRoutesByGroupMs,
      )
        .map(([group, ms]) => `${group} ${ms} ms`)
        .join(', ')}`,
    );
    console.log(
      `  init CPU time (user + system, median): baseline ${sd.baselineInitCpuMs} ms, floor ${sd.sdkFloorInitCpuMs} ms, ${Object.entries(
        sd.initCpuMs,
      )
        .map(([name, ms]) => `${name.split('/').pop()} ${ms} ms`)
        .join(', ')}`,
    );
  }
}

/** Broken invariants, not slow figures, make the run fail. */
function violations(results: Results, diagnostics: Diagnostics): string[] {
  const found: string[] = [];
  if (results.claims && results.claims.overAllocated > 0)
    found.push(`claims: ${results.claims.overAllocated} over-allocated`);
  if (results.conflicts && results.conflicts.overAllocated > 0)
    found.push(`conflicts: ${results.conflicts.overAllocated} over-allocated`);
  if (results.shards && results.shards.overAllocated > 0)
    found.push(`shards: ${results.shards.overAllocated} over-allocated`);
  if (results.claims && !results.claims.positionsExact)
    found.push('claims: a submit was told a waitlist position it did not keep');
  if (results.payout && results.payout.duplicates > 0)
    found.push(`payout: ${results.payout.duplicates} keys paid twice`);
  if (results.payout && results.payout.paid !== results.payout.instructions)
    found.push(`payout: ${results.payout.paid} of ${results.payout.instructions} instructions paid`);
  for (const [suite, d] of [
    ['claims', diagnostics.claims],
    ['conflicts', diagnostics.conflicts],
    ['shards', diagnostics.shards],
  ] as const) {
    if (!d) continue;
    for (const p of d.problems) found.push(`${suite}: ${p}`);
    for (const [answer, n] of Object.entries(d.failures))
      found.push(`${suite}: ${n} submits answered ${answer}`);
  }
  return found;
}

main()
  .then(async (problems) => {
    await cleanUp();
    if (problems.length > 0) {
      console.error(`\nInvariant violations:\n${problems.map((p) => `  ${p}`).join('\n')}`);
      process.exitCode = 1;
    }
  })
  .catch(async (err: unknown) => {
    await cleanUp();
    console.error(err);
    process.exitCode = 1;
  });
