import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lc2022 } from '../../infra/seed/data.ts';
import {
  APPLICATION_WINDOW_CLOSE,
  type CalendarTransition,
  calendarExecutionName,
  calendarTransitions,
  lastBatchId,
  nextStep,
  type ProgrammeSchedule,
  pastBoundaryChanges,
} from '../../shared/domain/calendar.ts';
import { addDays } from '../../shared/domain/dates.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('calendarTransitions of lc-2022 (R10, R12)', () => {
  const transitions = calendarTransitions(lc2022);

  it('lists every boundary at its exact instant, in order', () => {
    expect(transitions).toEqual([
      { id: 'batch-1:open', kind: 'batch_open', batchId: 'batch-1', at: '2022-05-04T16:00:00.000Z' },
      { id: 'batch-1:reminder', kind: 'reminder', batchId: 'batch-1', at: '2022-06-07T01:00:00.000Z' },
      { id: 'batch-1:close', kind: 'batch_close', batchId: 'batch-1', at: '2022-06-10T16:00:00.000Z' },
      { id: 'batch-1:payout', kind: 'payout_due', batchId: 'batch-1', at: '2022-06-10T16:00:00.000Z' },
      { id: 'batch-2:open', kind: 'batch_open', batchId: 'batch-2', at: '2022-10-31T16:00:00.000Z' },
      { id: APPLICATION_WINDOW_CLOSE, kind: 'applications_close', at: '2022-11-30T16:00:00.000Z' },
      { id: 'batch-2:reminder', kind: 'reminder', batchId: 'batch-2', at: '2022-12-06T01:00:00.000Z' },
      { id: 'batch-2:close', kind: 'batch_close', batchId: 'batch-2', at: '2022-12-09T16:00:00.000Z' },
      { id: 'batch-2:payout', kind: 'payout_due', batchId: 'batch-2', at: '2022-12-09T16:00:00.000Z' },
    ]);
  });

  it('closes batch 1 when 2022-06-10 ends in Shanghai: 06-11T00:00+08:00, not a millisecond earlier', () => {
    const close = transitions.find((t) => t.id === 'batch-1:close');
    expect(close?.at).toBe(new Date('2022-06-11T00:00:00+08:00').toISOString());
    const lastOpenInstant = new Date('2022-06-10T23:59:59.999+08:00');
    expect(nextStep(transitions, new Set(['batch-1:open', 'batch-1:reminder']), lastOpenInstant)).toEqual({
      waitUntil: '2022-06-10T16:00:00.000Z',
    });
  });

  it('closes the application window when 2022-11-30 ends (R10: 23:59:59.999+08:00 is still open)', () => {
    expect(transitions.find((t) => t.kind === 'applications_close')?.at).toBe(
      new Date('2022-12-01T00:00:00+08:00').toISOString(),
    );
  });

  it('reminds a configurable number of days before the last day, at a configurable hour', () => {
    const custom = calendarTransitions(lc2022, { reminderDaysBeforeClose: 1, reminderHour: 15 });
    expect(custom.find((t) => t.id === 'batch-1:reminder')?.at).toBe(
      new Date('2022-06-09T15:00:00+08:00').toISOString(),
    );
    const onTheDay = calendarTransitions(lc2022, { reminderDaysBeforeClose: 0 });
    expect(onTheDay.find((t) => t.id === 'batch-2:reminder')?.at).toBe(
      new Date('2022-12-09T09:00:00+08:00').toISOString(),
    );
    expect(() => calendarTransitions(lc2022, { reminderDaysBeforeClose: -1 })).toThrow();
    expect(() => calendarTransitions(lc2022, { reminderHour: 24 })).toThrow();
  });

  it('never reminds before a short batch has opened', () => {
    const short: ProgrammeSchedule = {
      applicationWindow: { opensOn: '2022-01-01', closesOn: '2022-06-10' },
      reviewBatches: [{ id: 'b', opensOn: '2022-06-09', closesOn: '2022-06-10' }],
    };
    const [open, reminder] = calendarTransitions(short);
    expect(open).toMatchObject({ id: 'b:open', at: '2022-06-08T16:00:00.000Z' });
    expect(reminder).toMatchObject({ id: 'b:reminder', at: '2022-06-08T16:00:00.000Z' });
  });

  it('closes a batch before the next one opens on the same instant', () => {
    const backToBack: ProgrammeSchedule = {
      applicationWindow: { opensOn: '2022-01-01', closesOn: '2022-03-31' },
      reviewBatches: [
        { id: 'first', opensOn: '2022-01-01', closesOn: '2022-01-31' },
        { id: 'second', opensOn: '2022-02-01', closesOn: '2022-03-31' },
      ],
    };
    const ids = calendarTransitions(backToBack).map((t) => t.id);
    expect(ids.indexOf('first:close')).toBeLessThan(ids.indexOf('first:payout'));
    expect(ids.indexOf('first:payout')).toBeLessThan(ids.indexOf('second:open'));
    expect(ids.slice(-3)).toEqual(['second:close', 'second:payout', APPLICATION_WINDOW_CLOSE]);
    expect(lastBatchId(backToBack)).toBe('second');
  });
});

