import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationKey, reviewQueueIndex, workerApplicationsIndex } from '../../shared/adapters/keys.ts';
import { loadConfig } from '../../shared/config.ts';
import { addDays, shanghaiDate } from '../../shared/domain/dates.ts';
import { encodeCursor } from '../../shared/http/cursor.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { programmeBody, publishProgramme } from '../support/api.ts';
import { draftBody } from '../support/fixtures.ts';
import { draftRecord } from '../support/ledger-fixtures.ts';
import { pool } from '../support/pool.ts';
import { verifiedAttachments } from '../support/rush.ts';
import { type ApiResponse, startTestStack, type TestStack } from './harness.ts';

/**
 * Issue 10, point 11: a pagination cursor the server did not issue is a 400 `validation_failed` at
 * `query.cursor` on every route that takes one — never a 500 (empty key values reached DynamoDB as
 * a start key it rejects) and never a page of another caller's partition.
 */

let stack: TestStack;
let deps: Deps;
const today = shanghaiDate(new Date());
const year = Number(addDays(today, -10).slice(0, 4));
const enrolmentYear = Number(today.slice(0, 4));
const PROGRAMME = 'cur-main';
const EMPLOYER = 'lc-dcf-machinery';
const REVIEWER_ORG = EMPLOYER;
const WORKER = 'cursor-worker';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  stack = await startTestStack();
  deps = createDeps(loadConfig());
  // R6: the province's share is committed by the province's admin.
  const admin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  await publishProgramme(
    stack,
    programmeBody({
      id: PROGRAMME,
      title: '游标测试',
      year,
      enrolmentYear,
      allocations: [
        { unitOrgId: 'lc-dongchangfu', places: 20, funding: [{ funderOrgId: 'sd', amountFen: 1 }] },
      ],
    }),
    admin,
  );
});
afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

/** 400 `validation_failed` naming the cursor, for each cursor given. */
async function expectRefused(cursors: string[], call: (cursor: string) => Promise<ApiResponse>) {
  for (const cursor of cursors) {
    const res = await call(cursor);
    expect(res.status, `cursor ${cursor}: ${JSON.stringify(res.body)}`).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
  }
}

/** Cursors a client can make up for a page of `partition` (`{gsiNpk: value}`) keyed by `sortKey`. */
function forgeries(partition: Record<string, string>, sortKey: string, issued: string): string[] {
  const [body = '', mac = ''] = issued.split('.');
  const genuine = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, string>;
  const flip = (s: string) => `${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`;
  return [
    // Empty-string key values: each answered 500 before.
    b64({ ...partition, pk: '', sk: '', [sortKey]: '' }),
    `${b64({ ...partition, pk: '', sk: '', [sortKey]: '' })}.${mac}`,
    b64({ ...genuine, sk: '' }),
    // Wrong types.
    b64({ ...partition, pk: 1, sk: true, [sortKey]: null }),
    b64({ ...partition, pk: ['APP#x'], sk: { S: 'APP' }, [sortKey]: '1' }),
    b64([partition]),
    b64('APP#x'),
    // Another partition.
    b64({
      gsi1pk: 'WORKER#someone-else',
      gsi2pk: 'REVIEW#other#org',
      pk: 'APP#x',
      sk: 'APP',
      [sortKey]: '1',
    }),
    // Garbage: not base64url, not JSON, truncated, empty parts.
    'not-a-cursor',
    '%%%',
    '.',
    `${body}.`,
    `.${mac}`,
    Buffer.from('{"gsi2pk":').toString('base64url'),
    `${Buffer.from('{"pk":').toString('base64url')}.${mac}`,
    // A genuine key, unsigned (the old format) or with its signature altered or moved.
    body,
    `${body}.${flip(mac)}`,
    `${b64({ ...genuine, [sortKey]: `${genuine[sortKey]}0` })}.${mac}`,
    `${issued}.${mac}`,
  ];
}

