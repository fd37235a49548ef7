import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationKey } from '../../shared/adapters/keys.ts';
import { applicantNotice, notificationKeyOf } from '../../shared/adapters/notification-items.ts';
import { loadConfig } from '../../shared/config.ts';
import { addDays, shanghaiDate } from '../../shared/domain/dates.ts';
import { DAILY_SMS_CAP_PER_PHONE } from '../../shared/domain/notifications.ts';
import { applyTransition } from '../../shared/services/calendar.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import {
  approveAlongChain,
  callRoute,
  expectOk,
  programmeBody,
  publishProgramme,
  runReaching,
  submittedApplication,
} from '../support/api.ts';
import { fastPayoutRetries } from '../support/payout-run.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * Issue 17: each event the worker or the reviewers are told of produces exactly one SMS, committed with
 * the event: approval, rejection, payment, lapse, the reviewers' reminder and daily count; a
 * transaction that fails queues none; a delivery cut off before it ran, or run twice, sends once; the
 * per-phone daily cap defers to the next morning.
 */

const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));
const at = (date: string, time: string) => new Date(`${date}T${time}+08:00`);
const employer = 'lc-dcf-gucheng-textile';

let stack: TestStack;
let deps: Deps;
let admin: string;

type Delivery = { event: string; status: string; code?: string; dueAt?: string };
type Sms = { to: string; template: string; params: Record<string, string> };

async function deliveries(id: string, token: string): Promise<Delivery[]> {
  await stack.sms.stream.settled();
  const view = await expectOk(stack, 'getApplication', { token, params: { id } });
  return (view.notifications ?? []) as Delivery[];
}
const events = async (id: string, token: string) =>
  (await deliveries(id, token)).map((d) => `${d.event}:${d.status}`);
const received = async (to: string): Promise<Sms[]> => {
  await stack.sms.stream.settled();
  return (await stack.call('GET', '/v1/dev/sms')).body.items.filter((m: Sms) => m.to === to);
};
const reviewerAt = async (id: string, token: string) => {
  const view = await expectOk(stack, 'getApplication', { token, params: { id } });
  const org = view.review.currentOrgId as string;
  return { org, token: await stack.token({ sub: `reviewer-${org}`, role: 'reviewer', org }) };
};
const submit = (n: number, programmeId: string) =>
  submittedApplication(stack, { n, programmeId, employerOrgId: employer, enrolmentYear: year });

beforeAll(async () => {
  stack = await startTestStack({
    workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false },
    sms: { deliver: true },
  });
  stack.clock.set(at(today, '10:00:00'));
  deps = createDeps(loadConfig());
  admin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  for (const id of ['ev-a', 'ev-l', 'ev-c']) await publishProgramme(stack, programmeBody({ id }), admin);
});
afterAll(async () => {
  deps.db.destroy();
  await stack.stop();
});