describe('nextStep', () => {
  const transitions = calendarTransitions(lc2022);

  it('is done when every transition is done', () => {
    expect(nextStep(transitions, new Set(transitions.map((t) => t.id)), new Date('2030-01-01'))).toEqual({
      done: true,
    });
  });

  it('hands out the earliest transition not yet done once it is due', () => {
    const done = new Set(['batch-1:open', 'batch-1:reminder']);
    expect(nextStep(transitions, done, new Date('2023-01-01'))).toEqual({ due: transitions[2] });
    // Even far past every boundary, one at a time and in order.
    expect(nextStep(transitions, new Set(), new Date('2030-01-01'))).toEqual({ due: transitions[0] });
  });

  it('waits until the next boundary, but never longer than maxWaitDays', () => {
    const done = new Set(['batch-1:open']);
    const twoDaysBefore = new Date(Date.parse('2022-06-07T01:00:00.000Z') - 2 * DAY);
    expect(nextStep(transitions, done, twoDaysBefore)).toEqual({ waitUntil: '2022-06-07T01:00:00.000Z' });
    const longBefore = new Date('2022-01-01T00:00:00.000Z');
    expect(nextStep(transitions, new Set(), longBefore)).toEqual({ waitUntil: '2022-01-08T00:00:00.000Z' });
    expect(nextStep(transitions, new Set(), longBefore, 1)).toEqual({
      waitUntil: '2022-01-02T00:00:00.000Z',
    });
  });

  it('asks for a successor when the execution nears the one-year limit and work remains', () => {
    const now = new Date('2022-01-01T00:00:00.000Z');
    const startedAt = new Date(now.getTime() - 330 * DAY);
    expect(nextStep(transitions, new Set(), now, { startedAt })).toEqual({ handOver: true });
    // A due transition is applied first, and a finished calendar just ends.
    expect(nextStep(transitions, new Set(), new Date('2023-01-01'), { startedAt })).toEqual({
      due: transitions[0],
    });
    expect(nextStep(transitions, new Set(transitions.map((t) => t.id)), now, { startedAt })).toEqual({
      done: true,
    });
    expect(nextStep(transitions, new Set(), now, { startedAt: new Date(now.getTime() - 329 * DAY) })).toEqual(
      {
        waitUntil: '2022-01-08T00:00:00.000Z',
      },
    );
  });
});

