/**
 * Calendar dates of the notice: `YYYY-MM-DD`, inclusive, in Asia/Shanghai (UTC+8, no daylight saving).
 * R10/R12: `2022-11-30T23:59:59.999+08:00` is still inside a window that closes on 2022-11-30.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * True when `value` is a `YYYY-MM-DD` string naming a day that exists (no 2022-02-30) in the years
 * 1900–2999: no date the platform keeps (birth dates of resident ID numbers included) lies outside.
 */
export function isCalendarDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12) return false;
  // Day 0 of the next month is the last day of this one (28–31, leap years included).
  const lastDay = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d >= 1 && d <= lastDay;
}

/** The Asia/Shanghai calendar date of an instant. */
export function shanghaiDate(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Shanghai calendar day starts (00:00 +08:00). */
export function startOfShanghaiDay(date: string): Date {
  return new Date(`${date}T00:00:00.000+08:00`);
}

/** The first instant after a Shanghai calendar day ends (next day 00:00 +08:00). */
export function endOfShanghaiDay(date: string): Date {
  return new Date(startOfShanghaiDay(date).getTime() + DAY_MS);
}

export interface DateWindow {
  opensOn: string;
  closesOn: string;
}

/** Whether an instant falls inside an inclusive Shanghai-date window. */
export function isWithinWindow(instant: Date, window: DateWindow): boolean {
  const today = shanghaiDate(instant);
  return today >= window.opensOn && today <= window.closesOn;
}

/** Adds whole days to a calendar date. */
export function addDays(date: string, days: number): string {
  return new Date(startOfShanghaiDay(date).getTime() + days * DAY_MS + SHANGHAI_OFFSET_MS)
    .toISOString()
    .slice(0, 10);
}

/** Adds calendar months to a date, clamping to the month's last day (2022-08-31 + 6 → 2023-02-28). */
export function addMonths(date: string, months: number): string {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error('addMonths needs a YYYY-MM-DD date');
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1 + months;
  const d = Number(m[3]);
  const targetYear = y + Math.floor(mo / 12);
  const targetMonth = ((mo % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const dt = new Date(Date.UTC(targetYear, targetMonth, Math.min(d, lastDay)));
  return dt.toISOString().slice(0, 10);
}
