import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.ts';

/**
 * What `npm start` does twice on one DATA_DIR: its own DynamoDB Local persisting under the data
 * directory, the seed, the gateway; stopped; started again on the same directory.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'edu-subsidy-persist-'));
const running: LocalStack[] = [];

afterAll(async () => {
  for (const stack of running) await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(now: Date): Promise<LocalStack> {
  const stack = await startLocalStack({ dataDir, port: 0, persist: true, seed: true, now });
  running.push(stack);
  return stack;
}

async function stop(stack: LocalStack) {
  await stack.stop();
  running.splice(running.indexOf(stack), 1);
}

async function call(
  stack: LocalStack,
  method: string,
  path: string,
  init: { token?: string; body?: unknown } = {},
) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  const body: any = await res.json();
  return { status: res.status, body };
}

/** Java processes running DynamoDB Local on this data directory, read from /proc. */
function dynamoProcessesOf(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (cmdline.includes('DynamoDBLocal') && cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}

describe('a data directory across restarts', () => {
  // Two cold starts of a persisting DynamoDB Local (a JVM each): allow for a loaded machine.
  it('keeps orgs and programmes, seeds nothing twice and leaves no DynamoDB Local behind', {
    timeout: 180_000,
  }, async () => {
    // First start, as on a newcomer's first day.
    const first = await start(new Date('2023-06-15T04:00:00Z'));
    expect(first.seed?.orgsCreated).toBeGreaterThanOrEqual(14);
    expect(first.seed?.programmesCreated).toEqual(['lc-2022', 'demo-20230615']);
    expect(dynamoProcessesOf(dataDir)).toHaveLength(1);
    expect(existsSync(join(dataDir, 'dev-jwt-key.json'))).toBe(true);

    const adminToken = await first.auth.issue({ sub: 'admin-lc', role: 'admin', org: 'lc' });
    const created = await call(first, 'POST', '/v1/orgs', {
      token: adminToken,
      body: { id: 'lc-dcf-persist', name: '持久镇工会', kind: 'township', parentId: 'lc-dongchangfu' },
    });
    expect(created.status).toBe(201);
    const programmesBefore = await call(first, 'GET', '/v1/programmes');
    expect(programmesBefore.body.programmes.map((p: { id: string }) => p.id)).toEqual([
      'demo-20230615',
      'lc-2022',
    ]);

    await stop(first);
    expect(dynamoProcessesOf(dataDir)).toEqual([]);

    // Second start on a later day: the seed finds everything present and adds no second demo programme.
    const second = await start(new Date('2023-09-01T04:00:00Z'));
    expect(second.seed).toEqual({ orgsCreated: 0, programmesCreated: [] });
    expect(second.url).not.toBe('');

    const org = await call(second, 'GET', '/v1/orgs/lc-dcf-persist');
    expect(org.status).toBe(200);
    expect(org.body).toEqual(created.body);
    const programmesAfter = await call(second, 'GET', '/v1/programmes');
    expect(programmesAfter.status).toBe(200);
    expect(programmesAfter.body).toEqual(programmesBefore.body);

    // The signing key persisted too: a token issued before the restart still works.
    const again = await call(second, 'POST', '/v1/orgs', {
      token: adminToken,
      body: { id: 'lc-dcf-persist-2', name: '持久镇二号工会', kind: 'township', parentId: 'lc-dongchangfu' },
    });
    expect(again.status).toBe(201);

    await stop(second);
    expect(dynamoProcessesOf(dataDir)).toEqual([]);
  });
});
