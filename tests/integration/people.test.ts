/**
 * Issue 10 points 8–10 (people and identity), through the local gateway: R8's person-and-level item
 * no longer outlives a rejection or withdrawal; one account holds one live application per programme
 * and at most five live drafts; names and reasons refuse hidden and direction-changing characters;
 * the phone number is stored encrypted and shown in full only to its owner and the employer's union.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountDraftsKey } from '../../shared/adapters/keys.ts';
import { loadConfig } from '../../shared/config.ts';
import { MAX_LIVE_DRAFTS_PER_ACCOUNT } from '../../shared/domain/account.ts';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { programmeBody, publishProgramme } from '../support/api.ts';
import { draftBody, withChanges } from '../support/fixtures.ts';
import { verifiedAttachments } from '../support/rush.ts';
import { type ApiResponse, startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let deps: Deps;
const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));
const EMPLOYER = 'lc-dcf-gucheng-textile'; // chain: enterprise → 古城 township → 东昌府区 → 聊城市
const MAIN = 'pp-main';
/** Programmes for the per-account limits: one more than the live-draft cap, plus one to spare. */
const MANY = Array.from({ length: MAX_LIVE_DRAFTS_PER_ACCOUNT + 2 }, (_, i) => `pp-many-${i + 1}`);

const programme = (id: string) => programmeBody({ id, title: `身份测试 ${id}`, year });

const tokens = new Map<string, string>();
async function tokenFor(sub: string, role: 'worker' | 'reviewer' | 'admin' = 'worker', org?: string) {
  const key = `${sub}|${role}|${org ?? ''}`;
  let token = tokens.get(key);
  if (!token) {
    token = await stack.token({ sub, role, ...(org ? { org } : {}) });
    tokens.set(key, token);
  }
  return token;
}
const reviewer = (org: string) => tokenFor(`rev-${org}`, 'reviewer', org);

function body(n: number, programmeId = MAIN, changes: Record<string, unknown> = {}) {
  return withChanges(draftBody(n, { programmeId, employerOrgId: EMPLOYER, enrolmentYear: year }), changes);
}

async function create(sub: string, draft: object): Promise<ApiResponse> {
  return stack.call('POST', '/v1/applications', { token: await tokenFor(sub), body: draft });
}

/** A draft through the API, its five documents written as verified (uploads have their own tests). */
async function draft(sub: string, draftBody: object, n: number): Promise<{ id: string; token: string }> {
  const res = await create(sub, draftBody);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as string;
  for (const a of verifiedAttachments(id, n, new Date().toISOString()))
    await deps.applications.putAttachment(a);
  return { id, token: await tokenFor(sub) };
}

async function submit(app: { id: string; token: string }) {
  return stack.call('POST', `/v1/applications/${app.id}/submit`, { token: app.token });
}

function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
}

beforeAll(async () => {
  stack = await startTestStack();
  deps = createDeps(loadConfig());
  // R6: the province's share is committed by the province's admin.
  const admin = await tokenFor('admin-sd', 'admin', 'sd');
  for (const id of [MAIN, ...MANY]) await publishProgramme(stack, programme(id), admin);
});
afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

describe('R8: the person-and-level item does not outlive a rejection or withdrawal (point 8)', () => {
  it('after a rejection the same ID number submits again at that level', async () => {
    const person = 801;
    const first = await draft('pp-reject', body(person), person);
    expect((await submit(first)).status).toBe(200);
    const rejected = await stack.call('POST', `/v1/applications/${first.id}/decisions`, {
      token: await reviewer(EMPLOYER),
      body: { decision: 'reject', reason: '材料与本人不符' },
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body.status).toBe('rejected');

    // The same account (its first application is no longer live) and the same person.
    const again = await draft('pp-reject', body(person), person);
    const res = await submit(again);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'in_review', quota: { state: 'claimed' } });

    // The new application holds the lock now: another account with that ID number is refused.
    const third = await draft('pp-reject-other', body(person), person);
    expectError(await submit(third), 409, 'already_applied');
  });

  it('after a withdrawal the same ID number submits again at that level', async () => {
    const person = 802;
    const first = await draft('pp-withdraw', body(person), person);
    expect((await submit(first)).status).toBe(200);
    const withdrawn = await stack.call('POST', `/v1/applications/${first.id}/withdraw`, {
      token: first.token,
    });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');

    const again = await draft('pp-withdraw', body(person), person);
    const res = await submit(again);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.quota.state).toBe('claimed');
  });

  it('withdrawing a draft leaves the lock of the same person’s submitted application alone', async () => {
    const person = 803;
    const submitted = await draft('pp-keep-a', body(person), person);
    expect((await submit(submitted)).status).toBe(200);
    const other = await draft('pp-keep-b', body(person), person);
    const withdrawn = await stack.call('POST', `/v1/applications/${other.id}/withdraw`, {
      token: other.token,
    });
    expect(withdrawn.status).toBe(200);
    const third = await draft('pp-keep-c', body(person), person);
    expectError(await submit(third), 409, 'already_applied');
  });
});

