/**
 * The worker side of the "Applying" issue, through HTTP: every error code a worker can meet while
 * drafting, correcting and submitting (architecture.md §5), the masking of personal numbers (PIPL, architecture.md §6)
 * and the receipt. Uploads and places live in `applying-documents.test.ts`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { addDays, addMonths, shanghaiDate } from '../../shared/domain/dates.ts';
import { attachmentKinds } from '../../shared/domain/documents.ts';
import { isMainlandMobile, makeResidentIdNumber, normaliseMobile } from '../../shared/domain/identity.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { receiptDigest } from '../../shared/services/submission.ts';
import { programmeBody, settledAttachments, uploadAllDocuments, workerTokens } from '../support/api.ts';
import { bankCardFor, draftBody, idNumberFor, REMOVE, withChanges } from '../support/fixtures.ts';
import { type ApiResponse, startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let db: DynamoDBDocumentClient;
let admin: string;
const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));
const EMPLOYER = 'lc-dcf-gucheng-textile'; // an enterprise under 东昌府区 via a township
const OPEN = 'ae-open';
const SECOND = 'ae-second';
const BACHELOR_ONLY = 'ae-bachelor';
const TOMORROW = 'ae-tomorrow';
const MASKED_ID = /^\d{4}\*{10}[\dX]{4}$/;
const MASKED_CARD = /^\d{4} \*{4} \*{4} \d{4}$/;

/** Every plain ID, card and wallet number this file has sent: no response and no stored item may hold one. */
const secrets = new Set<string>();
/**
 * Every valid mobile number this file has sent: no stored item may hold one (issue 10 point 10). The
 * owner's own responses may: the worker sees the number they gave.
 */
const phones = new Set<string>();

function rememberSecrets(value: unknown) {
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && ['idNumber', 'accountNumber', 'walletId'].includes(k) && v.length >= 8) {
      secrets.add(v);
      secrets.add(v.toUpperCase());
    } else if (typeof v === 'string' && k === 'phone' && isMainlandMobile(v)) {
      phones.add(normaliseMobile(v));
    } else rememberSecrets(v);
  }
}

/** `stack.call`, asserting that the response carries none of the plain personal numbers sent so far. */
async function api(
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<ApiResponse> {
  rememberSecrets(options.body);
  const res = await stack.call(method, path, options);
  const text = JSON.stringify(res.body ?? null);
  for (const secret of secrets)
    expect(text, `${method} ${path} leaks a personal number`).not.toContain(secret);
  return res;
}

/** Each worker's token, issued once. */
let worker: (sub: string) => Promise<string>;

/** The first test person from `from` on whose ID number ends in the check character X. */
function personWithX(from: number): number {
  let n = from;
  while (!idNumberFor(n).endsWith('X')) n++;
  return n;
}

function body(
  n: number,
  options: { programmeId?: string; employerOrgId?: string; level?: string; enrolmentYear?: number } = {},
) {
  return draftBody(n, {
    programmeId: options.programmeId ?? OPEN,
    employerOrgId: options.employerOrgId ?? EMPLOYER,
    enrolmentYear: options.enrolmentYear ?? year,
    ...(options.level ? { level: options.level } : {}),
  });
}

async function createDraft(
  sub: string,
  draft: object,
): Promise<{ token: string; id: string; view: ApiResponse }> {
  const token = await worker(sub);
  const res = await api('POST', '/v1/applications', { token, body: draft });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { token, id: res.body.id, view: res };
}

/** A draft with all five documents uploaded, ready to submit. */
async function readyDraft(sub: string, draft: object) {
  const created = await createDraft(sub, draft);
  await uploadAllDocuments(stack, created.token, created.id);
  return created;
}

function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
}

function fieldPaths(res: ApiResponse): string[] {
  return (res.body.error.fields as { path: string }[]).map((f) => f.path).sort();
}

/** An open programme of 50 places in 东昌府区, with other levels or application dates where asked. */
function programme(id: string, options: { levels?: string[]; opensOn?: string; closesOn?: string } = {}) {
  const opensOn = options.opensOn ?? addDays(today, -10);
  const closesOn = options.closesOn ?? addDays(today, 30);
  return programmeBody({
    id,
    year: Number(opensOn.slice(0, 4)),
    applicationWindow: { opensOn, closesOn },
    reviewBatches: [{ id: 'b1', opensOn, closesOn: addDays(closesOn, 10) }],
    ...(options.levels ? { levels: options.levels } : {}),
  });
}

