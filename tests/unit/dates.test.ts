import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  endOfShanghaiDay,
  isCalendarDate,
  isWithinWindow,
  shanghaiDate,
  startOfShanghaiDay,
} from '../../shared/domain/dates.ts';

describe('isCalendarDate', () => {
  it.each([
    '2022-01-01',
    '2022-11-30',
    '2022-12-31',
    '2024-02-29', // leap year
    '2000-02-29', // divisible by 400: leap
    '2022-02-28',
  ])('accepts the real day %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each([
    '2022-02-29', // not a leap year
    '1900-02-29', // divisible by 100, not by 400
    '2022-02-30',
    '2022-04-31',
    '2022-13-01',
    '2022-00-10',
    '2022-01-00',
    '2022-01-32',
  ])('rejects the day that does not exist %s', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });

  it.each([
    '',
    '2022-1-01',
    '2022-01-1',
    '22-01-01',
    '2022/01/01',
    '20220101',
    '2022-01-01T00:00:00Z',
    ' 2022-01-01',
    '2022-01-01 ',
    '２０２２-01-01', // full-width digits
    'abcd-ef-gh',
    '+02022-01-01',
  ])('rejects the malformed value %j', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });

  it('keeps to the years 1900–2999, both included', () => {
    expect(isCalendarDate('1900-01-01')).toBe(true);
    expect(isCalendarDate('2999-12-31')).toBe(true);
    expect(isCalendarDate('1899-12-31')).toBe(false);
    expect(isCalendarDate('3000-01-01')).toBe(false);
    // Years before 1900 even when Date.UTC would read them as 19xx.
    expect(isCalendarDate('0099-01-01')).toBe(false);
  });

  it('agrees with a round trip through Date for every day of 1900–2999', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2999-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (d) => isCalendarDate(d.toISOString().slice(0, 10)),
      ),
    );
  });
});

describe('shanghaiDate', () => {
  it('reads an instant as the Asia/Shanghai calendar day (UTC+8)', () => {
    expect(shanghaiDate(new Date('2022-11-30T15:59:59.999Z'))).toBe('2022-11-30');
    expect(shanghaiDate(new Date('2022-11-30T16:00:00.000Z'))).toBe('2022-12-01');
    expect(shanghaiDate(new Date('2021-12-31T16:00:00.000Z'))).toBe('2022-01-01');
    expect(shanghaiDate(new Date('2021-12-31T15:59:59.999Z'))).toBe('2021-12-31');
    expect(shanghaiDate(new Date('2022-11-30T23:59:59.999+08:00'))).toBe('2022-11-30');
  });

  it('is the day whose start and end bracket the instant', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1950-01-01T00:00:00Z'),
          max: new Date('2999-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        (instant) => {
          const day = shanghaiDate(instant);
          expect(startOfShanghaiDay(day).getTime()).toBeLessThanOrEqual(instant.getTime());
          expect(endOfShanghaiDay(day).getTime()).toBeGreaterThan(instant.getTime());
        },
      ),
    );
  });
});

describe('startOfShanghaiDay / endOfShanghaiDay', () => {
  it('are midnight +08:00 and the next midnight', () => {
    expect(startOfShanghaiDay('2022-11-30').toISOString()).toBe('2022-11-29T16:00:00.000Z');
    expect(endOfShanghaiDay('2022-11-30').toISOString()).toBe('2022-11-30T16:00:00.000Z');
  });
});