/** Valid schedules: a window and 1–4 ordered, non-overlapping batches, the last closing after the window. */
const schedule = fc
  .record({
    start: fc.integer({ min: 0, max: 3000 }),
    windowDays: fc.integer({ min: 0, max: 300 }),
    batches: fc.array(
      fc.record({ gap: fc.integer({ min: 1, max: 40 }), length: fc.integer({ min: 0, max: 60 }) }),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
  })
  .map(({ start, windowDays, batches }): ProgrammeSchedule => {
    const opensOn = addDays('2020-01-01', start);
    const closesOn = addDays(opensOn, windowDays);
    let cursor = addDays(opensOn, -1);
    const reviewBatches = batches.map((b, i) => {
      const batchOpens = addDays(cursor, b.gap);
      cursor = addDays(batchOpens, b.length);
      return { id: `batch-${i + 1}`, opensOn: batchOpens, closesOn: cursor };
    });
    const last = reviewBatches.at(-1);
    if (last && last.closesOn < closesOn) last.closesOn = closesOn;
    return { applicationWindow: { opensOn, closesOn }, reviewBatches };
  });

describe('the calendar as a loop (property)', () => {
  it('ids are unique; each batch opens, is reminded, closes and falls due for payout in that order', () => {
    fc.assert(
      fc.property(schedule, fc.integer({ min: 0, max: 10 }), (s, days) => {
        const transitions = calendarTransitions(s, { reminderDaysBeforeClose: days });
        expect(new Set(transitions.map((t) => t.id)).size).toBe(transitions.length);
        expect(transitions).toHaveLength(s.reviewBatches.length * 4 + 1);
        for (let i = 1; i < transitions.length; i++) {
          expect(
            (transitions[i] as CalendarTransition).at >= (transitions[i - 1] as CalendarTransition).at,
          ).toBe(true);
        }
        const ids = transitions.map((t) => t.id);
        for (const b of s.reviewBatches) {
          const order = ['open', 'reminder', 'close', 'payout'].map((k) => ids.indexOf(`${b.id}:${k}`));
          expect(order).toEqual([...order].sort((x, y) => x - y));
        }
      }),
    );
  });

  it('run with a clock that waits as told, applies every transition once, in order, never early', () => {
    fc.assert(
      fc.property(schedule, fc.integer({ min: -400, max: 400 }), (s, startOffset) => {
        const transitions = calendarTransitions(s);
        const done = new Set<string>();
        const applied: { id: string; at: number }[] = [];
        let now = Date.parse(`${addDays(s.applicationWindow.opensOn, startOffset)}T00:00:00.000Z`);
        for (let guard = 0; guard < 10_000; guard++) {
          const step = nextStep(transitions, done, new Date(now));
          if ('done' in step) break;
          if ('due' in step) {
            expect(done.has(step.due.id)).toBe(false);
            expect(Date.parse(step.due.at)).toBeLessThanOrEqual(now);
            done.add(step.due.id);
            applied.push({ id: step.due.id, at: now });
          } else if ('waitUntil' in step) {
            const until = Date.parse(step.waitUntil);
            expect(until).toBeGreaterThan(now);
            expect(until - now).toBeLessThanOrEqual(7 * DAY);
            now = until;
          }
        }
        expect(applied.map((a) => a.id)).toEqual(transitions.map((t) => t.id));
      }),
    );
  });
});

describe('pastBoundaryChanges', () => {
  const now = new Date('2022-07-01T00:00:00+08:00'); // batch 1 over, batch 2 ahead

  it('lets future dates move and keeps the past as it was', () => {
    const later = {
      ...lc2022,
      reviewBatches: [
        lc2022.reviewBatches[0],
        { id: 'batch-2', opensOn: '2022-11-05', closesOn: '2022-12-20' },
      ],
    } as ProgrammeSchedule;
    expect(pastBoundaryChanges(lc2022, later, now)).toEqual([]);
  });

  it('refuses to move a batch that has closed, to drop it, or to move a date into the past', () => {
    const movedClosed = {
      ...lc2022,
      reviewBatches: [
        { id: 'batch-1', opensOn: '2022-05-05', closesOn: '2022-06-20' },
        lc2022.reviewBatches[1],
      ],
    } as ProgrammeSchedule;
    expect(pastBoundaryChanges(lc2022, movedClosed, now)).toEqual([
      { path: 'reviewBatches.0.closesOn', message: expect.any(String) },
    ]);
    const dropped = { ...lc2022, reviewBatches: [lc2022.reviewBatches[1]] } as ProgrammeSchedule;
    expect(pastBoundaryChanges(lc2022, dropped, now).map((e) => e.path)).toContain('reviewBatches');
    const intoThePast = {
      ...lc2022,
      reviewBatches: [
        lc2022.reviewBatches[0],
        { id: 'batch-2', opensOn: '2022-06-20', closesOn: '2022-12-09' },
      ],
    } as ProgrammeSchedule;
    expect(pastBoundaryChanges(lc2022, intoThePast, now)).toEqual([
      { path: 'reviewBatches.1.opensOn', message: expect.any(String) },
    ]);
  });

  it('lets a batch open today, but not close before today ends', () => {
    const today = { ...lc2022.reviewBatches[1], opensOn: '2022-07-01' };
    const opensToday = { ...lc2022, reviewBatches: [lc2022.reviewBatches[0], today] } as ProgrammeSchedule;
    expect(pastBoundaryChanges(lc2022, opensToday, now)).toEqual([]);
    const closesYesterday = {
      ...lc2022,
      applicationWindow: { opensOn: '2022-01-01', closesOn: '2022-06-30' },
    } as ProgrammeSchedule;
    expect(pastBoundaryChanges(lc2022, closesYesterday, now)).toEqual([
      { path: 'applicationWindow.closesOn', message: expect.any(String) },
    ]);
  });
});

describe('calendarExecutionName', () => {
  it('is a valid Step Functions name of at most 80 characters, stable for the same dates', () => {
    const longId = 'a'.repeat(64);
    const name = calendarExecutionName(longId, lc2022);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(calendarExecutionName('lc-2022', lc2022)).toBe(calendarExecutionName('lc-2022', { ...lc2022 }));
    expect(calendarExecutionName('lc-2022', lc2022)).toMatch(/^lc-2022-[0-9a-f]{12}$/);
  });

  it('changes with the dates, the revision and a hand-over', () => {
    const base = calendarExecutionName('lc-2022', lc2022);
    const moved = {
      ...lc2022,
      applicationWindow: { opensOn: '2022-01-01', closesOn: '2022-12-01' },
    };
    expect(calendarExecutionName('lc-2022', moved)).not.toBe(base);
    expect(calendarExecutionName('lc-2022', lc2022, 1)).not.toBe(base);
    expect(calendarExecutionName('lc-2022', lc2022, 0, '2022-11-01')).not.toBe(base);
  });
});

describe('calendar edges', () => {
  it('accepts reminder hours 0 to 23 and whole days from 0, and says what is wrong otherwise', () => {
    expect(calendarTransitions(lc2022, { reminderHour: 0 })[1]?.at).toBe('2022-06-06T16:00:00.000Z');
    expect(calendarTransitions(lc2022, { reminderHour: 23 })[1]?.at).toBe('2022-06-07T15:00:00.000Z');
    const hour = 'reminderHour must be an hour from 0 to 23';
    expect(() => calendarTransitions(lc2022, { reminderHour: -1 })).toThrow(hour);
    expect(() => calendarTransitions(lc2022, { reminderHour: 24 })).toThrow(hour);
    expect(() => calendarTransitions(lc2022, { reminderHour: 9.5 })).toThrow(hour);
    const days = 'reminderDaysBeforeClose must be a whole number of days, 0 or more';
    expect(() => calendarTransitions(lc2022, { reminderDaysBeforeClose: -1 })).toThrow(days);
    expect(() => calendarTransitions(lc2022, { reminderDaysBeforeClose: 0.5 })).toThrow(days);
  });

  it('orders transitions of one instant by kind, not by the order they were listed', () => {
    // The window closes as batch b opens; a's reminder (at 00:00) falls when b opens.
    const schedule: ProgrammeSchedule = {
      applicationWindow: { opensOn: '2022-01-01', closesOn: '2022-03-31' },
      reviewBatches: [
        { id: 'a', opensOn: '2022-03-01', closesOn: '2022-04-04' },
        { id: 'b', opensOn: '2022-04-01', closesOn: '2022-04-30' },
      ],
    };
    const sameInstant = calendarTransitions(schedule, { reminderHour: 0 })
      .filter((t) => t.at === '2022-03-31T16:00:00.000Z')
      .map((t) => t.id);
    expect(sameInstant).toEqual([APPLICATION_WINDOW_CLOSE, 'b:open', 'a:reminder']);
  });

  it('names the batch that closes last, whatever order the batches are listed in', () => {
    const batches = [
      { id: 'late', opensOn: '2022-11-01', closesOn: '2022-12-09' },
      { id: 'early', opensOn: '2022-05-05', closesOn: '2022-06-10' },
      { id: 'middle', opensOn: '2022-07-01', closesOn: '2022-07-10' },
    ];
    expect(lastBatchId({ ...lc2022, reviewBatches: batches })).toBe('late');
    expect(lastBatchId({ ...lc2022, reviewBatches: [] })).toBeUndefined();
  });
});

describe('transition ids', () => {
  it('keep the names already recorded as done: a renamed id would be applied a second time', () => {
    expect(APPLICATION_WINDOW_CLOSE).toBe('application_window:close');
    expect(calendarTransitions(lc2022).map((t) => t.id)).toContain('batch-1:close');
  });
});

describe('pastBoundaryChanges edges', () => {
  const withBatch1 = (batch: { opensOn: string; closesOn: string }) =>
    ({
      ...lc2022,
      reviewBatches: [{ id: 'batch-1', ...batch }, lc2022.reviewBatches[1]],
    }) as ProgrammeSchedule;

  it('refuses to move a date that has passed even to the future, once, with the field and the reason', () => {
    const now = new Date('2022-07-01T00:00:00+08:00');
    expect(
      pastBoundaryChanges(lc2022, withBatch1({ opensOn: '2022-05-05', closesOn: '2022-07-20' }), now),
    ).toEqual([{ path: 'reviewBatches.0.closesOn', message: '已经过去的日期不能修改' }]);
    // Moved to another past day: both rules apply, one error is reported.
    expect(
      pastBoundaryChanges(lc2022, withBatch1({ opensOn: '2022-05-05', closesOn: '2022-06-20' }), now),
    ).toEqual([{ path: 'reviewBatches.0.closesOn', message: '已经过去的日期不能修改' }]);
    expect(
      pastBoundaryChanges(lc2022, withBatch1({ opensOn: '2022-05-06', closesOn: '2022-06-10' }), now),
    ).toEqual([{ path: 'reviewBatches.0.opensOn', message: '已经过去的日期不能修改' }]);
    const windowMoved = { ...lc2022, applicationWindow: { opensOn: '2022-01-02', closesOn: '2022-11-30' } };
    expect(pastBoundaryChanges(lc2022, windowMoved, now)).toEqual([
      { path: 'applicationWindow.opensOn', message: '已经过去的日期不能修改' },
    ]);
  });

  it('reports each offending date once, however many of them there are', () => {
    const now = new Date('2022-07-01T00:00:00+08:00');
    const both = {
      ...withBatch1({ opensOn: '2022-05-05', closesOn: '2022-06-20' }),
      applicationWindow: { opensOn: '2022-01-02', closesOn: '2022-11-30' },
    };
    expect(pastBoundaryChanges(lc2022, both, now).map((e) => e.path)).toEqual([
      'applicationWindow.opensOn',
      'reviewBatches.0.closesOn',
    ]);
  });

  it('names a started batch that an edit drops', () => {
    const now = new Date('2022-07-01T00:00:00+08:00');
    const dropped = { ...lc2022, reviewBatches: [lc2022.reviewBatches[1]] } as ProgrammeSchedule;
    expect(pastBoundaryChanges(lc2022, dropped, now)).toContainEqual({
      path: 'reviewBatches',
      message: '已开始的审核批次 batch-1 不能删除',
    });
  });

  it('treats a boundary falling due this very instant as passed', () => {
    const now = new Date('2022-05-05T00:00:00+08:00'); // batch 1 opens now
    expect(
      pastBoundaryChanges(lc2022, withBatch1({ opensOn: '2022-05-06', closesOn: '2022-06-10' }), now),
    ).toEqual([{ path: 'reviewBatches.0.opensOn', message: '已经过去的日期不能修改' }]);
  });

  it('says a date cannot be moved into the past', () => {
    const now = new Date('2022-07-01T00:00:00+08:00');
    const closesYesterday = {
      ...lc2022,
      applicationWindow: { opensOn: '2022-01-01', closesOn: '2022-06-30' },
    };
    expect(pastBoundaryChanges(lc2022, closesYesterday, now)).toEqual([
      { path: 'applicationWindow.closesOn', message: '日期不能改到过去' },
    ]);
  });
});

describe('calendarExecutionName edges', () => {
  it('changes with a batch’s dates and keeps the first 64 characters of a long programme id', () => {
    const base = calendarExecutionName('lc-2022', lc2022);
    const batchMoved = {
      ...lc2022,
      reviewBatches: [
        lc2022.reviewBatches[0],
        { id: 'batch-2', opensOn: '2022-11-02', closesOn: '2022-12-09' },
      ],
    } as ProgrammeSchedule;
    expect(calendarExecutionName('lc-2022', batchMoved)).not.toBe(base);
    const name = calendarExecutionName(`${'a'.repeat(64)}bcdef`, lc2022);
    expect(name).toMatch(new RegExp(`^${'a'.repeat(64)}-[0-9a-f]{12}$`));
  });
});