beforeAll(async () => {
  stack = await startTestStack();
  worker = workerTokens(stack);
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: 'cn-north-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  admin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  const programmes = [
    programme(OPEN),
    programme(SECOND),
    programme(BACHELOR_ONLY, { levels: ['bachelor'] }),
    programme(TOMORROW, { opensOn: addDays(today, 1), closesOn: addDays(today, 60) }),
  ];
  const created = await Promise.all(
    programmes.map((p) => stack.call('POST', '/v1/programmes', { token: admin, body: p })),
  );
  for (const res of created) expect(res.status, JSON.stringify(res.body)).toBe(201);
});

afterAll(async () => {
  db?.destroy();
  await stack?.stop();
});

describe('POST /v1/applications: 400 validation_failed names every bad field', () => {
  const base = () => body(1);
  const validId = idNumberFor(1);
  const wrongCheck = `${validId.slice(0, 17)}${validId[17] === '0' ? '1' : '0'}`;
  const card = bankCardFor(1);
  const cardFailingLuhn = `${card.slice(0, -1)}${(Number(card.at(-1)) + 1) % 10}`;

  it.each<[string, Record<string, unknown>, string[]]>([
    ['an ID number with a wrong check digit', { 'applicant.idNumber': wrongCheck }, ['applicant.idNumber']],
    ['an ID number of 17 characters', { 'applicant.idNumber': validId.slice(0, 17) }, ['applicant.idNumber']],
    ['an ID number of 19 characters', { 'applicant.idNumber': `${validId}1` }, ['applicant.idNumber']],
    [
      'an ID number born on 1999-02-30',
      { 'applicant.idNumber': makeResidentIdNumber('371502', '19990230', 11) },
      ['applicant.idNumber'],
    ],
    [
      'an ID number born in the future',
      { 'applicant.idNumber': makeResidentIdNumber('371502', `${year + 1}0101`, 11) },
      ['applicant.idNumber'],
    ],
    ['a mobile number of 12 digits', { 'applicant.phone': '138000000001' }, ['applicant.phone']],
    ['a mobile number starting 12', { 'applicant.phone': '12345678901' }, ['applicant.phone']],
    [
      'a bank card failing Luhn',
      { 'payoutAccount.accountNumber': cardFailingLuhn },
      ['payoutAccount.accountNumber'],
    ],
    ['an unknown positionLevel', { 'applicant.positionLevel': 'manager' }, ['applicant.positionLevel']],
    ['an unknown level', { 'enrolment.level': 'master' }, ['enrolment.level']],
    ['an unknown channel', { channel: 'fax' }, ['channel']],
    ['an unknown payoutAccount.kind', { 'payoutAccount.kind': 'cash' }, ['payoutAccount.kind']],
    ['an enrolledOn of February 30th', { 'enrolment.enrolledOn': `${year}-02-30` }, ['enrolment.enrolledOn']],
    [
      'an enrolledOn not in YYYY-MM-DD',
      { 'enrolment.enrolledOn': `01/03/${year}` },
      ['enrolment.enrolledOn'],
    ],
    ['a validUntil of month 13', { 'chsiReport.validUntil': `${year + 1}-13-01` }, ['chsiReport.validUntil']],
    [
      'a missing name and job title',
      { 'applicant.name': REMOVE, jobTitle: REMOVE },
      ['applicant.name', 'jobTitle'],
    ],
    ['a missing enrolment', { enrolment: REMOVE }, ['enrolment']],
    ['migrantWorker as a string', { 'applicant.migrantWorker': 'yes' }, ['applicant.migrantWorker']],
    ['an unknown top-level field', { status: 'approved' }, ['status']],
    ['an unknown applicant field', { 'applicant.gender': 'f' }, ['applicant.gender']],
    [
      'four bad fields at once',
      {
        'applicant.idNumber': wrongCheck,
        'applicant.phone': '12345678901',
        'payoutAccount.accountNumber': cardFailingLuhn,
        'enrolment.level': 'master',
      },
      ['applicant.idNumber', 'applicant.phone', 'enrolment.level', 'payoutAccount.accountNumber'],
    ],
  ])('answers 400 for %s', async (_label, changes, paths) => {
    const token = await worker('w-invalid');
    const res = await api('POST', '/v1/applications', { token, body: withChanges(base(), changes) });
    expectError(res, 400, 'validation_failed');
    expect(fieldPaths(res)).toEqual([...paths].sort());
    for (const f of res.body.error.fields) expect(f.message).toMatch(/\S/);
  });

  it('names the unknown field in the message', async () => {
    const res = await api('POST', '/v1/applications', {
      token: await worker('w-invalid'),
      body: withChanges(base(), { status: 'approved' }),
    });
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.fields[0].message).toContain('status');
  });

  it.each<[string, string]>([
    ['a union of a unit', 'lc-dongchangfu'],
    ['a township union', 'lc-dcf-gucheng'],
    ['the city union', 'lc'],
    ['an enterprise outside the programme’s units', 'lc-cp-wenzhuang-aluminium'],
    ['an unknown org', 'no-such-union'],
  ])('answers 400 on employerOrgId for %s', async (_label, employerOrgId) => {
    const res = await api('POST', '/v1/applications', {
      token: await worker('w-invalid'),
      body: body(2, { employerOrgId }),
    });
    expectError(res, 400, 'validation_failed');
    expect(fieldPaths(res)).toEqual(['employerOrgId']);
  });

  it('answers 400 on programmeId for an unknown programme', async () => {
    const res = await api('POST', '/v1/applications', {
      token: await worker('w-invalid'),
      body: body(3, { programmeId: 'no-such-programme' }),
    });
    expectError(res, 400, 'validation_failed');
    expect(fieldPaths(res)).toEqual(['programmeId']);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await api('POST', '/v1/applications', {
      token: await worker('w-invalid'),
      body: '{"programmeId":',
    });
    expectError(res, 400, 'validation_failed');
  });

  it('stored nothing for any refused draft', async () => {
    const res = await api('GET', '/v1/me/applications', { token: await worker('w-invalid') });
    expect(res.status).toBe(200);
    expect(res.body.applications).toEqual([]);
  });
});