describe('each event, one SMS', () => {
  it('approval, then payment with the amount in 元', async () => {
    const app = await submit(1801, 'ev-a');
    await approveAlongChain(stack, app.id, app.token);
    expect(await events(app.id, app.token)).toEqual(['submitted:sent', 'approved:sent']);
    const started = await stack.call('POST', '/v1/programmes/ev-a/payout-runs', { token: admin, body: {} });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(await runReaching(stack, admin, started.body.runId)).toMatchObject({ status: 'succeeded' });
    expect(await events(app.id, app.token)).toEqual(['submitted:sent', 'approved:sent', 'paid:sent']);
    const paid = (await received('13800001801')).filter((m) => m.template === 'paid');
    expect(paid).toEqual([
      expect.objectContaining({ params: expect.objectContaining({ amount: '1000.00' }) }),
    ]);
  });

  it('rejection, with the reviewer’s reason', async () => {
    const app = await submit(1802, 'ev-a');
    const reviewer = await reviewerAt(app.id, app.token);
    await expectOk(stack, 'decideApplication', {
      token: reviewer.token,
      params: { id: app.id },
      body: { decision: 'reject', reason: '非本年度新入学' },
    });
    expect(await events(app.id, app.token)).toEqual(['submitted:sent', 'rejected:sent']);
    const [rejected] = (await received('13800001802')).filter((m) => m.template === 'rejected');
    expect(rejected?.params.reason).toBe('非本年度新入学');
  });

  it('the lapse scenario: one worker corrects in time and is approved, the other lapses when the last batch closes', async () => {
    const fixed = await submit(1803, 'ev-l');
    const idle = await submit(1804, 'ev-l');
    for (const app of [fixed, idle]) {
      const reviewer = await reviewerAt(app.id, app.token);
      await expectOk(stack, 'decideApplication', {
        token: reviewer.token,
        params: { id: app.id },
        body: { decision: 'return', reason: '学籍报告已过期' },
      });
    }
    const lastDay = addDays(today, 40);
    for (const to of ['13800001803', '13800001804']) {
      expect((await received(to)).filter((m) => m.template === 'returned')).toEqual([
        expect.objectContaining({ params: expect.objectContaining({ reason: '学籍报告已过期', lastDay }) }),
      ]);
    }
    // The one who read the SMS corrects and resubmits before the last day, and is approved.
    expect(
      (await callRoute(stack, 'submitApplication', { token: fixed.token, params: { id: fixed.id } })).status,
    ).toBe(200);
    await approveAlongChain(stack, fixed.id, fixed.token);
    // The batch closes (its last day over): the other lapses, told once, in the lapse's transaction.
    const closed = await applyTransition(
      deps,
      'ev-l',
      { id: 'b1:close' },
      at(addDays(lastDay, 1), '00:30:00'),
    );
    expect(closed).toMatchObject({ applied: true });
    expect(await events(idle.id, idle.token)).toEqual(['submitted:sent', 'returned:sent', 'lapsed:sent']);
    expect(await events(fixed.id, fixed.token)).toEqual(['submitted:sent', 'returned:sent', 'approved:sent']);
    // Running the close again changes nothing and queues nothing.
    await applyTransition(deps, 'ev-l', { id: 'b1:close' }, at(addDays(lastDay, 1), '01:00:00'));
    expect(await events(idle.id, idle.token)).toHaveLength(3);
  });

  it('reviewers: the reminder three days before the batch closes and the daily count, one each per reviewer', async () => {
    const app = await submit(1805, 'ev-c');
    const { org } = await reviewerAt(app.id, app.token);
    const cipher = deps.cipher();
    for (const [sub, phone] of [
      ['rev-c1', '13900001001'],
      ['rev-c2', '13900001002'],
    ] as const) {
      await deps.outbox.putContact({
        sub,
        orgId: org,
        phone: { cipher: await cipher.encrypt(phone), masked: `139****${phone.slice(-4)}` },
      });
    }
    // The daily count: the schedule's tick after 09:00 queues it; a second tick adds nothing.
    await stack.sms.tick();
    await stack.sms.tick();
    for (const to of ['13900001001', '13900001002']) {
      const daily = (await received(to)).filter((m) => m.template === 'review_daily');
      expect(daily).toHaveLength(1);
      expect(daily[0]?.params).toMatchObject({ count: '1', lastDay: addDays(today, 40) });
      expect(daily[0]?.params.orgName).toBeTruthy();
    }
    // The calendar's reminder, three days before the last day, queued with the reminder record.
    const reminderAt = at(addDays(today, 37), '09:30:00');
    expect(await applyTransition(deps, 'ev-c', { id: 'b1:reminder' }, reminderAt)).toMatchObject({
      applied: true,
    });
    await applyTransition(deps, 'ev-c', { id: 'b1:reminder' }, reminderAt);
    for (const to of ['13900001001', '13900001002']) {
      expect((await received(to)).filter((m) => m.template === 'review_reminder')).toEqual([
        expect.objectContaining({
          params: expect.objectContaining({ count: '1', lastDay: addDays(today, 40) }),
        }),
      ]);
    }
    const listed = await expectOk(stack, 'listNotifications', {
      token: admin,
      params: { programmeId: 'ev-c' },
      query: { limit: '100' },
    });
    expect(
      listed.items
        .filter((n) => n.orgId === org)
        .map((n) => `${n.event}:${n.status}`)
        .sort(),
    ).toEqual(['review_daily:sent', 'review_daily:sent', 'review_reminder:sent', 'review_reminder:sent']);
  });
});

