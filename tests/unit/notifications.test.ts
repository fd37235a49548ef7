import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notificationKeyOf, outboxItem, reviewerNotice } from '../../shared/adapters/notification-items.ts';
import {
  afterCap,
  capDay,
  MAX_PARAM_LENGTH,
  morningOf,
  notificationEvents,
  renderSms,
  sendableAt,
  smsParams,
  smsTemplates,
  workerLink,
  yuan,
} from '../../shared/domain/notifications.ts';

const sh = (local: string) => new Date(`${local}+08:00`);

describe('SMS templates (issue 17)', () => {
  it('one template per event, each naming exactly the variables it declares, in order', () => {
    expect(Object.keys(smsTemplates).sort()).toEqual([...notificationEvents].sort());
    for (const event of notificationEvents) {
      const { text, params } = smsTemplates[event];
      expect(
        [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        event,
      ).toEqual([...params]);
    }
  });

  it('never asks for an ID or card number', () => {
    for (const event of notificationEvents) {
      for (const p of smsTemplates[event].params) expect(p).not.toMatch(/id|card|account|number/i);
    }
  });

  it('fills the variables in, cutting a long one and refusing a missing one', () => {
    const reason = '材'.repeat(60);
    const params = smsParams('rejected', { receipt: '12', reason, link: 'L', extra: 'dropped' });
    expect(params).toEqual({ receipt: '12', reason: `${'材'.repeat(MAX_PARAM_LENGTH - 1)}…`, link: 'L' });
    expect(params.reason).toHaveLength(MAX_PARAM_LENGTH);
    expect(smsParams('rejected', { receipt: '1', reason: '短', link: 'L' }).reason).toBe('短');
    expect(
      smsParams('rejected', { receipt: '1', reason: 'x'.repeat(MAX_PARAM_LENGTH), link: 'L' }).reason,
    ).toHaveLength(MAX_PARAM_LENGTH);
    expect(() => smsParams('paid', { link: 'L' })).toThrow(/amount/);
    expect(renderSms('paid', { amount: '1000.00', link: 'https://edu.example.cn/m/' })).toBe(
      '您的求学圆梦补助1000.00元已发放，请在收款账户查收。发放记录：https://edu.example.cn/m/',
    );
    expect(renderSms('paid', {})).toBe('您的求学圆梦补助元已发放，请在收款账户查收。发放记录：');
  });

  it('says money in 元 with two decimals, from integer fen', () => {
    expect(yuan(100_000)).toBe('1000.00');
    expect(yuan(123_456)).toBe('1234.56');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(0)).toBe('0.00');
    expect(yuan(-250)).toBe('-2.50');
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (fen) => {
        expect(Math.round(Number(yuan(fen)) * 100)).toBe(fen);
      }),
    );
  });

  it('links to the worker pages where the deployment has a domain', () => {
    expect(workerLink('edu.example.cn')).toBe('https://edu.example.cn/m/');
    expect(workerLink(undefined)).toBe('平台"我的申请"');
    expect(workerLink('')).toBe('平台"我的申请"');
  });
});

describe('quiet hours, 21:00–08:00 Shanghai', () => {
  it('sends at once by day, waits for 08:00 by night', () => {
    expect(sendableAt(sh('2026-05-06T08:00:00.000'))).toEqual(sh('2026-05-06T08:00:00.000'));
    expect(sendableAt(sh('2026-05-06T20:59:59.999'))).toEqual(sh('2026-05-06T20:59:59.999'));
    expect(sendableAt(sh('2026-05-06T21:00:00.000'))).toEqual(sh('2026-05-07T08:00:00.000'));
    expect(sendableAt(sh('2026-05-06T23:59:00.000'))).toEqual(sh('2026-05-07T08:00:00.000'));
    expect(sendableAt(sh('2026-05-07T00:00:00.000'))).toEqual(sh('2026-05-07T08:00:00.000'));
    expect(sendableAt(sh('2026-05-07T07:59:59.999'))).toEqual(sh('2026-05-07T08:00:00.000'));
    // Across a month's and a year's end.
    expect(sendableAt(sh('2026-12-31T22:00:00.000'))).toEqual(sh('2027-01-01T08:00:00.000'));
  });

  it('never sends inside quiet hours and never waits past the next 08:00', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        (now) => {
          const at = sendableAt(now);
          const hour = (at.getUTCHours() + 8) % 24;
          expect(hour >= 8 && hour < 21).toBe(true);
          expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime());
          expect(at.getTime() - now.getTime()).toBeLessThanOrEqual(11 * 3_600_000);
        },
      ),
    );
  });

  it('counts a phone’s SMS per Shanghai day; a capped one waits for the next morning', () => {
    expect(capDay(new Date('2026-05-06T16:30:00Z'))).toBe('2026-05-07');
    expect(capDay(new Date('2026-05-06T15:59:59Z'))).toBe('2026-05-06');
    expect(afterCap(sh('2026-05-06T10:00:00.000'))).toEqual(sh('2026-05-07T08:00:00.000'));
    expect(afterCap(sh('2026-05-06T00:10:00.000'))).toEqual(sh('2026-05-07T08:00:00.000'));
    expect(morningOf('2026-02-28')).toEqual(sh('2026-02-28T08:00:00.000'));
  });
});

describe('outbox items', () => {
  it('keeps a reviewer’s notification in the account’s partition, named by what it reports', () => {
    const n = reviewerNotice('p1', { sub: 'r1', orgId: 'o1' }, 'review_reminder', 'T', 'b1:reminder', {
      count: '3',
    });
    expect(n.notificationId).toBe('p1.review_reminder.b1:reminder.o1.r1');
    expect(notificationKeyOf(n)).toEqual({
      pk: 'ACCOUNT#r1',
      sk: 'NOTIFY#p1.review_reminder.b1:reminder.o1.r1',
    });
    expect(outboxItem(n)).toMatchObject({
      type: 'sms',
      status: 'queued',
      gsi3pk: 'NOTIFICATIONS#p1',
      gsi3sk: 'T#p1.review_reminder.b1:reminder.o1.r1',
      recipient: { kind: 'account', sub: 'r1', orgId: 'o1' },
    });
  });
});
