/**
 * 我要申请 saved on the server at each step (architecture.md §7), through HTTP: the form of steps 0–2
 * kept per account and programme, each section checked as the draft checks it, the ID number never
 * sent back or stored in the clear, and 收款账户 turning the form into the draft in one transaction.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoAccounts } from '../../infra/seed/accounts.ts';
import { loadConfig } from '../../shared/config.ts';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { programmeBody, workerTokens } from '../support/api.ts';
import { bankCardFor, draftBody, idNumberFor } from '../support/fixtures.ts';
import { signInWithPkce } from '../support/oidc.ts';
import { demoProgramme } from '../support/worker-flow.ts';
import { type ApiResponse, startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let deps: Deps;
let worker: (sub: string) => Promise<string>;
const year = Number(shanghaiDate(new Date()).slice(0, 4));
const PROGRAMME = 'af-open';
const EMPLOYER = 'lc-dcf-gucheng-textile';
const formPath = (programmeId = PROGRAMME) => `/v1/me/application-forms/${programmeId}`;

/** The sections of steps 0–2 and the payout account of step 3 for test person `n`. */
function sections(n: number) {
  const { applicant, jobTitle, employerOrgId, enrolment, chsiReport, relevance, payoutAccount } = draftBody(
    n,
    {
      programmeId: PROGRAMME,
      employerOrgId: EMPLOYER,
      enrolmentYear: year,
    },
  );
  return {
    step0: { step: 1, applicant, jobTitle },
    step1: { step: 2, employerOrgId },
    step2: { step: 3, enrolment, chsiReport, relevance },
    payoutAccount,
  };
}

function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
}