describe('committed with the event, delivered once', () => {
  it('a transaction that fails queues nothing', async () => {
    const app = await submit(1806, 'ev-c');
    const record = (await deps.applications.bundle(app.id))?.application;
    if (!record) throw new Error('no application');
    const notice = applicantNotice(record, 'approved', new Date().toISOString(), { receipt: '1' });
    // Approved by an org that is not at the application's step: the guard fails the whole transaction.
    const written = await deps.applications.approve(
      record,
      { orgId: 'lc', decision: 'approve', decidedAt: notice.createdAt },
      { type: 'approved', at: notice.createdAt },
      notice,
    );
    expect(written).toBe(false);
    expect(await deps.outbox.get(notificationKeyOf(notice))).toBeUndefined();
    expect(await events(app.id, app.token)).toEqual(['submitted:sent']);
  });

  it('a delivery cut off after the event committed still delivers once; a replay of the whole stream sends nothing again', async () => {
    stack.sms.stream.pause();
    const app = await submit(1807, 'ev-c');
    // Committed with the submission, waiting in the stream while the delivery function is down.
    const [queued] = await (async () => {
      const view = await expectOk(stack, 'getApplication', { token: app.token, params: { id: app.id } });
      return view.notifications ?? [];
    })();
    expect(queued).toMatchObject({ event: 'submitted', status: 'queued' });
    stack.sms.stream.resume();
    expect(await events(app.id, app.token)).toEqual(['submitted:sent']);
    const before = stack.sms.standIn.messages().length;
    await stack.sms.replay();
    expect(stack.sms.standIn.messages().length).toBe(before);
    expect(await received('13800001807')).toHaveLength(1);
  });

  it('a phone number no key can read fails its SMS for good, without holding up the next worker’s', async () => {
    const unreadable = await submit(1809, 'ev-c');
    const readable = await submit(1810, 'ev-c');
    // The stored ciphertext altered (a restored backup under another key would read the same way).
    const { application } = (await deps.applications.bundle(unreadable.id)) ?? {};
    const phone = application?.applicant.phone;
    if (!phone || typeof phone === 'string') throw new Error('the applicant’s phone is not stored encrypted');
    const [prefix, ...rest] = phone.cipher.split('.');
    const tag = rest.at(-2) ?? '';
    rest[rest.length - 2] = `${tag.slice(0, -2)}${tag.endsWith('AA') ? 'BB' : 'AA'}`;
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.config.tableName,
        Key: applicationKey(unreadable.id),
        UpdateExpression: 'SET applicant.phone.#c = :c',
        ExpressionAttributeNames: { '#c': 'cipher' },
        ExpressionAttributeValues: { ':c': [prefix, ...rest].join('.') },
      }),
    );
    const deadLettersBefore = stack.sms.stream.deadLetters.length;
    await approveAlongChain(stack, unreadable.id, unreadable.token);
    await approveAlongChain(stack, readable.id, readable.token);

    // The owner's view shows the mask instead of failing (never a 500).
    const view = await expectOk(stack, 'getApplication', {
      token: unreadable.token,
      params: { id: unreadable.id },
    });
    expect(view.applicant.phone).toBe('138****1809');
    const failed = (await deliveries(unreadable.id, unreadable.token)).find((d) => d.event === 'approved');
    expect(failed).toMatchObject({ status: 'failed', code: 'phone_unreadable' });
    expect(await events(readable.id, readable.token)).toEqual(['submitted:sent', 'approved:sent']);
    expect((await received('13800001810')).map((m) => m.template)).toEqual(['submitted', 'approved']);
    expect(stack.sms.stream.deadLetters).toHaveLength(deadLettersBefore);
  });

  it(`the daily cap: past ${DAILY_SMS_CAP_PER_PHONE} SMS a day, one phone’s next waits for the next morning`, async () => {
    const app = await submit(1808, 'ev-c');
    // Each return is one more SMS to the same phone.
    for (let i = 0; i < DAILY_SMS_CAP_PER_PHONE; i++) {
      const reviewer = await reviewerAt(app.id, app.token);
      await expectOk(stack, 'decideApplication', {
        token: reviewer.token,
        params: { id: app.id },
        body: { decision: 'return', reason: `第${i + 1}次退回` },
      });
      await stack.sms.stream.settled();
      if (i < DAILY_SMS_CAP_PER_PHONE - 1)
        expect(
          (await callRoute(stack, 'submitApplication', { token: app.token, params: { id: app.id } })).status,
        ).toBe(200);
    }
    const all = await deliveries(app.id, app.token);
    expect(all).toHaveLength(DAILY_SMS_CAP_PER_PHONE + 1);
    expect(all.filter((d) => d.status === 'sent')).toHaveLength(DAILY_SMS_CAP_PER_PHONE);
    const capped = all.at(-1);
    expect(capped).toMatchObject({
      status: 'queued',
      dueAt: at(addDays(today, 1), '08:00:00').toISOString(),
    });
    expect(await received('13800001808')).toHaveLength(DAILY_SMS_CAP_PER_PHONE);
    stack.clock.set(at(addDays(today, 1), '08:15:00'));
    await stack.sms.tick();
    stack.clock.set(at(today, '10:00:00'));
    expect((await deliveries(app.id, app.token)).every((d) => d.status === 'sent')).toBe(true);
    expect(await received('13800001808')).toHaveLength(DAILY_SMS_CAP_PER_PHONE + 1);
  });
});
