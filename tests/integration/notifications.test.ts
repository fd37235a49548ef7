import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, shanghaiDate } from '../../shared/domain/dates.ts';
import {
  callRoute,
  expectOk,
  programmeBody,
  publishProgramme,
  submittedApplication,
} from '../support/api.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * Issue 17: every event's SMS is an outbox item committed with its event, delivered from the table's
 * stream through the Tencent stand-in by the official SDK (its real TC3 signing), once.
 */

const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));
const at = (date: string, time: string) => new Date(`${date}T${time}+08:00`);
const employer = 'lc-dcf-gucheng-textile';

type Delivery = { event: string; status: string; code?: string; dueAt?: string };

async function deliveries(stack: TestStack, id: string, token: string): Promise<Delivery[]> {
  await stack.sms.stream.settled();
  const view = await expectOk(stack, 'getApplication', { token, params: { id } });
  return (view.notifications ?? []) as Delivery[];
}

describe('SMS outbox, delivered from the stream', () => {
  let stack: TestStack;
  let admin: string;

  beforeAll(async () => {
    stack = await startTestStack({ workflows: { resume: false }, sms: { deliver: true } });
    stack.clock.set(at(today, '10:00:00'));
    admin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
    await publishProgramme(
      stack,
      programmeBody({
        id: 'sms-p',
        allocations: [
          { unitOrgId: 'lc-dongchangfu', places: 1, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
        ],
      }),
      admin,
    );
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('submission, waitlist, promotion: one SMS each, with 受理号 and place, signed and accepted by the stand-in', async () => {
    const first = await submittedApplication(stack, {
      n: 1701,
      programmeId: 'sms-p',
      employerOrgId: employer,
      enrolmentYear: year,
    });
    const second = await submittedApplication(stack, {
      n: 1702,
      programmeId: 'sms-p',
      employerOrgId: employer,
      enrolmentYear: year,
    });
    expect(await deliveries(stack, first.id, first.token)).toEqual([
      expect.objectContaining({ event: 'submitted', status: 'sent' }),
    ]);
    const dev = await stack.call('GET', '/v1/dev/sms');
    expect(dev.status).toBe(200);
    const toFirst = dev.body.items.filter((m: { to: string }) => m.to === '13800001701');
    expect(toFirst).toEqual([
      expect.objectContaining({
        template: 'submitted',
        status: 'sent',
        params: expect.objectContaining({
          receipt: String(first.submit.body.receipt.sequence),
          place: '已占用补助名额',
        }),
      }),
    ]);
    const toSecond = dev.body.items.filter((m: { to: string }) => m.to === '13800001702');
    expect(toSecond[0].params.place).toBe('名额已满，候补第1位');
    // Nothing personal: no ID number in any parameter.
    expect(JSON.stringify(dev.body)).not.toMatch(/\d{17}[\dX]/);

    // The first withdraws: the second is promoted in the same transaction, and told once.
    await expectOk(stack, 'withdrawApplication', { token: first.token, params: { id: first.id } });
    const second2 = await deliveries(stack, second.id, second.token);
    expect(second2.map((d) => [d.event, d.status])).toEqual([
      ['submitted', 'sent'],
      ['promoted', 'sent'],
    ]);
    // A withdrawal is the worker's own act: no SMS for it.
    expect((await deliveries(stack, first.id, first.token)).map((d) => d.event)).toEqual(['submitted']);
    expect(stack.sms.standIn.refusals()).toEqual([]);
  });

  it('the lapse scenario: returned → SMS with the reason and the batch’s last day → corrected and resubmitted in time', async () => {
    const app = await submittedApplication(stack, {
      n: 1703,
      programmeId: 'sms-p',
      employerOrgId: employer,
      enrolmentYear: year,
    });
    const view = await expectOk(stack, 'getApplication', { token: app.token, params: { id: app.id } });
    const org = view.review.currentOrgId as string;
    const reviewer = await stack.token({ sub: `reviewer-${org}`, role: 'reviewer', org });
    await expectOk(stack, 'decideApplication', {
      token: reviewer,
      params: { id: app.id },
      body: { decision: 'return', reason: '申请表未盖单位公章' },
    });
    expect((await deliveries(stack, app.id, app.token)).map((d) => [d.event, d.status])).toEqual([
      ['submitted', 'sent'],
      ['returned', 'sent'],
    ]);
    const returned = (await stack.call('GET', '/v1/dev/sms')).body.items.filter(
      (m: { to: string; template: string }) => m.to === '13800001703' && m.template === 'returned',
    );
    expect(returned).toHaveLength(1);
    expect(returned[0].params).toMatchObject({ reason: '申请表未盖单位公章', lastDay: addDays(today, 40) });
    // The reviewers see the same delivery status beside the application's timeline.
    const asReviewer = await expectOk(stack, 'getApplication', { token: reviewer, params: { id: app.id } });
    expect(asReviewer.notifications?.map((n) => `${n.event}:${n.status}`)).toEqual([
      'submitted:sent',
      'returned:sent',
    ]);
    // Corrected and resubmitted before the last day: back in review, no lapse.
    const again = await callRoute(stack, 'submitApplication', { token: app.token, params: { id: app.id } });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.status).toBe('in_review');
  });

  it('a decision whose transaction fails queues no SMS', async () => {
    const app = await submittedApplication(stack, {
      n: 1704,
      programmeId: 'sms-p',
      employerOrgId: employer,
      enrolmentYear: year,
    });
    const worker = await expectOk(stack, 'getApplication', { token: app.token, params: { id: app.id } });
    const chainOrg = worker.review.chain[1]?.orgId as string;
    // Not the org at the current step: refused before anything is written.
    const wrong = await stack.token({ sub: 'reviewer-wrong', role: 'reviewer', org: chainOrg });
    const refused = await callRoute(stack, 'decideApplication', {
      token: wrong,
      params: { id: app.id },
      body: { decision: 'reject', reason: '不符合条件' },
    });
    expect(refused.status).toBe(403);
    expect((await deliveries(stack, app.id, app.token)).map((d) => d.event)).toEqual(['submitted']);
  });

  it('quiet hours: an event at 22:00 is queued until 08:00, then the schedule sends it', async () => {
    stack.clock.set(at(today, '22:00:00'));
    const app = await submittedApplication(stack, {
      n: 1705,
      programmeId: 'sms-p',
      employerOrgId: employer,
      enrolmentYear: year,
    });
    const [queued] = await deliveries(stack, app.id, app.token);
    expect(queued).toMatchObject({
      event: 'submitted',
      status: 'queued',
      dueAt: at(addDays(today, 1), '08:00:00').toISOString(),
    });
    stack.clock.set(at(addDays(today, 1), '07:50:00'));
    await stack.sms.tick();
    expect((await deliveries(stack, app.id, app.token))[0]?.status).toBe('queued');
    stack.clock.set(at(addDays(today, 1), '08:05:00'));
    await stack.sms.tick();
    expect((await deliveries(stack, app.id, app.token))[0]?.status).toBe('sent');
    stack.clock.set(at(today, '10:00:00'));
  });

  it('a provider fault is retried and sends once', async () => {
    stack.sms.standIn.failNext(2);
    const before = stack.sms.standIn.messages().length;
    const app = await submittedApplication(stack, {
      n: 1706,
      programmeId: 'sms-p',
      employerOrgId: employer,
      enrolmentYear: year,
    });
    const [d] = await deliveries(stack, app.id, app.token);
    expect(d).toMatchObject({ status: 'sent', attempts: 3 });
    expect(
      stack.sms.standIn
        .messages()
        .slice(before)
        .filter((m) => m.to === '13800001706'),
    ).toHaveLength(1);
  });

  it('the admin lists the programme’s notifications with their status, a page at a time', async () => {
    const page = await expectOk(stack, 'listNotifications', {
      token: admin,
      params: { programmeId: 'sms-p' },
      query: { limit: '2' },
    });
    expect(page.items).toHaveLength(2);
    expect(page.cursor).toBeDefined();
    const next = await expectOk(stack, 'listNotifications', {
      token: admin,
      params: { programmeId: 'sms-p' },
      query: { limit: '100', cursor: page.cursor ?? '' },
    });
    const all = [...page.items, ...next.items];
    expect(new Set(all.map((n) => n.notificationId)).size).toBe(all.length);
    expect(all.every((n) => n.status === 'sent' || n.status === 'queued')).toBe(true);
    expect(all.find((n) => n.status === 'sent')?.to).toMatch(/^138\*{4}\d{4}$/);
    const bad = await callRoute(stack, 'listNotifications', {
      token: admin,
      params: { programmeId: 'sms-p' },
      query: { cursor: 'not-a-cursor' },
    });
    expect(bad.status).toBe(400);
  });
});

describe('SMS with a wrong secret, and the dead-letter path', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      workflows: { resume: false },
      sms: { deliver: true, secretKey: 'not-the-secret', retryAttempts: 1 },
    });
    stack.clock.set(at(today, '10:00:00'));
    const admin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
    await publishProgramme(stack, programmeBody({ id: 'sms-q' }), admin);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('the stand-in refuses a request signed with another secret; the notification fails with its code', async () => {
    const app = await submittedApplication(stack, {
      n: 1711,
      programmeId: 'sms-q',
      employerOrgId: employer,
      enrolmentYear: year,
    });
    const [d] = await deliveries(stack, app.id, app.token);
    expect(d).toMatchObject({ status: 'failed', code: 'AuthFailure.SignatureFailure' });
    expect(stack.sms.standIn.messages()).toEqual([]);
    expect(stack.sms.standIn.refusals().map((r) => r.code)).toContain('AuthFailure.SignatureFailure');
  });

  it('a fault that outlasts the retries goes to the dead letters and stays queued, never sent', async () => {
    stack.sms.standIn.failNext(50);
    const app = await submittedApplication(stack, {
      n: 1712,
      programmeId: 'sms-q',
      employerOrgId: employer,
      enrolmentYear: year,
    });
    const [d] = await deliveries(stack, app.id, app.token);
    expect(d).toMatchObject({ status: 'queued', code: 'InternalError', attempts: 2 });
    expect(stack.sms.stream.deadLetters).toHaveLength(1);
    expect(stack.sms.stream.deadLetters[0]).toMatchObject({ attempts: 2, batchSize: 1 });
    stack.sms.standIn.failNext(0);
  });
});
