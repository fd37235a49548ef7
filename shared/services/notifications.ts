import { UnreadableCiphertext } from '../adapters/field-cipher.ts';
import { reviewerNotice } from '../adapters/notification-items.ts';
import { notificationOf } from '../adapters/outbox-repo.ts';
import type { Notifier } from '../adapters/sms/notifier.ts';
import { NotifierUnavailable } from '../adapters/sms/notifier.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { maskPhone } from '../domain/identity.ts';
import {
  afterCap,
  capDay,
  DAILY_SMS_CAP_PER_PHONE,
  type NotificationEvent,
  renderSms,
  sendableAt,
  smsParams,
  workerLink,
  yuan,
} from '../domain/notifications.ts';
import { errorSummary, logger } from '../logger.ts';
import type { ProtectedNumber } from '../model/application.ts';
import type { NotificationRecord } from '../model/notification.ts';
import type { Deps } from './deps.ts';

/**
 * Delivering the SMS outbox (architecture.md §9). The stream hands each new outbox item to
 * {@link deliverNotification}; the scheduled re-drive hands it those deferred until now. A delivery
 * takes the notification with a conditional `queued → sending` (so a retried or duplicated record
 * never sends twice), keeps quiet hours and the per-phone daily cap by deferring, and records the
 * provider's answer: `sent`, or `failed` with its code. A provider that cannot be reached puts the
 * notification back to `queued` and fails the delivery, which the stream retries.
 */

export interface DeliveryOptions {
  /** The deployment's web domain, for links to the worker pages. */
  webDomain?: string | undefined;
}

export type DeliveryOutcome = 'sent' | 'failed' | 'deferred' | 'capped' | 'skipped';

type OutboxKey = { pk: string; sk: string };

/**
 * Delivers one queued notification, at most once: see the module comment. Answers what happened;
 * throws (leaving it `queued`) when the provider could not be reached, so the caller's record is retried.
 */
export async function deliverNotification(
  deps: Deps,
  notifier: Notifier,
  key: OutboxKey,
  options: DeliveryOptions = {},
): Promise<DeliveryOutcome> {
  const n = await deps.outbox.get(key);
  // Taken, settled or deferred already: a stream record seen twice, or a re-drive that raced it.
  if (n?.status !== 'queued') return 'skipped';
  const now = deps.clock.now();
  if (n.dueAt && Date.parse(n.dueAt) > now.getTime()) return 'skipped';
  // Quiet hours (21:00–08:00 Shanghai): queued until the morning.
  const earliest = sendableAt(now);
  if (earliest.getTime() > now.getTime()) {
    await deps.outbox.defer(key, n.notificationId, earliest.toISOString());
    return 'deferred';
  }
  const at = now.toISOString();
  let phone: Awaited<ReturnType<typeof recipientPhone>>;
  try {
    phone = await recipientPhone(deps, n);
  } catch (err) {
    if (!(err instanceof UnreadableCiphertext)) throw err;
    // A stored number no key can read will not become readable: failed for good, never retried.
    const failed = await deps.outbox.failQueued(key, at, {
      code: 'phone_unreadable',
      message: '收件人手机号无法解密',
    });
    return failed ? 'failed' : 'skipped';
  }
  if (!phone) {
    const failed = await deps.outbox.failQueued(key, at, { code: 'no_phone', message: '收件人没有手机号' });
    return failed ? 'failed' : 'skipped';
  }
  let params: Record<string, string>;
  try {
    params = smsParams(n.event as NotificationEvent, await templateValues(deps, n, options));
  } catch (err) {
    // A notification its template cannot be filled from will never be: failed for good, not retried.
    const message = err instanceof Error ? err.message : 'template';
    return (await deps.outbox.failQueued(key, at, { code: 'template_params', message }))
      ? 'failed'
      : 'skipped';
  }
  const hash = await deps.cipher().lookupHash(phone.number, 'sms-phone');
  const day = capDay(now);
  const claim = await deps.outbox.claim(key, at, {
    hash,
    masked: phone.masked,
    day,
    cap: DAILY_SMS_CAP_PER_PHONE,
    expiresAt: Math.floor(now.getTime() / 1000),
  });
  if (claim === 'not_queued') return 'skipped';
  if (claim === 'capped') {
    await deps.outbox.defer(key, n.notificationId, afterCap(now).toISOString());
    return 'capped';
  }
  let result: Awaited<ReturnType<Notifier['send']>>;
  try {
    result = await notifier.send({
      notificationId: n.notificationId,
      to: phone.number,
      event: n.event,
      params,
      text: renderSms(n.event as NotificationEvent, params),
    });
  } catch (err) {
    // No answer from the provider (unreachable, busy, its internal error): not sent. Back to queued,
    // the day's count given back, and the record fails so the stream retries it.
    const code = err instanceof NotifierUnavailable ? err.code : 'error';
    const message = err instanceof Error ? err.name : 'Error';
    await deps.outbox.release(key, { hash, day }, { code, message });
    deps.observer.count('sms.retried');
    throw err;
  }
  // From here the provider has answered: a failure to record it leaves the notification `sending`,
  // never queued again (at most once).
  const settledAt = deps.clock.now().toISOString();
  if (result.status === 'sent') {
    await deps.outbox.markSent(key, settledAt, {
      params,
      ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
    });
    deps.observer.count('sms.sent');
    return 'sent';
  }
  await deps.outbox.markFailed(key, settledAt, { code: result.code, message: result.message, params });
  deps.observer.count('sms.failed');
  logger.warn('sms refused', { notificationId: n.notificationId, code: result.code });
  return 'failed';
}