describe('one live application per account and programme (point 8)', () => {
  it('answers 409 already_applied to a second draft, and lets one in once the first is withdrawn', async () => {
    expect((await create('pp-one', body(811))).status).toBe(201);
    // Another person's ID number does not help: the limit is the account's.
    const second = await create('pp-one', body(812));
    expectError(second, 409, 'already_applied');
    expect(second.body.error.message).toContain('本账号');

    const list = await stack.call('GET', '/v1/me/applications', { token: await tokenFor('pp-one') });
    expect(list.body.applications).toHaveLength(1);
    const [first] = list.body.applications as { id: string }[];
    const withdrawn = await stack.call('POST', `/v1/applications/${first?.id}/withdraw`, {
      token: await tokenFor('pp-one'),
    });
    expect(withdrawn.status).toBe(200);
    expect((await create('pp-one', body(812))).status).toBe(201);
  });

  it('lets only one of two concurrent creates through', async () => {
    const results = await Promise.all([create('pp-race', body(821)), create('pp-race', body(822))]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe('already_applied');
  });

  it('counts a submitted application as live too', async () => {
    const app = await draft('pp-submitted', body(831), 831);
    expect((await submit(app)).status).toBe(200);
    expectError(await create('pp-submitted', body(832)), 409, 'already_applied');
  });
});

describe(`at most ${MAX_LIVE_DRAFTS_PER_ACCOUNT} live drafts per account (point 8)`, () => {
  it('refuses the sixth of concurrent creates in different programmes with 409 and a Chinese message', async () => {
    const results = await Promise.all(MANY.map((p, i) => create('pp-cap', body(840 + i, p))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_LIVE_DRAFTS_PER_ACCOUNT);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(MANY.length - MAX_LIVE_DRAFTS_PER_ACCOUNT);
    for (const r of refused) {
      expectError(r, 409, 'invalid_state');
      expect(r.body.error.message).toContain(`${MAX_LIVE_DRAFTS_PER_ACCOUNT} 份`);
    }
    const count = await deps.db.send(
      new GetCommand({
        TableName: deps.config.tableName,
        Key: accountDraftsKey('pp-cap'),
        ConsistentRead: true,
      }),
    );
    expect(count.Item?.drafts).toBe(MAX_LIVE_DRAFTS_PER_ACCOUNT);
  });

  it('gives a slot back when a draft is submitted or withdrawn', async () => {
    const sub = 'pp-slots';
    const ids: string[] = [];
    for (const [i, p] of MANY.slice(0, MAX_LIVE_DRAFTS_PER_ACCOUNT).entries()) {
      ids.push((await draft(sub, body(860 + i, p), 860 + i)).id);
    }
    const [sixth, seventh] = MANY.slice(MAX_LIVE_DRAFTS_PER_ACCOUNT);
    expectError(await create(sub, body(870, sixth)), 409, 'invalid_state');
    const token = await tokenFor(sub);
    expect((await submit({ id: ids[0] as string, token })).status).toBe(200);
    expect((await create(sub, body(870, sixth))).status).toBe(201);
    expectError(await create(sub, body(871, seventh)), 409, 'invalid_state');
    expect((await stack.call('POST', `/v1/applications/${ids[1]}/withdraw`, { token })).status).toBe(200);
    expect((await create(sub, body(871, seventh))).status).toBe(201);
  });
});

describe('names and reasons refuse hidden and direction-changing characters (point 9)', () => {
  it.each([
    ['an RLO that shows 三张 as 张三', '\u202e三张'],
    ['a zero-width space', '张\u200b三'],
    ['a first-strong isolate', '\u2068张三'],
    ['a BOM', '\ufeff张三'],
    ['a C1 control', '张三\u0085'],
    ['a lone surrogate', '张\ud800三'],
  ])('answers 400 validation_failed naming applicant.name for %s', async (_, name) => {
    const res = await create('pp-names', body(880, MAIN, { 'applicant.name': name }));
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['applicant.name']);
  });

  it('names payoutAccount.accountName too, and stores a decomposed name as NFC', async () => {
    const bad = await create('pp-names', body(881, MAIN, { 'payoutAccount.accountName': '职工\u202e1' }));
    expectError(bad, 400, 'validation_failed');
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['payoutAccount.accountName']);
    const ok = await create('pp-names', body(881, MAIN, { 'applicant.name': 'Jose\u0301 Li' }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.applicant.name).toBe('Jos\u00e9 Li');
  });

  it('answers 400 validation_failed naming reason for a decision reason with hidden characters', async () => {
    const app = await draft('pp-reason', body(882), 882);
    expect((await submit(app)).status).toBe(200);
    const token = await reviewer(EMPLOYER);
    for (const reason of ['材料\u202e不符', '材料\u200d不符', '材料不符\u0007']) {
      const res = await stack.call('POST', `/v1/applications/${app.id}/decisions`, {
        token,
        body: { decision: 'reject', reason },
      });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain('reason');
    }
    const bulk = await stack.call('POST', '/v1/review/decisions', {
      token,
      body: { items: [{ id: app.id, decision: 'return', reason: '请\u202e补充' }] },
    });
    expectError(bulk, 400, 'validation_failed');
    const read = await stack.call('GET', `/v1/applications/${app.id}`, { token });
    expect(read.body.status).toBe('in_review');
  });
});

describe('the phone number: encrypted, masked but for the owner and the employer’s union (point 10)', () => {
  const phone = '13800001001';
  let app: { id: string; token: string };

  beforeAll(async () => {
    app = await draft('pp-phone', body(890, MAIN, { 'applicant.phone': '+86 138 0000 1001' }), 890);
    expect((await submit(app)).status).toBe(200);
  });

  it('the county, township and city unions see 138****1001', async () => {
    for (const org of ['lc-dongchangfu', 'lc-dcf-gucheng', 'lc']) {
      const read = await stack.call('GET', `/v1/applications/${app.id}`, { token: await reviewer(org) });
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body.applicant.phone).toBe('138****1001');
      expect(JSON.stringify(read.body)).not.toContain(phone);
    }
    const cityAdmin = await tokenFor('admin-lc', 'admin', 'lc');
    const read = await stack.call('GET', `/v1/applications/${app.id}`, { token: cityAdmin });
    expect(read.body.applicant.phone).toBe('138****1001');
  });

  it('the employer (enterprise) union, which may need to call the worker, sees the full number', async () => {
    const read = await stack.call('GET', `/v1/applications/${app.id}`, { token: await reviewer(EMPLOYER) });
    expect(read.status).toBe(200);
    expect(read.body.applicant.phone).toBe(phone);
    const admin = await tokenFor('admin-textile', 'admin', EMPLOYER);
    expect(
      (await stack.call('GET', `/v1/applications/${app.id}`, { token: admin })).body.applicant.phone,
    ).toBe(phone);
  });

  it('the worker who owns it sees the number they gave', async () => {
    const read = await stack.call('GET', `/v1/applications/${app.id}`, { token: app.token });
    expect(read.body.applicant.phone).toBe(phone);
    const list = await stack.call('GET', '/v1/me/applications', { token: app.token });
    expect(list.body.applications[0].applicant.phone).toBe(phone);
  });

  it('no item of the table holds the plain number', async () => {
    let startKey: Record<string, unknown> | undefined;
    let items = 0;
    let sawApplication = false;
    do {
      const page = await deps.db.send(
        new ScanCommand({ TableName: deps.config.tableName, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        expect(JSON.stringify(item), `item ${item.pk} ${item.sk}`).not.toContain(phone);
        if (item.pk === `APP#${app.id}` && item.sk === 'APP') {
          sawApplication = true;
          expect(item.applicant.phone.masked).toBe('138****1001');
        }
        items++;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(sawApplication).toBe(true);
    expect(items).toBeGreaterThan(50);
  });
});