describe('GET /v1/review/queue cursors', () => {
  it('pages with the cursors it issued and refuses every other', async () => {
    const apps = await pool(
      Array.from({ length: 3 }, (_, i) => i),
      3,
      async (i) => {
        const n = 7100 + i;
        const token = await stack.token({ sub: `queue-worker-${n}`, role: 'worker' });
        const res = await stack.call('POST', '/v1/applications', {
          token,
          body: draftBody(n, { programmeId: PROGRAMME, employerOrgId: EMPLOYER, enrolmentYear }),
        });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        const id = res.body.id as string;
        for (const a of verifiedAttachments(id, n, new Date().toISOString()))
          await deps.applications.putAttachment(a);
        return { id, token };
      },
    );
    for (const app of apps) {
      const res = await stack.call('POST', `/v1/applications/${app.id}/submit`, { token: app.token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const reviewer = await stack.token({ sub: 'cursor-officer', role: 'reviewer', org: REVIEWER_ORG });
    const queue = (query: string, token = reviewer) =>
      stack.call('GET', `/v1/review/queue?programmeId=${PROGRAMME}&limit=2${query}`, { token });

    // A cursor the server issued still works, and pages to the end.
    const first = await queue('');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const issued = first.body.cursor as string;
    expect(issued).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const second = await queue(`&cursor=${issued}`);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect([...first.body.items, ...second.body.items].map((i: { id: string }) => i.id)).toEqual(
      apps.map((a) => a.id),
    );
    expect(second.body.cursor).toBeUndefined();

    const partition = reviewQueueIndex(PROGRAMME, REVIEWER_ORG);
    await expectRefused(forgeries(partition, 'gsi2sk', issued), (c) =>
      queue(`&cursor=${encodeURIComponent(c)}`),
    );
    // Signed by the server's key but with empty values: refused all the same, before DynamoDB sees it.
    const signedEmpty = await encodeCursor(deps.cipher(), { ...partition, pk: '', sk: '', gsi2sk: '' });
    await expectRefused([signedEmpty], (c) => queue(`&cursor=${c}`));
    // Another org's (or programme's) queue does not take this queue's genuine cursor.
    const otherOrg = await stack.token({ sub: 'cursor-officer-2', role: 'reviewer', org: 'lc-dongchangfu' });
    await expectRefused([issued], (c) => queue(`&cursor=${c}`, otherOrg));
    await expectRefused([issued], (c) =>
      stack.call('GET', `/v1/review/queue?programmeId=rv-other&limit=2&cursor=${c}`, { token: reviewer }),
    );
  });
});

describe('GET /v1/me/applications cursors', () => {
  it('pages with the cursors it issued and refuses every other, including another worker’s', async () => {
    const token = await stack.token({ sub: WORKER, role: 'worker' });
    // One page holds 20 applications: 21 make a second page. An account keeps one live application per
    // programme and five drafts, so the worker's history is written as the repository stores it.
    const phone = { cipher: await deps.cipher().encrypt('13800007200'), masked: '138****7200' };
    const ids = await pool(
      Array.from({ length: 21 }, (_, i) => i),
      4,
      async (i) => {
        const id = `cur-hist-${i}`;
        const createdAt = new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString();
        const record = draftRecord(id, PROGRAMME, 'lc-dongchangfu', createdAt);
        await deps.db.send(
          new PutCommand({
            TableName: deps.config.tableName,
            Item: {
              ...applicationKey(id),
              ...workerApplicationsIndex(WORKER, createdAt, id),
              type: 'application',
              ...record,
              ownerSub: WORKER,
              status: 'withdrawn',
              applicant: { ...record.applicant, phone },
            },
          }),
        );
        return id;
      },
    );
    const mine = (query: string, as = token) =>
      stack.call('GET', `/v1/me/applications${query}`, { token: as });

    const first = await mine('');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.applications).toHaveLength(20);
    const issued = first.body.cursor as string;
    expect(typeof issued).toBe('string');
    const second = await mine(`?cursor=${issued}`);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    const listed = [...first.body.applications, ...second.body.applications].map((a: { id: string }) => a.id);
    expect(new Set(listed)).toEqual(new Set(ids));

    const partition = workerApplicationsIndex(WORKER);
    await expectRefused(forgeries(partition, 'gsi1sk', issued), (c) =>
      mine(`?cursor=${encodeURIComponent(c)}`),
    );
    const signedEmpty = await encodeCursor(deps.cipher(), { ...partition, pk: '', sk: '', gsi1sk: '' });
    await expectRefused([signedEmpty], (c) => mine(`?cursor=${c}`));
    // Another worker's list does not take this worker's genuine cursor.
    const other = await stack.token({ sub: 'cursor-worker-2', role: 'worker' });
    await expectRefused([issued], (c) => mine(`?cursor=${c}`, other));
  });
});