describe('isWithinWindow (R10: dates inclusive on both ends, Asia/Shanghai)', () => {
  const window = { opensOn: '2022-01-01', closesOn: '2022-11-30' };

  it('includes the last millisecond of the closing day', () => {
    expect(isWithinWindow(new Date('2022-11-30T23:59:59.999+08:00'), window)).toBe(true);
  });

  it('excludes the first instant after the closing day', () => {
    expect(isWithinWindow(new Date('2022-12-01T00:00:00+08:00'), window)).toBe(false);
  });

  it('includes the first instant of the opening day', () => {
    expect(isWithinWindow(new Date('2022-01-01T00:00:00+08:00'), window)).toBe(true);
    // The same instant is still 2021-12-31 in UTC: the window must not be read in UTC.
    expect(isWithinWindow(new Date('2021-12-31T16:00:00Z'), window)).toBe(true);
  });

  it('excludes the last instant before the opening day', () => {
    expect(isWithinWindow(new Date('2021-12-31T23:59:59.999+08:00'), window)).toBe(false);
  });

  it('treats a one-day window as that whole day', () => {
    const day = { opensOn: '2022-05-05', closesOn: '2022-05-05' };
    expect(isWithinWindow(new Date('2022-05-05T00:00:00+08:00'), day)).toBe(true);
    expect(isWithinWindow(new Date('2022-05-05T23:59:59.999+08:00'), day)).toBe(true);
    expect(isWithinWindow(new Date('2022-05-04T23:59:59.999+08:00'), day)).toBe(false);
    expect(isWithinWindow(new Date('2022-05-06T00:00:00+08:00'), day)).toBe(false);
  });

  it('is open exactly from the start of the opening day to the end of the closing day', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2021-06-01T00:00:00Z'),
          max: new Date('2023-06-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        (instant) => {
          const expected =
            instant.getTime() >= startOfShanghaiDay(window.opensOn).getTime() &&
            instant.getTime() < endOfShanghaiDay(window.closesOn).getTime();
          expect(isWithinWindow(instant, window)).toBe(expected);
        },
      ),
    );
  });
});

describe('addDays', () => {
  it('adds and subtracts whole calendar days across months, years and leap days', () => {
    expect(addDays('2022-11-30', 1)).toBe('2022-12-01');
    expect(addDays('2022-12-31', 1)).toBe('2023-01-01');
    expect(addDays('2022-01-01', -1)).toBe('2021-12-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2022-02-28', 1)).toBe('2022-03-01');
    expect(addDays('2022-05-05', 0)).toBe('2022-05-05');
    expect(addDays('2022-01-01', 365)).toBe('2023-01-01');
    expect(addDays('2024-01-01', 365)).toBe('2024-12-31');
  });

  it('returns real dates and undoes itself', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1950-01-01T00:00:00Z'),
          max: new Date('2900-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -2000, max: 2000 }),
        (d, n) => {
          const date = d.toISOString().slice(0, 10);
          const moved = addDays(date, n);
          expect(isCalendarDate(moved)).toBe(true);
          expect(addDays(moved, -n)).toBe(date);
          expect(
            (startOfShanghaiDay(moved).getTime() - startOfShanghaiDay(date).getTime()) / 86_400_000,
          ).toBe(n);
        },
      ),
    );
  });
});

describe('addMonths', () => {
  it('clamps to the last day of a shorter month', () => {
    expect(addMonths('2022-08-31', 6)).toBe('2023-02-28');
    expect(addMonths('2023-08-31', 6)).toBe('2024-02-29');
    expect(addMonths('2022-01-31', 1)).toBe('2022-02-28');
    expect(addMonths('2022-03-31', 1)).toBe('2022-04-30');
  });

  it('keeps the day when it exists and crosses years both ways', () => {
    expect(addMonths('2022-05-15', 6)).toBe('2022-11-15');
    expect(addMonths('2022-11-30', 6)).toBe('2023-05-30');
    expect(addMonths('2022-01-15', -1)).toBe('2021-12-15');
    expect(addMonths('2022-03-31', -1)).toBe('2022-02-28');
    expect(addMonths('2022-01-31', -13)).toBe('2020-12-31');
    expect(addMonths('2022-05-15', 0)).toBe('2022-05-15');
    expect(addMonths('2022-05-15', 24)).toBe('2024-05-15');
  });

  it('refuses a value that is not a date', () => {
    expect(() => addMonths('2022/05/15', 6)).toThrow(/YYYY-MM-DD/);
  });

  it('always returns a real date in the target month', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1950-01-01T00:00:00Z'),
          max: new Date('2900-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -240, max: 240 }),
        (d, n) => {
          const date = d.toISOString().slice(0, 10);
          const moved = addMonths(date, n);
          expect(isCalendarDate(moved)).toBe(true);
          const monthIndex = (s: string) => Number(s.slice(0, 4)) * 12 + Number(s.slice(5, 7)) - 1;
          expect(monthIndex(moved) - monthIndex(date)).toBe(n);
          expect(Number(moved.slice(8, 10))).toBeLessThanOrEqual(Number(date.slice(8, 10)));
        },
      ),
    );
  });
});
