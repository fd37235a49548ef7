/**
 * What the platform tells people by SMS (architecture.md §9): one short Chinese template per event, with
 * named variables — SMS providers in China approve templates, not free text — and never an ID or card
 * number. Pure rules over plain data: which template, its text, quiet hours, the per-phone daily cap.
 */
import { addDays, shanghaiDate, startOfShanghaiDay } from './dates.ts';

/** Events that send an SMS: the worker's (the application's mobile number) and the reviewers'. */
export const notificationEvents = [
  'submitted',
  'promoted',
  'returned',
  'approved',
  'rejected',
  'paid',
  'lapsed',
  'review_daily',
  'review_reminder',
] as const;
export type NotificationEvent = (typeof notificationEvents)[number];

/** Delivery status of one notification (architecture.md §9): `sending` only while a delivery holds it. */
export const notificationStatuses = ['queued', 'sending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

export interface SmsTemplate {
  /** The text as submitted to the provider for approval; `{name}` is a variable. */
  text: string;
  /** The variables in the order they appear (Tencent numbers them {1}, {2}, … in this order). */
  params: readonly string[];
}

/**
 * One template per event. `link` is the worker pages (`https://{domain}/m/`) where the deployment has a
 * domain, else the words 平台"我的申请" — the template takes it as a variable either way.
 */
export const smsTemplates: Record<NotificationEvent, SmsTemplate> = {
  submitted: {
    text: '您的求学圆梦补助申请已受理，受理号{receipt}，{place}。进度请查看{link}',
    params: ['receipt', 'place', 'link'],
  },
  promoted: {
    text: '您的补助申请（受理号{receipt}）已由候补转为占用名额，请留意审核进度：{link}',
    params: ['receipt', 'link'],
  },
  returned: {
    text: '您的补助申请（受理号{receipt}）被退回修改，原因：{reason}。请于{lastDay}前修改后重新提交：{link}',
    params: ['receipt', 'reason', 'lastDay', 'link'],
  },
  approved: {
    text: '您的补助申请（受理号{receipt}）已审核通过，补助将按批次发放：{link}',
    params: ['receipt', 'link'],
  },
  rejected: {
    text: '您的补助申请（受理号{receipt}）未通过审核，原因：{reason}。详情：{link}',
    params: ['receipt', 'reason', 'link'],
  },
  paid: {
    text: '您的求学圆梦补助{amount}元已发放，请在收款账户查收。发放记录：{link}',
    params: ['amount', 'link'],
  },
  lapsed: {
    text: '您的补助申请（受理号{receipt}）因审核批次结束时未完成审核已失效：{link}',
    params: ['receipt', 'link'],
  },
  review_daily: {
    text: '{orgName}今日有{count}份求学圆梦补助申请待审核，本批次审核截止{lastDay}。',
    params: ['orgName', 'count', 'lastDay'],
  },
  review_reminder: {
    text: '提醒：求学圆梦补助本批次审核将于{lastDay}截止，{orgName}尚有{count}份申请待审核。',
    params: ['lastDay', 'orgName', 'count'],
  },
};

/** Longest a variable may be: providers cap a variable (Tencent: 6–35 characters by template kind). */
export const MAX_PARAM_LENGTH = 35;

/**
 * The message's variables, each cut to {@link MAX_PARAM_LENGTH} (a long reason is ended with …); a
 * variable the template does not name is dropped, one it names and lacks is an error.
 *
 * @example smsParams('paid', { amount: '2000.00', link: 'https://x/m/' }) // { amount: '2000.00', link: 'https://x/m/' }
 */
export function smsParams(event: NotificationEvent, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of smsTemplates[event].params) {
    const value = values[name];
    if (value === undefined) throw new Error(`template ${event} needs ${name}`);
    out[name] = value.length > MAX_PARAM_LENGTH ? `${value.slice(0, MAX_PARAM_LENGTH - 1)}…` : value;
  }
  return out;
}

/** The text a worker reads: the template with its variables filled in. */
export function renderSms(event: NotificationEvent, params: Record<string, string>): string {
  return smsTemplates[event].text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
}

/** Money as the SMS says it: 元 with two decimals, from integer fen. @example yuan(123456) // '1234.56' */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${(abs % 100).toString().padStart(2, '0')}`;
}

/** Where a link to the worker pages points: the deployment's domain, or the words a worker looks for. */
export function workerLink(webDomain: string | undefined): string {
  return webDomain ? `https://${webDomain}/m/` : '平台"我的申请"';
}

/** Quiet hours, Asia/Shanghai: no SMS from 21:00 until 08:00. */
export const QUIET_FROM_HOUR = 21;
export const QUIET_UNTIL_HOUR = 8;

/**
 * The instant an SMS may go out at the earliest: `now` outside quiet hours, else the next 08:00 in
 * Shanghai (queued until morning).
 */
export function sendableAt(now: Date): Date {
  const hour = (now.getUTCHours() + 8) % 24;
  if (hour >= QUIET_UNTIL_HOUR && hour < QUIET_FROM_HOUR) return now;
  const today = shanghaiDate(now);
  const morning = hour >= QUIET_FROM_HOUR ? addDays(today, 1) : today;
  return morningOf(morning);
}

/** 08:00 Shanghai of a calendar day. */
export function morningOf(date: string): Date {
  return new Date(startOfShanghaiDay(date).getTime() + QUIET_UNTIL_HOUR * 3_600_000);
}

/** Most SMS one phone number gets in a Shanghai day; past it they wait for the next morning. */
export const DAILY_SMS_CAP_PER_PHONE = 5;

/** The day a phone's daily count is kept under. */
export const capDay = (now: Date): string => shanghaiDate(now);

/** When a capped SMS is tried again: the next day's 08:00. */
export const afterCap = (now: Date): Date => morningOf(addDays(shanghaiDate(now), 1));