describe('POST /v1/applications: 422 ineligible names the failed rules', () => {
  it.each<[string, string, Record<string, unknown>, string[]]>([
    ['a position above section level (R1)', OPEN, { 'applicant.positionLevel': 'above_section' }, ['R1']],
    ['a level the programme does not offer (R4)', BACHELOR_ONLY, {}, ['R4']],
    ['an enrolment in the year before (R4)', OPEN, { 'enrolment.enrolledOn': `${year - 1}-09-01` }, ['R4']],
    ['an enrolment in the year after (R4)', OPEN, { 'enrolment.enrolledOn': `${year + 1}-03-01` }, ['R4']],
    [
      'a CHSI report valid five months (R11)',
      OPEN,
      { 'chsiReport.validUntil': addMonths(today, 5) },
      ['R11'],
    ],
    [
      'a CHSI report valid one day short of six months (R11)',
      OPEN,
      { 'chsiReport.validUntil': addDays(addMonths(today, 6), -1) },
      ['R11'],
    ],
    [
      'all three at once',
      BACHELOR_ONLY,
      {
        'applicant.positionLevel': 'above_section',
        'enrolment.enrolledOn': `${year - 1}-09-01`,
        'chsiReport.validUntil': addMonths(today, 1),
      },
      ['R1', 'R4', 'R11'],
    ],
  ])('answers 422 for %s', async (_label, programmeId, changes, rules) => {
    const draft = withChanges(body(10, { programmeId }), changes);
    const res = await api('POST', '/v1/applications', { token: await worker('w-ineligible'), body: draft });
    expectError(res, 422, 'ineligible');
    expect([...res.body.error.rules].sort()).toEqual([...rules].sort());
  });

  it('accepts a CHSI report valid exactly six months, and each position up to section head', async () => {
    for (const [n, positionLevel] of [
      [11, 'frontline'],
      [12, 'team_leader'],
      [13, 'section_head'],
    ] as const) {
      const draft = withChanges(body(n), {
        'applicant.positionLevel': positionLevel,
        'chsiReport.validUntil': addMonths(today, 6),
      });
      // One account per draft: an account holds one live application per programme (issue 10 point 8).
      const res = await api('POST', '/v1/applications', {
        token: await worker(`w-eligible-${n}`),
        body: draft,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({
        status: 'draft',
        quota: { state: 'none', unitOrgId: 'lc-dongchangfu' },
      });
    }
  });

  it('accepts the offered level of a bachelor-only programme', async () => {
    const { view } = await createDraft(
      'w-eligible',
      body(14, { programmeId: BACHELOR_ONLY, level: 'bachelor' }),
    );
    expect(view.body.enrolment.level).toBe('bachelor');
  });
});

describe('PATCH /v1/applications/{id}', () => {
  let owner: { token: string; id: string };

  beforeAll(async () => {
    owner = await createDraft('w-patch', body(20));
  });

  it('lets the owner correct a draft; the response masks the ID number', async () => {
    const res = await api('PATCH', `/v1/applications/${owner.id}`, {
      token: owner.token,
      body: { jobTitle: '数控车间班组长', channel: 'web' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      id: owner.id,
      status: 'draft',
      jobTitle: '数控车间班组长',
      channel: 'web',
    });
    expect(res.body.applicant.idNumber).toMatch(MASKED_ID);
    const read = await api('GET', `/v1/applications/${owner.id}`, { token: owner.token });
    expect(read.body.jobTitle).toBe('数控车间班组长');
    expect(read.body.channel).toBe('web');
  });

  it('replaces the applicant and the payout account whole, masked', async () => {
    const next = body(21);
    const res = await api('PATCH', `/v1/applications/${owner.id}`, {
      token: owner.token,
      body: { applicant: next.applicant, payoutAccount: next.payoutAccount },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const id = idNumberFor(21);
    const card = bankCardFor(21);
    expect(res.body.applicant.idNumber).toBe(`${id.slice(0, 4)}**********${id.slice(-4)}`);
    expect(res.body.applicant.name).toBe('职工21');
    expect(res.body.payoutAccount.accountNumber).toBe(`${card.slice(0, 4)} **** **** ${card.slice(-4)}`);
  });

  it('answers 400 for an empty or invalid correction', async () => {
    const empty = await api('PATCH', `/v1/applications/${owner.id}`, { token: owner.token, body: {} });
    expectError(empty, 400, 'validation_failed');
    // The programme of a draft is not a correction: a field the schema does not know is refused.
    const moved = await api('PATCH', `/v1/applications/${owner.id}`, {
      token: owner.token,
      body: { programmeId: SECOND },
    });
    expectError(moved, 400, 'validation_failed');
    expect(fieldPaths(moved)).toContain('programmeId');
    const bad = await api('PATCH', `/v1/applications/${owner.id}`, {
      token: owner.token,
      body: { applicant: { ...body(20).applicant, phone: '12345678901' } },
    });
    expectError(bad, 400, 'validation_failed');
    expect(fieldPaths(bad)).toEqual(['applicant.phone']);
  });

  it('answers 400 on employerOrgId for an employer outside the programme', async () => {
    const res = await api('PATCH', `/v1/applications/${owner.id}`, {
      token: owner.token,
      body: { employerOrgId: 'lc-lq-yandian-bearing' },
    });
    expectError(res, 400, 'validation_failed');
    expect(fieldPaths(res)).toEqual(['employerOrgId']);
  });

  it('answers 404 to another worker and changes nothing', async () => {
    const res = await api('PATCH', `/v1/applications/${owner.id}`, {
      token: await worker('w-patch-intruder'),
      body: { jobTitle: '篡改' },
    });
    expectError(res, 404, 'not_found');
    const read = await api('GET', `/v1/applications/${owner.id}`, { token: owner.token });
    expect(read.body.jobTitle).toBe('数控车间班组长');
  });

  it('answers 422 for a correction that makes the draft ineligible, and keeps the draft', async () => {
    const res = await api('PATCH', `/v1/applications/${owner.id}`, {
      token: owner.token,
      body: { chsiReport: { verificationCode: 'ABCDEFGH1234', validUntil: addMonths(today, 2) } },
    });
    expectError(res, 422, 'ineligible');
    expect(res.body.error.rules).toEqual(['R11']);
    const read = await api('GET', `/v1/applications/${owner.id}`, { token: owner.token });
    expect(read.body.chsiReport.validUntil).toBe(addMonths(today, 12));
  });
});

describe('another worker’s application is not found, a malformed id is refused', () => {
  let owner: { token: string; id: string };
  let intruder: string;

  beforeAll(async () => {
    owner = await createDraft('w-own', body(30));
    intruder = await worker('w-other');
  });

  it.each<[string, string, string, unknown]>([
    ['GET', 'GET', '', undefined],
    ['submit', 'POST', '/submit', undefined],
    ['withdraw', 'POST', '/withdraw', undefined],
    [
      'attachments',
      'POST',
      '/attachments',
      { kind: 'chsi_report', contentType: 'application/pdf', sizeBytes: 100 },
    ],
  ])('%s of another worker’s application answers 404', async (_label, method, suffix, requestBody) => {
    const res = await api(method, `/v1/applications/${owner.id}${suffix}`, {
      token: intruder,
      ...(requestBody === undefined ? {} : { body: requestBody }),
    });
    expectError(res, 404, 'not_found');
  });

  it('the owner’s draft is untouched by those attempts', async () => {
    const read = await api('GET', `/v1/applications/${owner.id}`, { token: owner.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'draft', quota: { state: 'none' }, attachments: [] });
  });

  it('an unknown well-formed id answers 404 like a foreign one', async () => {
    const res = await api('GET', '/v1/applications/0123456789abcdef0123', { token: owner.token });
    expectError(res, 404, 'not_found');
  });

  it.each(['NOT-AN-ID', 'abc', 'abcdef12345_xyz'])('a malformed id %s answers 400', async (badId) => {
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/submit'],
      ['POST', '/withdraw'],
    ] as const) {
      const res = await api(method, `/v1/applications/${badId}${suffix}`, { token: owner.token });
      expectError(res, 400, 'validation_failed');
      expect(fieldPaths(res)).toEqual(['params.id']);
    }
  });
});

describe('authentication and roles on the worker routes', () => {
  let id: string;

  beforeAll(async () => {
    ({ id } = await createDraft('w-auth', body(40)));
  });

  const routes = (): [string, string, unknown][] => [
    ['POST', '/v1/applications', body(41)],
    ['GET', '/v1/me/applications', undefined],
    ['GET', `/v1/applications/${id}`, undefined],
    ['PATCH', `/v1/applications/${id}`, { jobTitle: 'x' }],
    [
      'POST',
      `/v1/applications/${id}/attachments`,
      { kind: 'chsi_report', contentType: 'image/png', sizeBytes: 10 },
    ],
    ['POST', `/v1/applications/${id}/submit`, undefined],
    ['POST', `/v1/applications/${id}/withdraw`, undefined],
  ];

  it('answers 401 unauthenticated without a token or with a forged one', async () => {
    const forged = `${(await worker('w-auth')).slice(0, -4)}AAAA`;
    for (const [method, path, requestBody] of routes()) {
      for (const token of [undefined, forged, 'not-a-jwt']) {
        const res = await api(method, path, {
          ...(token ? { token } : {}),
          ...(requestBody === undefined ? {} : { body: requestBody }),
        });
        expectError(res, 401, 'unauthenticated');
      }
    }
  });

  it('answers 403 forbidden to a reviewer or an admin creating or submitting an application', async () => {
    const reviewer = await stack.token({ sub: 'rev-dcf', role: 'reviewer', org: 'lc-dongchangfu' });
    for (const token of [reviewer, admin]) {
      const create = await api('POST', '/v1/applications', { token, body: body(42) });
      expectError(create, 403, 'forbidden');
      const submit = await api('POST', `/v1/applications/${id}/submit`, { token });
      expectError(submit, 403, 'forbidden');
    }
    const read = await api('GET', `/v1/applications/${id}`, { token: await worker('w-auth') });
    expect(read.body.status).toBe('draft');
  });
});

describe('masking of personal numbers (PIPL)', () => {
  it('masks the ID and account numbers in every response and stores neither in plain', async () => {
    const n = 50;
    const { token, id, view } = await createDraft('w-mask', body(n));
    const plainId = idNumberFor(n);
    const plainCard = bankCardFor(n);
    expect(view.body.applicant.idNumber).toMatch(MASKED_ID);
    expect(view.body.applicant.idNumber).toBe(`${plainId.slice(0, 4)}**********${plainId.slice(-4)}`);
    expect(view.body.payoutAccount.accountNumber).toMatch(MASKED_CARD);
    expect(view.body.payoutAccount.accountNumber).toBe(
      `${plainCard.slice(0, 4)} **** **** ${plainCard.slice(-4)}`,
    );

    const read = await api('GET', `/v1/applications/${id}`, { token });
    expect(read.body.applicant.idNumber).toMatch(MASKED_ID);
    expect(read.body.payoutAccount.accountNumber).toMatch(MASKED_CARD);
    const list = await api('GET', '/v1/me/applications', { token });
    expect(list.body.applications[0].applicant.idNumber).toMatch(MASKED_ID);

    const item = await db.send(
      new GetCommand({
        TableName: stack.tableName,
        Key: { pk: `APP#${id}`, sk: 'APP' },
        ConsistentRead: true,
      }),
    );
    expect(item.Item).toBeDefined();
    const stored = JSON.stringify(item.Item);
    expect(stored).not.toContain(plainId);
    expect(stored).not.toContain(plainCard);
    expect(stored).toContain(view.body.applicant.idNumber); // the mask is kept, the number is not
    // The phone is encrypted like the ID number (issue 10 point 10); only its mask is kept in clear.
    const plainPhone = body(n).applicant.phone;
    expect(view.body.applicant.phone).toBe(plainPhone); // the owner sees the number they gave
    expect(stored).not.toContain(plainPhone);
    expect(stored).toContain(`${plainPhone.slice(0, 3)}****${plainPhone.slice(-4)}`);

    const partition = await db.send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `APP#${id}` },
      }),
    );
    for (const row of partition.Items ?? []) {
      expect(JSON.stringify(row)).not.toContain(plainId);
      expect(JSON.stringify(row)).not.toContain(plainCard);
    }
  });

  it('treats a lowercase x as the same ID number and never echoes it', async () => {
    const n = personWithX(1000);
    const draft = withChanges(body(n), { 'applicant.idNumber': idNumberFor(n).toLowerCase() });
    const { view } = await createDraft('w-mask-x', draft);
    expect(view.body.applicant.idNumber).toBe(
      `${idNumberFor(n).slice(0, 4)}**********${idNumberFor(n).slice(-4)}`,
    );
  });

  it('masks a wallet account too', async () => {
    const walletId = 'qlgh-wallet-20240917';
    const draft = withChanges(body(70), { payoutAccount: { kind: 'wallet', walletId } });
    const { id, token, view } = await createDraft('w-mask-wallet', draft);
    expect(view.body.payoutAccount.kind).toBe('wallet');
    expect(view.body.payoutAccount.walletId).not.toBe(walletId);
    const item = await db.send(
      new GetCommand({ TableName: stack.tableName, Key: { pk: `APP#${id}`, sk: 'APP' } }),
    );
    expect(JSON.stringify(item.Item)).not.toContain(walletId);
    const read = await api('GET', `/v1/applications/${id}`, { token });
    expect(read.body.payoutAccount.walletId).toMatch(/\*/);
  });
});

