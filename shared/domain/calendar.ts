import { createHash } from 'node:crypto';
import type { TransitionKind } from '../model/calendar.ts';
import type { FieldError } from '../model/field-error.ts';
import { addDays, type DateWindow, endOfShanghaiDay, shanghaiDate, startOfShanghaiDay } from './dates.ts';

/**
 * The programme calendar (design §4): the instants at which a published programme changes by
 * itself — review batches open and close (R12), the application window closes (R10), reviewers are
 * reminded before a batch closes, and a closed batch's payout run becomes due.
 *
 * Every date of a programme is an inclusive Asia/Shanghai calendar day, so a batch that closes on
 * 2022-06-10 closes at 2022-06-11T00:00+08:00 (`2022-06-10T23:59:59.999+08:00` is still open).
 */

export interface CalendarTransition {
  /** Stable across runs and date changes of other boundaries: `batch-1:close`, `application_window:close`. */
  id: string;
  kind: TransitionKind;
  batchId?: string;
  /** The instant it becomes due, ISO 8601 UTC (`2022-06-10T16:00:00.000Z`). */
  at: string;
}

/** The dates a calendar is built from. */
export interface ProgrammeSchedule {
  applicationWindow: DateWindow;
  reviewBatches: readonly ({ id: string } & DateWindow)[];
}

export interface CalendarOptions {
  /** Reviewers are reminded this many days before a batch's last day (default 3; 0 = on the last day). */
  reminderDaysBeforeClose?: number;
  /** Hour of the reminder, Asia/Shanghai (default 9, i.e. 09:00+08:00). */
  reminderHour?: number;
}

export const defaultCalendarOptions: Required<CalendarOptions> = {
  reminderDaysBeforeClose: 3,
  reminderHour: 9,
};

/**
 * The window's own transition. Batch ids are slugs (no `_`), so this id can never collide with
 * a batch's `{batchId}:…` ids.
 */
export const APPLICATION_WINDOW_CLOSE = 'application_window:close';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Order of transitions that fall on one instant: a batch closes (and its payout falls due) before the next opens. */
const sameInstantOrder: Record<TransitionKind, number> = {
  batch_close: 0,
  payout_due: 1,
  applications_close: 2,
  batch_open: 3,
  reminder: 4,
};

/**
 * Every transition of a programme, in the order they fall due.
 *
 * - `batch_open` when the batch's first day starts;
 * - `reminder` at `reminderHour` o'clock, `reminderDaysBeforeClose` days before the batch's last day
 *   (never before the batch opens);
 * - `batch_close` when the batch's last day ends, with `payout_due` right after it;
 * - `applications_close` when the application window's last day ends (R10).
 *
 * @example
 * calendarTransitions(lc2022).find((t) => t.id === 'batch-1:close')?.at // '2022-06-10T16:00:00.000Z'
 */
export function calendarTransitions(
  programme: ProgrammeSchedule,
  options: CalendarOptions = {},
): CalendarTransition[] {
  const { reminderDaysBeforeClose, reminderHour } = { ...defaultCalendarOptions, ...options };
  if (!Number.isInteger(reminderDaysBeforeClose) || reminderDaysBeforeClose < 0) {
    throw new Error('reminderDaysBeforeClose must be a whole number of days, 0 or more');
  }
  if (!Number.isInteger(reminderHour) || reminderHour < 0 || reminderHour > 23) {
    throw new Error('reminderHour must be an hour from 0 to 23');
  }
  const all: CalendarTransition[] = [];
  for (const batch of programme.reviewBatches) {
    const opensAt = startOfShanghaiDay(batch.opensOn);
    const closesAt = endOfShanghaiDay(batch.closesOn);
    const remindAt = new Date(
      startOfShanghaiDay(addDays(batch.closesOn, -reminderDaysBeforeClose)).getTime() +
        reminderHour * HOUR_MS,
    );
    const iso = (d: Date) => d.toISOString();
    all.push(
      { id: `${batch.id}:open`, kind: 'batch_open', batchId: batch.id, at: iso(opensAt) },
      {
        id: `${batch.id}:reminder`,
        kind: 'reminder',
        batchId: batch.id,
        at: iso(new Date(Math.max(remindAt.getTime(), opensAt.getTime()))),
      },
      { id: `${batch.id}:close`, kind: 'batch_close', batchId: batch.id, at: iso(closesAt) },
      { id: `${batch.id}:payout`, kind: 'payout_due', batchId: batch.id, at: iso(closesAt) },
    );
  }
  all.push({
    id: APPLICATION_WINDOW_CLOSE,
    kind: 'applications_close',
    at: endOfShanghaiDay(programme.applicationWindow.closesOn).toISOString(),
  });
  // A stable sort: transitions of one instant and kind keep the batches' order.
  return all.sort((a, b) => a.at.localeCompare(b.at) || sameInstantOrder[a.kind] - sameInstantOrder[b.kind]);
}

/** The id of the batch that closes last: closing it lapses every undecided application (design §2). */
export function lastBatchId(programme: ProgrammeSchedule): string | undefined {
  return [...programme.reviewBatches].sort((a, b) => a.closesOn.localeCompare(b.closesOn)).at(-1)?.id;
}