/** Every item of the account's partition, as stored. */
async function accountItems(sub: string) {
  const out = await deps.db.send(
    new QueryCommand({
      TableName: deps.config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${sub}` },
    }),
  );
  return out.Items ?? [];
}

beforeAll(async () => {
  stack = await startTestStack();
  worker = workerTokens(stack);
  deps = createDeps(loadConfig());
  const admin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  const res = await stack.call('POST', '/v1/programmes', {
    token: admin,
    body: programmeBody({ id: PROGRAMME, year }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});

afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

describe('the application form saved step by step', () => {
  it('keeps each step, resumes it, and becomes the draft at 收款账户 in one transaction', async () => {
    const token = await worker('af-w1');
    const s = sections(1);
    const plainId = idNumberFor(1);

    const first = await stack.call('PATCH', formPath(), { token, body: s.step0 });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.step).toBe(1);
    expect(first.body.applicant.name).toBe('职工1');
    expect(first.body.applicant.idNumber).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    expect(JSON.stringify(first.body)).not.toContain(plainId);

    // Closing WeChat and coming back: the same account reads what it saved, and the next steps add to it.
    const resumed = await stack.call('GET', formPath(), { token });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ step: 1, jobTitle: s.step0.jobTitle, applicant: { name: '职工1' } });
    expect((await stack.call('PATCH', formPath(), { token, body: s.step1 })).status).toBe(200);
    const third = await stack.call('PATCH', formPath(), { token, body: s.step2 });
    expect(third.status, JSON.stringify(third.body)).toBe(200);
    expect(third.body).toMatchObject({
      step: 3,
      applicant: { name: '职工1' },
      jobTitle: s.step0.jobTitle,
      employerOrgId: EMPLOYER,
      enrolment: s.step2.enrolment,
      relevance: s.step2.relevance,
    });

    // Stored encrypted: neither the ID number nor the phone is in the item in the clear.
    const stored = JSON.stringify(await accountItems('af-w1'));
    expect(stored).toContain('FORM#af-open');
    expect(stored).not.toContain(plainId);
    expect(stored).not.toContain(s.step0.applicant.phone);

    const created = await stack.call('POST', `${formPath()}/application`, {
      token,
      body: { channel: 'wechat', payoutAccount: s.payoutAccount },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      status: 'draft',
      programmeId: PROGRAMME,
      employerOrgId: EMPLOYER,
      channel: 'wechat',
      jobTitle: s.step0.jobTitle,
      applicant: { name: '职工1' },
    });
    expect(created.body.applicant.idNumber).toBe(`${plainId.slice(0, 4)}**********${plainId.slice(-4)}`);
    expect(JSON.stringify(created.body)).not.toContain(bankCardFor(1));

    // The form went with the draft's transaction; the draft is the worker's to go on with.
    expectError(await stack.call('GET', formPath(), { token }), 404, 'not_found');
    expect(JSON.stringify(await accountItems('af-w1'))).not.toContain('FORM#');
    const mine = await stack.call('GET', '/v1/me/applications', { token });
    expect(mine.body.applications.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
    expectError(
      await stack.call('POST', `${formPath()}/application`, {
        token,
        body: { payoutAccount: s.payoutAccount },
      }),
      404,
      'not_found',
    );
  });

  it('keeps an offering chosen from the catalogue, shows it on resuming, and the draft names it', async () => {
    const demo = await demoProgramme(stack.url);
    const token = await worker('af-w7');
    const offerings = await stack.call(
      'GET',
      `/v1/programmes/${demo.id}/offerings?level=junior_college&q=数控`,
    );
    expect(offerings.status).toBe(200);
    const offering = offerings.body.items[0];
    expect(offering).toMatchObject({ major: '数控技术', level: 'junior_college' });
    const { applicant, jobTitle, chsiReport, relevance, payoutAccount } = draftBody(7, {
      programmeId: demo.id,
      employerOrgId: EMPLOYER,
      enrolmentYear: demo.enrolmentYear,
    });
    const path = formPath(demo.id);
    for (const body of [
      { step: 1, applicant, jobTitle },
      { step: 2, employerOrgId: EMPLOYER },
      {
        step: 3,
        enrolment: { offeringId: offering.offeringId, enrolledOn: `${demo.enrolmentYear}-03-01` },
        chsiReport,
        relevance,
      },
    ]) {
      const res = await stack.call('PATCH', path, { token, body });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const resumed = await stack.call('GET', path, { token });
    expect(resumed.body.unitOrgId).toBe('lc-dongchangfu');
    expect(resumed.body.enrolment).toEqual({
      offeringId: offering.offeringId,
      institution: offering.institution.name,
      major: '数控技术',
      level: 'junior_college',
      mode: offering.mode,
      years: offering.years,
      enrolledOn: `${demo.enrolmentYear}-03-01`,
    });
    // An offering that does not exist is refused as the draft refuses it, and the chosen one stays.
    const unknown = await stack.call('PATCH', path, {
      token,
      body: {
        step: 3,
        enrolment: { offeringId: 'o0000000000000000', enrolledOn: `${demo.enrolmentYear}-03-01` },
      },
    });
    expectError(unknown, 400, 'validation_failed');
    expect(unknown.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['enrolment.offeringId']);

    const created = await stack.call('POST', `${path}/application`, { token, body: { payoutAccount } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.enrolment).toMatchObject({
      offeringId: offering.offeringId,
      institution: offering.institution.name,
      major: '数控技术',
      nonPartner: false,
    });
  });

  it('checks each section as the draft does, and a refused save leaves the saved form as it was', async () => {
    const token = await worker('af-w2');
    const s = sections(2);
    expect((await stack.call('PATCH', formPath(), { token, body: s.step0 })).status).toBe(200);

    const badId = `${idNumberFor(2).slice(0, 17)}${idNumberFor(2).endsWith('0') ? '1' : '0'}`;
    const refused = await stack.call('PATCH', formPath(), {
      token,
      body: { step: 1, applicant: { ...s.step0.applicant, idNumber: badId, phone: '12345' } },
    });
    expectError(refused, 400, 'validation_failed');
    expect(refused.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'applicant.idNumber',
      'applicant.phone',
    ]);

    // An employer outside the programme's units (a county, not an enterprise) is refused as the draft refuses it.
    const outside = await stack.call('PATCH', formPath(), {
      token,
      body: { step: 2, employerOrgId: 'lc-chiping' },
    });
    expectError(outside, 400, 'validation_failed');
    expect(outside.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['employerOrgId']);
    expectError(
      await stack.call('PATCH', formPath(), { token, body: { step: 9 } }),
      400,
      'validation_failed',
    );
    expectError(
      await stack.call('PATCH', formPath(), { token, body: { step: 1, unknown: true } }),
      400,
      'validation_failed',
    );

    const kept = await stack.call('GET', formPath(), { token });
    expect(kept.body).toMatchObject({ step: 1, applicant: { name: '职工2' } });
    expect(kept.body.employerOrgId).toBeUndefined();
  });

  it('R9: a verified account saves 基本信息 only in its own name and ID number', async () => {
    const zhang = demoAccounts.find((a) => a.sub === 'worker-zhangwei');
    if (!zhang?.verified) throw new Error('seed lost worker-zhangwei');
    const { idToken } = await signInWithPkce(stack.oidc.issuer, { sub: zhang.sub, password: DEMO_PASSWORD });
    const s = sections(8);
    const other = await stack.call('PATCH', formPath(), { token: idToken, body: s.step0 });
    expectError(other, 422, 'ineligible');
    expect(other.body.error.rules).toEqual(['R9']);
    expectError(await stack.call('GET', formPath(), { token: idToken }), 404, 'not_found');
    const own = await stack.call('PATCH', formPath(), {
      token: idToken,
      body: {
        ...s.step0,
        applicant: { ...s.step0.applicant, name: zhang.verified.name, idNumber: zhang.verified.idNumber },
      },
    });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body.applicant.name).toBe(zhang.verified.name);
  });

  it('names what is still missing when 收款账户 comes before the other steps', async () => {
    const token = await worker('af-w3');
    const s = sections(3);
    expect((await stack.call('PATCH', formPath(), { token, body: s.step0 })).status).toBe(200);
    const early = await stack.call('POST', `${formPath()}/application`, {
      token,
      body: { payoutAccount: s.payoutAccount },
    });
    expectError(early, 400, 'validation_failed');
    expect(early.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'chsiReport',
      'employerOrgId',
      'enrolment',
      'relevance',
    ]);
    // Nothing was created.
    expect((await stack.call('GET', '/v1/me/applications', { token })).body.applications).toEqual([]);
    // A card failing Luhn is the draft's own 400, and the form stays.
    expect((await stack.call('PATCH', formPath(), { token, body: s.step1 })).status).toBe(200);
    expect((await stack.call('PATCH', formPath(), { token, body: s.step2 })).status).toBe(200);
    const card = s.payoutAccount.accountNumber;
    const badCard = await stack.call('POST', `${formPath()}/application`, {
      token,
      body: {
        payoutAccount: {
          ...s.payoutAccount,
          accountNumber: `${card.slice(0, -1)}${(Number(card.at(-1)) + 1) % 10}`,
        },
      },
    });
    expectError(badCard, 400, 'validation_failed');
    expect((await stack.call('GET', formPath(), { token })).status).toBe(200);
  });

  it('is the account’s own: another worker neither reads nor completes it', async () => {
    const owner = await worker('af-w4');
    const other = await worker('af-w5');
    const s = sections(4);
    for (const body of [s.step0, s.step1, s.step2]) {
      expect((await stack.call('PATCH', formPath(), { token: owner, body })).status).toBe(200);
    }
    expectError(await stack.call('GET', formPath(), { token: other }), 404, 'not_found');
    expectError(
      await stack.call('POST', `${formPath()}/application`, {
        token: other,
        body: { payoutAccount: s.payoutAccount },
      }),
      404,
      'not_found',
    );
    const reviewer = await stack.token({ sub: 'af-reviewer', role: 'reviewer', org: 'lc-dongchangfu' });
    expectError(await stack.call('GET', formPath(), { token: reviewer }), 403, 'forbidden');
    expect((await stack.call('GET', formPath(), { token: owner })).status).toBe(200);
  });

  it('is thrown away on 重新填写, expires after thirty days, and needs a programme that exists', async () => {
    const token = await worker('af-w6');
    const s = sections(6);
    expect((await stack.call('PATCH', formPath(), { token, body: s.step0 })).status).toBe(200);
    const discarded = await stack.call('DELETE', formPath(), { token });
    expect(discarded.status).toBe(200);
    expect(discarded.body).toEqual({ programmeId: PROGRAMME, discarded: true });
    expectError(await stack.call('GET', formPath(), { token }), 404, 'not_found');
    expectError(await stack.call('DELETE', formPath(), { token }), 404, 'not_found');

    const saved = await stack.call('PATCH', formPath(), { token, body: s.step0 });
    expect(saved.status).toBe(200);
    stack.clock.advance(29 * 86_400_000);
    expect((await stack.call('GET', formPath(), { token })).status).toBe(200);
    stack.clock.advance(2 * 86_400_000);
    try {
      expectError(await stack.call('GET', formPath(), { token }), 404, 'not_found');
    } finally {
      stack.clock.set(new Date());
    }

    expectError(
      await stack.call('PATCH', formPath('af-no-such-programme'), { token, body: s.step0 }),
      404,
      'not_found',
    );
  });
});