describe('submitting', () => {
  it('answers 409 application_window_closed for lc-2022, documents and all', async () => {
    const draft = draftBody(80, { programmeId: 'lc-2022', employerOrgId: EMPLOYER, enrolmentYear: 2022 });
    expect(draft.enrolment.enrolledOn).toBe('2022-03-01');
    const { token, id } = await readyDraft('w-2022', draft);
    // Wait until the object-created verification has settled every document.
    const attachments = await settledAttachments(stack, { token, id });
    expect(attachments.map((a) => a.status)).toEqual(attachmentKinds.map(() => 'verified'));

    const res = await api('POST', `/v1/applications/${id}/submit`, { token });
    expectError(res, 409, 'application_window_closed');
    const read = await api('GET', `/v1/applications/${id}`, { token });
    expect(read.body).toMatchObject({ status: 'draft', quota: { state: 'none' } });
    const board = await api('GET', '/v1/programmes/lc-2022/quotas');
    expect(board.body.totals).toMatchObject({ claimed: 0, waitlisted: 0 });
  });

  it('answers 409 application_window_closed before the window opens', async () => {
    const { token, id } = await readyDraft('w-early', body(81, { programmeId: TOMORROW }));
    const res = await api('POST', `/v1/applications/${id}/submit`, { token });
    expectError(res, 409, 'application_window_closed');
    const board = await api('GET', `/v1/programmes/${TOMORROW}/quotas`);
    expect(board.body.totals).toMatchObject({ claimed: 0, waitlisted: 0 });
  });

  describe('one application per person and level (R8)', () => {
    const person = 90;
    let first: ApiResponse;

    beforeAll(async () => {
      const { token, id } = await readyDraft('w-r8-a', body(person));
      first = await api('POST', `/v1/applications/${id}/submit`, { token });
    });

    it('the first submission claims a place', () => {
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body).toMatchObject({ status: 'in_review', quota: { state: 'claimed' } });
    });

    it('answers 409 already_applied to a second account with the same ID number and level', async () => {
      const { token, id } = await readyDraft('w-r8-b', body(person));
      const res = await api('POST', `/v1/applications/${id}/submit`, { token });
      expectError(res, 409, 'already_applied');
      const read = await api('GET', `/v1/applications/${id}`, { token });
      expect(read.body).toMatchObject({ status: 'draft', quota: { state: 'none' } });
    });

    it('answers 409 already_applied to the same worker in a second programme', async () => {
      const { token, id } = await readyDraft('w-r8-a', body(person, { programmeId: SECOND }));
      const res = await api('POST', `/v1/applications/${id}/submit`, { token });
      expectError(res, 409, 'already_applied');
      const board = await api('GET', `/v1/programmes/${SECOND}/quotas`);
      expect(board.body.totals).toMatchObject({ claimed: 0, waitlisted: 0 });
    });

    it('answers 409 already_applied when the ID number is typed with a lowercase x', async () => {
      const n = personWithX(2000);
      const a = await readyDraft('w-r8-x1', body(n));
      expect((await api('POST', `/v1/applications/${a.id}/submit`, { token: a.token })).status).toBe(200);
      const lower = withChanges(body(n), { 'applicant.idNumber': idNumberFor(n).toLowerCase() });
      const b = await readyDraft('w-r8-x2', lower);
      expectError(
        await api('POST', `/v1/applications/${b.id}/submit`, { token: b.token }),
        409,
        'already_applied',
      );
    });

    it('lets the same ID number apply at the other level', async () => {
      const { token, id } = await readyDraft('w-r8-c', body(person, { level: 'bachelor' }));
      const res = await api('POST', `/v1/applications/${id}/submit`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.quota.state).toBe('claimed');
    });

    it('counted each claimed place once on the quota board', async () => {
      const board = await api('GET', `/v1/programmes/${OPEN}/quotas`);
      const mine = await Promise.all(
        ['w-r8-a', 'w-r8-b', 'w-r8-c', 'w-r8-x1', 'w-r8-x2'].map(async (sub) =>
          api('GET', '/v1/me/applications', { token: await worker(sub) }),
        ),
      );
      const claimedHere = mine
        .flatMap((l) => l.body.applications as { programmeId: string; quota: { state: string } }[])
        .filter((a) => a.programmeId === OPEN && a.quota.state === 'claimed');
      expect(claimedHere).toHaveLength(3);
      // Nothing else has been submitted to this programme yet: refused submissions claimed nothing.
      expect(board.body.totals).toMatchObject({ claimed: 3, waitlisted: 0 });
    });
  });

  describe('409 invalid_state once submitted or withdrawn', () => {
    let app: { token: string; id: string };

    beforeAll(async () => {
      app = await readyDraft('w-state', body(110));
      const res = await api('POST', `/v1/applications/${app.id}/submit`, { token: app.token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });

    it('refuses a second submit', async () => {
      expectError(
        await api('POST', `/v1/applications/${app.id}/submit`, { token: app.token }),
        409,
        'invalid_state',
      );
    });

    it('refuses a correction after submitting', async () => {
      const res = await api('PATCH', `/v1/applications/${app.id}`, {
        token: app.token,
        body: { jobTitle: '改' },
      });
      expectError(res, 409, 'invalid_state');
    });

    it('refuses an upload after submitting', async () => {
      const res = await api('POST', `/v1/applications/${app.id}/attachments`, {
        token: app.token,
        body: { kind: 'chsi_report', contentType: 'application/pdf', sizeBytes: 1000 },
      });
      expectError(res, 409, 'invalid_state');
    });

    it('withdraws once, then refuses a second withdrawal and a resubmission', async () => {
      const first = await api('POST', `/v1/applications/${app.id}/withdraw`, { token: app.token });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body).toMatchObject({ status: 'withdrawn', quota: { state: 'released' } });
      expectError(
        await api('POST', `/v1/applications/${app.id}/withdraw`, { token: app.token }),
        409,
        'invalid_state',
      );
      expectError(
        await api('POST', `/v1/applications/${app.id}/submit`, { token: app.token }),
        409,
        'invalid_state',
      );
      const read = await api('GET', `/v1/applications/${app.id}`, { token: app.token });
      expect(read.body.timeline.filter((e: { type: string }) => e.type === 'withdrawn')).toHaveLength(1);
    });
  });

  it('takes one of two simultaneous submits, and one of two simultaneous withdrawals', async () => {
    const app = await readyDraft('w-race', body(140));
    const claimed = async () =>
      (await api('GET', `/v1/programmes/${OPEN}/quotas`)).body.totals.claimed as number;
    const before = await claimed();

    const submits = await Promise.all(
      [0, 1].map(() => api('POST', `/v1/applications/${app.id}/submit`, { token: app.token })),
    );
    expect(submits.map((r) => r.status).sort()).toEqual([200, 409]);
    const won = submits.find((r) => r.status === 200) as ApiResponse;
    expectError(submits.find((r) => r.status === 409) as ApiResponse, 409, 'invalid_state');
    expect(await claimed()).toBe(before + 1);
    const read = await api('GET', `/v1/applications/${app.id}`, { token: app.token });
    expect(read.body.receipt).toEqual(won.body.receipt);
    expect(read.body.timeline.filter((e: { type: string }) => e.type === 'submitted')).toHaveLength(1);

    const withdrawals = await Promise.all(
      [0, 1].map(() => api('POST', `/v1/applications/${app.id}/withdraw`, { token: app.token })),
    );
    expect(withdrawals.map((r) => r.status).sort()).toEqual([200, 409]);
    expectError(withdrawals.find((r) => r.status === 409) as ApiResponse, 409, 'invalid_state');
    expect(await claimed()).toBe(before);
    const after = await api('GET', `/v1/applications/${app.id}`, { token: app.token });
    expect(after.body.timeline.filter((e: { type: string }) => e.type === 'withdrawn')).toHaveLength(1);
  });

  it('issues receipts in submission order with a distinct 64-hex digest each', async () => {
    const drafts = await Promise.all([120, 121, 122, 123].map((n) => readyDraft(`w-receipt-${n}`, body(n))));
    const receipts: { sequence: number; digest: string; submittedAt: string }[] = [];
    for (const d of drafts) {
      const res = await api('POST', `/v1/applications/${d.id}/submit`, { token: d.token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.receipt.digest).toMatch(/^[0-9a-f]{64}$/);
      receipts.push(res.body.receipt);
    }
    for (let i = 1; i < receipts.length; i++) {
      expect(receipts[i]?.sequence).toBeGreaterThan(receipts[i - 1]?.sequence ?? Number.POSITIVE_INFINITY);
      expect(Date.parse(receipts[i]?.submittedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(receipts[i - 1]?.submittedAt ?? ''),
      );
    }
    expect(new Set(receipts.map((r) => r.digest)).size).toBe(receipts.length);
    // The receipt the worker reads later is the one submit answered, and its digest signs what it
    // states: recomputed here with the deployment's key, it matches (a union checking a receipt).
    const deps = createDeps(loadConfig());
    try {
      for (const [i, d] of drafts.entries()) {
        const read = await api('GET', `/v1/applications/${d.id}`, { token: d.token });
        expect(read.body.receipt).toEqual(receipts[i]);
        const { sequence, submittedAt, digest } = read.body.receipt;
        expect(digest).toBe(
          await receiptDigest(deps, {
            programmeId: read.body.programmeId,
            applicationId: d.id,
            sequence,
            submittedAt,
            unitOrgId: read.body.quota.unitOrgId,
          }),
        );
      }
    } finally {
      deps.db.destroy();
    }
  });
});

describe('GET /v1/me/applications', () => {
  it('lists only the caller’s applications, newest first', async () => {
    const mine: string[] = [];
    for (const [n, programmeId, level] of [
      [130, OPEN, 'junior_college'],
      [130, SECOND, 'junior_college'],
      [130, BACHELOR_ONLY, 'bachelor'],
    ] as const) {
      mine.push((await createDraft('w-list', body(n, { programmeId, level }))).id);
      stack.clock.advance(1000); // distinct creation instants, without waiting for them
    }
    const other = await createDraft('w-list-other', body(131));

    const res = await api('GET', '/v1/me/applications', { token: await worker('w-list') });
    expect(res.status).toBe(200);
    const listed = res.body.applications as {
      id: string;
      createdAt: string;
      applicant: { idNumber: string };
    }[];
    expect(listed.map((a) => a.id)).toEqual([...mine].reverse());
    expect(listed.map((a) => a.id)).not.toContain(other.id);
    for (const a of listed) expect(a.applicant.idNumber).toMatch(MASKED_ID);

    const others = await api('GET', '/v1/me/applications', { token: other.token });
    expect(others.body.applications.map((a: { id: string }) => a.id)).toEqual([other.id]);
    const nobody = await api('GET', '/v1/me/applications', { token: await worker('w-list-nobody') });
    expect(nobody.body.applications).toEqual([]);
  });
});

describe('nothing stored in plain', () => {
  it('no item of the table holds a plain ID, card, wallet or phone number sent by this file', async () => {
    expect(secrets.size).toBeGreaterThan(20);
    expect(phones.size).toBeGreaterThan(20);
    let startKey: Record<string, unknown> | undefined;
    let items = 0;
    do {
      const page = await db.send(
        new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        const text = JSON.stringify(item);
        for (const secret of [...secrets, ...phones])
          expect(text, `item ${item.pk} ${item.sk}`).not.toContain(secret);
        items++;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(items).toBeGreaterThan(50);
  });
});