export type CalendarStep =
  | { done: true }
  | { due: CalendarTransition }
  | { waitUntil: string }
  /** The execution is near Step Functions' one-year limit: a successor takes over. */
  | { handOver: true };

export interface NextStepOptions {
  /** The longest single wait (default 7 days): local timers cannot wait months, and date changes are re-read. */
  maxWaitDays?: number;
  /** When the running execution started; with `handOverAfterDays`, asks for a successor when it grows old. */
  startedAt?: Date;
  /** Standard executions end after one year; hand over well before (default 330 days). */
  handOverAfterDays?: number;
}

/**
 * What the calendar does next: nothing more (`done`), apply the earliest transition not yet done
 * (`due`), or wait until it falls due — at most `maxWaitDays`, after which it looks again.
 *
 * @example
 * nextStep(transitions, new Set(['batch-1:open']), now) // { waitUntil: '2022-06-07T01:00:00.000Z' }
 */
export function nextStep(
  transitions: readonly CalendarTransition[],
  doneIds: ReadonlySet<string>,
  now: Date,
  options: NextStepOptions | number = {},
): CalendarStep {
  const {
    maxWaitDays = 7,
    startedAt,
    handOverAfterDays = 330,
  } = typeof options === 'number' ? { maxWaitDays: options } : options;
  const pending = transitions.find((t) => !doneIds.has(t.id));
  if (!pending) return { done: true };
  if (Date.parse(pending.at) <= now.getTime()) return { due: pending };
  if (startedAt && now.getTime() - startedAt.getTime() >= handOverAfterDays * DAY_MS)
    return { handOver: true };
  const waitUntil = Math.min(Date.parse(pending.at), now.getTime() + maxWaitDays * DAY_MS);
  return { waitUntil: new Date(waitUntil).toISOString() };
}

/**
 * The boundaries an edit of a programme's dates may not touch: one that has passed stays where it
 * was, and none may be moved into the past — the calendar has acted (or would act at once) on them.
 * Opening something today is not the past; closing it before today ends is.
 * Returns one error per offending date, with the path of the field in the edited programme.
 */
export function pastBoundaryChanges(
  before: ProgrammeSchedule,
  after: ProgrammeSchedule,
  now: Date,
): FieldError[] {
  const boundaries = (p: ProgrammeSchedule) => {
    const map = new Map<string, { at: number; path: string; opens: boolean }>();
    const opening = (date: string, path: string) => ({
      at: startOfShanghaiDay(date).getTime(),
      path,
      opens: true,
    });
    const closing = (date: string, path: string) => ({
      at: endOfShanghaiDay(date).getTime(),
      path,
      opens: false,
    });
    map.set('application_window:open', opening(p.applicationWindow.opensOn, 'applicationWindow.opensOn'));
    map.set(APPLICATION_WINDOW_CLOSE, closing(p.applicationWindow.closesOn, 'applicationWindow.closesOn'));
    p.reviewBatches.forEach((b, i) => {
      map.set(`${b.id}:open`, opening(b.opensOn, `reviewBatches.${i}.opensOn`));
      map.set(`${b.id}:close`, closing(b.closesOn, `reviewBatches.${i}.closesOn`));
    });
    return map;
  };
  const old = boundaries(before);
  const next = boundaries(after);
  const t = now.getTime();
  const startOfToday = startOfShanghaiDay(shanghaiDate(now)).getTime();
  const errors: FieldError[] = [];
  const add = (error: FieldError) => {
    if (!errors.some((e) => e.path === error.path)) errors.push(error);
  };
  for (const [id, was] of old) {
    if (was.at > t) continue;
    const is = next.get(id);
    if (!is) add({ path: 'reviewBatches', message: `已开始的审核批次 ${id.split(':')[0]} 不能删除` });
    else if (is.at !== was.at) add({ path: is.path, message: '已经过去的日期不能修改' });
  }
  for (const [id, is] of next) {
    if (is.opens ? is.at >= startOfToday : is.at > t) continue;
    const was = old.get(id);
    if (!was || was.at !== is.at) add({ path: is.path, message: '日期不能改到过去' });
  }
  return errors;
}

/**
 * The name of a programme's calendar execution: the programme id and a digest of its dates and
 * revision (and, for a successor, the day it took over) — at most 80 characters of `[A-Za-z0-9-_]`,
 * so starting it twice starts it once, and new dates start a new one.
 */
export function calendarExecutionName(
  programmeId: string,
  schedule: ProgrammeSchedule,
  revision = 0,
  handOverOn?: string,
): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify({
        w: [schedule.applicationWindow.opensOn, schedule.applicationWindow.closesOn],
        b: schedule.reviewBatches.map((b) => [b.id, b.opensOn, b.closesOn]),
        r: revision,
        ...(handOverOn ? { h: handOverOn } : {}),
      }),
    )
    .digest('hex')
    .slice(0, 12);
  return `${programmeId.slice(0, 64)}-${digest}`;
}