/** The recipient's mobile number in clear, and masked for the record; undefined when there is none. */
async function recipientPhone(
  deps: Deps,
  n: NotificationRecord,
): Promise<{ number: string; masked: string } | undefined> {
  let stored: ProtectedNumber | string | undefined;
  if (n.recipient.kind === 'applicant') {
    stored = (await deps.applications.bundle(n.recipient.applicationId))?.application.applicant.phone;
  } else {
    stored = (await deps.outbox.contact(n.recipient.sub))?.phone;
  }
  if (stored === undefined) return undefined;
  if (typeof stored === 'string') return { number: stored, masked: maskPhone(stored) };
  return { number: await deps.cipher().decrypt(stored.cipher), masked: stored.masked };
}

/** The template's variables: what the event recorded, and what is read at delivery (place, org name, link). */
async function templateValues(
  deps: Deps,
  n: NotificationRecord,
  options: DeliveryOptions,
): Promise<Record<string, string>> {
  const values: Record<string, string> = { ...n.facts, link: workerLink(options.webDomain) };
  if (n.event === 'submitted') values.place = await placeText(deps, n);
  if (n.event === 'paid') values.amount = yuan(Number(n.facts.amountFen ?? 0));
  if (n.recipient.kind === 'account') {
    values.orgName = (await deps.orgs.get(n.recipient.orgId))?.name ?? n.recipient.orgId;
  }
  return values;
}

/** 已占用名额, or the waitlist position now (it may have moved since the submission). */
async function placeText(deps: Deps, n: NotificationRecord): Promise<string> {
  if (n.facts.quotaState !== 'waitlisted' || n.recipient.kind !== 'applicant') return '已占用补助名额';
  const app = (await deps.applications.bundle(n.recipient.applicationId))?.application;
  if (app?.quotaState !== 'waitlisted' || app.sequence === undefined) return '已占用补助名额';
  const position = await deps.waitlist.position(app.programmeId, app.unitOrgId, app.sequence);
  return `名额已满，候补第${position}位`;
}

/**
 * The scheduled re-drive (every 15 minutes): notifications deferred by quiet hours or the daily cap
 * whose time has come are delivered. A failure of one is logged and left queued for the next tick.
 */
export async function redriveDue(
  deps: Deps,
  notifier: Notifier,
  options: DeliveryOptions = {},
): Promise<{ delivered: number; failed: number }> {
  const now = deps.clock.now();
  let delivered = 0;
  let failed = 0;
  for (const { key, record } of await deps.outbox.due(now.toISOString())) {
    try {
      await deliverNotification(deps, notifier, key, options);
      delivered++;
    } catch (err) {
      failed++;
      logger.warn('re-drive of a notification failed', {
        notificationId: record.notificationId,
        ...errorSummary(err),
      });
    }
  }
  return { delivered, failed };
}

/**
 * While a review batch is open, each org with applications waiting gets one SMS a day per reviewer
 * contact with the count. Written once per org and day (a record with its notifications in one
 * transaction), so a second tick of the day adds nothing.
 */
export async function queueDailyCounts(deps: Deps, now: Date): Promise<number> {
  const day = shanghaiDate(now);
  let queued = 0;
  for (const programme of await deps.programmes.list()) {
    const batch = programme.reviewBatches.find((b) => day >= b.opensOn && day <= b.closesOn);
    if (!batch) continue;
    const waiting = new Map<string, number>();
    for (const app of await deps.applications.listByStatus(programme.id, 'in_review')) {
      if (app.currentOrgId) waiting.set(app.currentOrgId, (waiting.get(app.currentOrgId) ?? 0) + 1);
    }
    for (const [orgId, count] of waiting) {
      const contacts = await deps.outbox.contactsOf(orgId);
      if (contacts.length === 0) continue;
      const at = now.toISOString();
      const notices = contacts.map((c) =>
        reviewerNotice(programme.id, c, 'review_daily', at, day, {
          count: String(count),
          lastDay: batch.closesOn,
        }),
      );
      if (await deps.outbox.putWithRecord({ programmeId: programme.id, day, orgId, at, count }, notices))
        queued += notices.length;
    }
  }
  return queued;
}

/** An item of the table's stream as the delivery reads it: an outbox item just queued, or not one. */
export function queuedOutboxKey(image: Record<string, unknown> | undefined): OutboxKey | undefined {
  if (image?.type !== 'sms') return undefined;
  const n = notificationOf(image);
  if (n.status !== 'queued' || n.dueAt) return undefined;
  return { pk: image.pk as string, sk: image.sk as string };
}
