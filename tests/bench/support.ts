import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { Agent, type ClientRequest, request } from 'node:http';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.ts';
import { loadConfig } from '../../shared/config.ts';
import { invariantViolations, type PlaceHolder } from '../../shared/domain/places.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { pool } from '../support/pool.ts';
import { rushDraftBody, rushProgrammeBody, rushUnitOrgId, verifiedAttachments } from '../support/rush.ts';

export { pool };

/** What every suite gets from the runner. */
export interface BenchContext {
  /** The DynamoDB Local the runner started; every suite uses it, each with a table of its own. */
  dynamodbEndpoint: string;
  /** Scratch space under `bench/tmp/` (git-ignored), removed at the end. */
  workDir: string;
  /** Concurrent submits of the claims and conflicts suites. */
  submits: number;
  /** Places of the one unit they rush. */
  places: number;
  log: (line: string) => void;
  /** DynamoDB Local's process, to read its CPU time. */
  javaPid?: number | undefined;
}

/** CPU seconds used so far by this process and by DynamoDB Local. */
export function cpuSeconds(javaPid: number | undefined): { node: number; java: number } {
  const usage = process.cpuUsage();
  let java = 0;
  if (javaPid !== undefined) {
    try {
      // /proc/<pid>/stat: utime and stime are fields 14 and 15, in clock ticks (100 a second).
      const fields = readFileSync(`/proc/${javaPid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      java = (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      java = Number.NaN; // not Linux: no figure
    }
  }
  return { node: (usage.user + usage.system) / 1e6, java };
}

/** CPU milliseconds per operation between two readings, e.g. `DynamoDB Local 6.1 ms + Node 2.9 ms`. */
export function cpuPerOp(
  before: { node: number; java: number },
  after: { node: number; java: number },
  ops: number,
) {
  const java = ((after.java - before.java) * 1000) / ops;
  const node = ((after.node - before.node) * 1000) / ops;
  return `DynamoDB Local ${round(java, 1)} ms + Node ${round(node, 1)} ms = ${round(java + node, 1)} ms`;
}

export interface HttpAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are read field by field
  body: any;
  ms: number;
}

/**
 * A keep-alive agent without a socket limit: the load generator must not queue requests itself,
 * every submit is in flight at once, as thousands of phones would be.
 */
export const loadAgent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** One JSON request with node:http (lighter than fetch, so the client steals less CPU from the server). */
export function httpJson(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string | number> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { method, headers, agent: loadAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started });
      });
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server closed an idle kept-alive socket just as this request was written on it: the
      // request never reached the server, so sending it again is safe (Node's documented remedy).
      if (req.reusedSocket && err.code === 'ECONNRESET') {
        httpJson(baseUrl, method, path, options).then(resolve, reject);
      } else reject(err);
    });
    req.end(payload);
  });
}

/** A local stack (gateway + real handlers) on the runner's DynamoDB Local, with a table of its own. */
export interface BenchStack {
  local: LocalStack;
  /** Direct table access for preparation and read-back (never fault-injected). */
  deps: Deps;
  token(claims: { sub: string; role: 'worker' | 'reviewer' | 'admin'; org?: string }): Promise<string>;
  call(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<HttpAnswer>;
  stop(): Promise<void>;
}

/**
 * Starts `startLocalStack` on the runner's DynamoDB Local. `env` is set while the handlers load (they
 * read their configuration at cold start) and removed afterwards, so a second stack can differ.
 */
export async function startBenchStack(
  ctx: BenchContext,
  name: string,
  env: Record<string, string> = {},
): Promise<BenchStack> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let local: LocalStack;
  try {
    local = await startLocalStack({
      dataDir: join(ctx.workDir, name),
      port: 0,
      dynamodbEndpoint: ctx.dynamodbEndpoint,
      tableName: `bench-${name}`,
      bucketName: `bench-${name}`,
      seed: true,
      // SMS are delivered by other functions in AWS, off the request path; here they would share the
      // benchmark's two cores, and DynamoDB Local slows down as stream records pile up.
      sms: { deliver: false },
    });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  // The stack set TABLE_NAME & co. for its handlers; the runner's own client reads the same table.
  const deps = createDeps({ ...loadConfig(), injectTransactionConflictRate: 0 });
  return {
    local,
    deps,
    token: (claims) => local.auth.issue(claims),
    call: (method, path, options) => httpJson(local.url, method, path, options),
    stop: async () => {
      deps.db.destroy();
      await local.stop();
    },
  };
}

export interface RushWorker {
  token: string;
  id: string;
}

/**
 * A programme open today with one unit of `places` places and `drafts` complete drafts, each created
 * through the API by its own worker, with its five documents verified (as `prepareContention` of the
 * contention tests does). Bounded concurrency; not timed.
 */
export async function prepareRush(
  stack: BenchStack,
  options: {
    programmeId: string;
    places: number;
    drafts: number;
    concurrency?: number;
    /** The first worker's number: people are distinct across rushes of one table (R8). */
    firstWorker?: number;
  },
): Promise<RushWorker[]> {
  const admin = await stack.token({ sub: 'bench-admin', role: 'admin', org: 'sd' });
  const created = await stack.call('POST', '/v1/programmes', {
    token: admin,
    body: rushProgrammeBody(options.programmeId, options.places),
  });
  if (created.status !== 201) throw new Error(`programme: ${created.status} ${JSON.stringify(created.body)}`);
  return pool(
    Array.from({ length: options.drafts }, (_, i) => i),
    options.concurrency ?? 24,
    async (i) => {
      const n = (options.firstWorker ?? 0) + i;
      const token = await stack.token({ sub: `${options.programmeId}-w${n}`, role: 'worker' });
      const res = await stack.call('POST', '/v1/applications', {
        token,
        body: rushDraftBody(options.programmeId, n),
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

export interface RushOutcome {
  submits: number;
  seconds: number;
  perSec: number;
  latenciesMs: number[];
  /** Answers other than 200, by status and error code. */
  failures: Record<string, number>;
  answeredClaimed: number;
  answeredWaitlisted: number;
  /** Each waitlisted submit's answer: its receipt and the position it was told. */
  positions: { id: string; sequence: number; position: number | undefined }[];
}

/** Fires every submit at once through the gateway and times them. */
export async function submitRush(stack: BenchStack, workers: readonly RushWorker[]): Promise<RushOutcome> {
  const started = performance.now();
  const answers = await Promise.all(
    workers.map((w) => stack.call('POST', `/v1/applications/${w.id}/submit`, { token: w.token })),
  );
  const seconds = (performance.now() - started) / 1000;
  const failures: Record<string, number> = {};
  let answeredClaimed = 0;
  let answeredWaitlisted = 0;
  const positions: RushOutcome['positions'] = [];
  for (const a of answers) {
    if (a.status !== 200) {
      const key = `${a.status} ${a.body?.error?.code ?? ''}`.trim();
      failures[key] = (failures[key] ?? 0) + 1;
    } else if (a.body.quota.state === 'claimed') answeredClaimed++;
    else if (a.body.quota.state === 'waitlisted') {
      answeredWaitlisted++;
      positions.push({
        id: a.body.id,
        sequence: a.body.receipt.sequence,
        position: a.body.quota.waitlistPosition,
      });
    }
  }
  return {
    submits: workers.length,
    seconds,
    perSec: workers.length / seconds,
    latenciesMs: answers.map((a) => a.ms),
    failures,
    answeredClaimed,
    answeredWaitlisted,
    positions,
  };
}

/**
 * True when every waitlisted submit was told the position it holds after the rush: with nobody
 * leaving the waitlist, the n-th receipt of those waiting is n-th (`GET /applications/{id}` counts the
 * same way, architecture.md §3).
 */
export function positionsExact(positions: RushOutcome['positions']): boolean {
  const byReceipt = [...positions].sort((a, b) => a.sequence - b.sequence);
  return byReceipt.every((p, i) => p.position === i + 1);
}

export interface PlaceReadBack {
  places: number;
  /** The quota board's counters (GET /v1/programmes/{id}/quotas). */
  claimed: number;
  waitlisted: number;
  /** max(0, claimed − places), taking the larger of the board's count and the applications' count. */
  overAllocated: number;
  /** Where the board, the applications' states and the invariant of architecture.md §3 disagree. */
  problems: string[];
}

/**
 * Reads the outcome back from the table: the quota board's counters, cross-checked with every
 * application's stored place state and the invariant of architecture.md §3.
 */
export async function readBackPlaces(
  stack: BenchStack,
  programmeId: string,
  workers: readonly RushWorker[],
): Promise<PlaceReadBack> {
  const board = await stack.call('GET', `/v1/programmes/${programmeId}/quotas`);
  const unit = (
    board.body.units as { unitOrgId: string; places: number; claimed: number; waitlisted: number }[]
  ).find((u) => u.unitOrgId === rushUnitOrgId);
  if (!unit) throw new Error(`quota board of ${programmeId}: ${JSON.stringify(board.body)}`);
  const holders = await pool(workers, 32, async (w): Promise<PlaceHolder> => {
    const bundle = await stack.deps.applications.bundle(w.id);
    if (!bundle) throw new Error(`application ${w.id} missing`);
    const app = bundle.application;
    return {
      id: w.id,
      unitOrgId: app.unitOrgId,
      sequence: app.sequence ?? 0,
      state: app.quotaState as PlaceHolder['state'],
      live: ['in_review', 'returned', 'approved'].includes(app.status),
    };
  });
  const appsClaimed = holders.filter((h) => h.state === 'claimed').length;
  const problems = invariantViolations(
    new Map([[rushUnitOrgId, { places: unit.places, claimed: unit.claimed, waitlisted: unit.waitlisted }]]),
    holders,
  );
  return {
    places: unit.places,
    claimed: unit.claimed,
    waitlisted: unit.waitlisted,
    overAllocated: Math.max(0, Math.max(unit.claimed, appsClaimed) - unit.places),
    problems,
  };
}

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/**
 * Counts the DynamoDB calls this process makes, by operation (`x-amz-target`), through Node's HTTP
 * client diagnostics channel: no change to the clients the handlers build for themselves.
 */
export function countDynamoDbCalls(): { stop: () => Record<string, number> } {
  const counts: Record<string, number> = {};
  const onRequest = (message: unknown) => {
    const req = (message as { request: ClientRequest }).request;
    const target = req.getHeader('x-amz-target');
    if (typeof target !== 'string' || !target.startsWith('DynamoDB_')) return;
    const op = target.slice(target.indexOf('.') + 1);
    counts[op] = (counts[op] ?? 0) + 1;
  };
  subscribe('http.client.request.start', onRequest);
  return {
    stop: () => {
      unsubscribe('http.client.request.start', onRequest);
      return counts;
    },
  };
}
