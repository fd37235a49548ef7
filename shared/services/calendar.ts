import { reviewerNotice } from '../adapters/notification-items.ts';
import { ApplicationNotFound, ApplicationNotInState, PaymentsHeld } from '../adapters/persistence-errors.ts';
import {
  type CalendarOptions,
  type CalendarStep,
  type CalendarTransition,
  calendarExecutionName,
  calendarTransitions,
  lastBatchId,
  nextStep,
} from '../domain/calendar.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { errorSummary, logger } from '../logger.ts';
import type { ApplicationRecord } from '../model/application.ts';
import type { BatchReport } from '../model/calendar.ts';
import type { CalendarTaskEvent } from '../schemas/calendar.ts';
import type { Deps } from './deps.ts';
import { onPayoutDue } from './payout-hook.ts';

/** Review statuses an application can still be decided from: they carry over, or lapse after the last batch. */
export const undecidedStatuses = ['in_review', 'returned'] as const;
/** Every status a submitted application can be in, for the batch report. */
const reportedStatuses = ['in_review', 'returned', 'approved', 'rejected', 'withdrawn', 'lapsed'] as const;

/**
 * Most lapses one invocation carries out. A programme with more undecided applications is closed over
 * several invocations: the transition stays undone, the state machine asks again and the next
 * invocation continues where this one stopped (lapsed applications have left the index).
 */
export const LAPSES_PER_INVOCATION = 500;

export interface CalendarTaskOptions extends CalendarOptions {
  lapsesPerInvocation?: number;
}

export type ApplyOutcome =
  | { applied: true; transitionId: string; summary: Record<string, unknown> }
  | {
      applied: false;
      transitionId: string;
      reason: 'already_done' | 'not_due' | 'unknown_transition' | 'unknown_programme';
    }
  | { applied: false; transitionId: string; reason: 'more_to_do'; summary: Record<string, unknown> };

/**
 * The calendar function's three tasks (see `calendarDefinition`): what comes next, apply one
 * transition, hand over to a successor execution.
 */
export async function runCalendarTask(
  deps: Deps,
  event: CalendarTaskEvent,
  now: Date,
  options: CalendarTaskOptions = {},
): Promise<CalendarStep | ApplyOutcome | { handedOverTo: string | undefined }> {
  switch (event.action) {
    case 'next':
      return calendarNext(deps, event.programmeId, now, event.execution);
    case 'apply':
      return applyTransition(deps, event.programmeId, event.transition, now, options);
    case 'handover':
      return handOverCalendar(deps, event.programmeId, event.execution.id, now);
  }
}

/**
 * What the programme's calendar does next, from its dates as stored now and the transitions
 * already recorded: read on every step, so an edit of the dates takes effect at the next look.
 */
export async function calendarNext(
  deps: Deps,
  programmeId: string,
  now: Date,
  execution?: { startedAt: string },
  options: CalendarOptions = {},
): Promise<CalendarStep> {
  const found = await deps.programmes.get(programmeId);
  if (!found) {
    logger.warn('calendar of an unknown programme', { programmeId });
    return { done: true };
  }
  const done = await deps.calendar.doneTransitionIds(programmeId);
  return nextStep(calendarTransitions(found.programme, options), done, now, {
    ...(execution ? { startedAt: new Date(execution.startedAt) } : {}),
  });
}

/**
 * Carries out one transition of a programme's calendar, once. The transition is looked up again in
 * the programme's current dates (the input may be stale after an edit), its effects are each
 * idempotent on their own — conditional puts under keys derived from the transition, status-guarded
 * lapses — and only then is it recorded as done. A task that fails halfway and runs again therefore
 * finishes the work without doing any of it twice.
 */
export async function applyTransition(
  deps: Deps,
  programmeId: string,
  requested: Pick<CalendarTransition, 'id'>,
  now: Date,
  options: CalendarTaskOptions = {},
): Promise<ApplyOutcome> {
  const found = await deps.programmes.get(programmeId);
  if (!found) return { applied: false, transitionId: requested.id, reason: 'unknown_programme' };
  const programme = found.programme;
  const transition = calendarTransitions(programme, options).find((t) => t.id === requested.id);
  if (!transition) return { applied: false, transitionId: requested.id, reason: 'unknown_transition' };
  if (Date.parse(transition.at) > now.getTime()) {
    return { applied: false, transitionId: transition.id, reason: 'not_due' };
  }
  if ((await deps.calendar.doneTransitionIds(programmeId)).has(transition.id)) {
    return { applied: false, transitionId: transition.id, reason: 'already_done' };
  }

  const at = now.toISOString();
  let summary: Record<string, unknown> = {};
  switch (transition.kind) {
    case 'batch_open':
    case 'applications_close':
      // The record of the transition is all there is: submission (R10) and review (R12) check the
      // dates themselves; the calendar only keeps the programme's history.
      break;
    case 'reminder':
      summary = await remindReviewers(deps, programmeId, transition, at);
      break;
    case 'batch_close': {
      const batchId = transition.batchId ?? '';
      const last = lastBatchId(programme) === batchId;
      let lapsed = 0;
      if (last) {
        const outcome = await lapseUndecided(deps, programmeId, batchId, at, options.lapsesPerInvocation);
        lapsed = outcome.lapsed;
        if (outcome.more) {
          return { applied: false, transitionId: transition.id, reason: 'more_to_do', summary: { lapsed } };
        }
      }
      const report = await batchReport(deps, programmeId, batchId, last, at);
      await deps.calendar.putBatchReport(report);
      summary = { lastBatch: last, lapsedNow: lapsed, counts: report.counts };
      break;
    }
    case 'payout_due':
      await onPayoutDue(deps, programmeId, transition.batchId ?? '', transition.at);
      break;
  }
  await deps.calendar.markDone(programmeId, transition, at);
  logger.info('calendar transition applied', { programmeId, transitionId: transition.id, ...summary });
  return { applied: true, transitionId: transition.id, summary };
}

/** One reminder per org with applications awaiting its decision (architecture.md §4), ready for SMS. */
async function remindReviewers(deps: Deps, programmeId: string, transition: CalendarTransition, at: string) {
  const pendingByOrg = new Map<string, number>();
  for (const app of await deps.applications.listByStatus(programmeId, 'in_review')) {
    if (app.currentOrgId) pendingByOrg.set(app.currentOrgId, (pendingByOrg.get(app.currentOrgId) ?? 0) + 1);
  }
  const found = await deps.programmes.get(programmeId);
  const lastDay = found?.programme.reviewBatches.find((b) => b.id === transition.batchId)?.closesOn ?? '';
  let written = 0;
  for (const [orgId, pending] of pendingByOrg) {
    // Each reviewer of the org with a phone gets the reminder by SMS, queued with the reminder (issue 17).
    const notices = (await deps.outbox.contactsOf(orgId)).map((c) =>
      reviewerNotice(programmeId, c, 'review_reminder', at, transition.id, {
        count: String(pending),
        lastDay,
      }),
    );
    const created = await deps.calendar.putReviewReminder(
      {
        orgId,
        programmeId,
        batchId: transition.batchId ?? '',
        transitionId: transition.id,
        pending,
        createdAt: at,
      },
      notices,
    );
    if (created) written++;
  }
  return { orgs: pendingByOrg.size, remindersWritten: written };
}

/**
 * Design §2: applications still undecided when the last batch closes lapse, which releases their
 * places; each freed place goes to the earliest waitlisted applicant in the same transaction.
 * Waitlisted ones lapse first, so that no place is handed to an applicant about to lapse.
 */
async function lapseUndecided(
  deps: Deps,
  programmeId: string,
  batchId: string,
  at: string,
  budget = LAPSES_PER_INVOCATION,
): Promise<{ lapsed: number; more: boolean }> {
  const undecided: ApplicationRecord[] = [];
  for (const status of undecidedStatuses) {
    undecided.push(...(await deps.applications.listByStatus(programmeId, status)));
  }
  const waitlistedFirst = (a: ApplicationRecord) => (a.quotaState === 'waitlisted' ? 0 : 1);
  undecided.sort((a, b) => waitlistedFirst(a) - waitlistedFirst(b) || (a.sequence ?? 0) - (b.sequence ?? 0));
  let lapsed = 0;
  for (const app of undecided.slice(0, budget)) {
    try {
      await deps.ledger.release({
        applicationId: app.id,
        status: 'lapsed',
        from: undecidedStatuses,
        at,
        // Audit trail: lapsed at the step it was waiting on, by the programme calendar.
        event: {
          type: 'lapsed',
          at,
          batchId,
          actor: 'calendar',
          ...(app.currentOrgId ? { orgId: app.currentOrgId } : {}),
        },
      });
      lapsed++;
    } catch (err) {
      // Decided, withdrawn or lapsed since the index was read (or by an earlier run): nothing to do.
      const settled =
        err instanceof ApplicationNotFound ||
        err instanceof ApplicationNotInState ||
        err instanceof PaymentsHeld;
      if (settled) continue;
      throw err;
    }
  }
  return { lapsed, more: undecided.length > budget };
}

async function batchReport(
  deps: Deps,
  programmeId: string,
  batchId: string,
  lastBatch: boolean,
  closedAt: string,
): Promise<BatchReport> {
  const counts: Record<string, number> = {};
  for (const status of reportedStatuses)
    counts[status] = await deps.applications.countByStatus(programmeId, status);
  const undecided = (counts.in_review ?? 0) + (counts.returned ?? 0);
  return {
    programmeId,
    batchId,
    closedAt,
    lastBatch,
    counts,
    carriedOver: lastBatch ? 0 : undecided,
    lapsed: lastBatch ? (counts.lapsed ?? 0) : 0,
  };
}

/**
 * Starts the programme's calendar execution — a no-op when the one for its current dates and
 * revision already runs — and records it on the programme. `npm start` calls this for every
 * programme after a restart: transitions already done are skipped.
 */
export async function startCalendar(deps: Deps, programmeId: string): Promise<string | undefined> {
  const found = await deps.programmes.get(programmeId);
  if (!found) return undefined;
  const name = calendarExecutionName(programmeId, found.programme, found.revision);
  const executionId = await deps.workflows().start('calendar', name, { programmeId });
  if (found.calendarExecution !== executionId)
    await deps.programmes.setCalendarExecution(programmeId, executionId);
  return executionId;
}

/**
 * After an edit of a programme: starts the calendar for the new dates and stops the one that ran
 * for the old dates. Starting first means no moment without a calendar; two running briefly side
 * by side is harmless, every transition being idempotent.
 */
export async function restartCalendar(
  deps: Deps,
  programmeId: string,
  previousExecution: string | undefined,
): Promise<string | undefined> {
  const executionId = await startCalendar(deps, programmeId);
  if (previousExecution && previousExecution !== executionId) {
    await deps.workflows().stop(previousExecution, 'programme dates changed');
  }
  return executionId;
}

/**
 * Standard executions end after a year: an old calendar execution starts its successor, records
 * it on the programme and ends. If the programme has meanwhile moved to another execution (an edit
 * restarted it), the successor is stopped again and this execution simply ends.
 */
export async function handOverCalendar(
  deps: Deps,
  programmeId: string,
  currentExecution: string,
  now: Date,
): Promise<{ handedOverTo: string | undefined }> {
  const found = await deps.programmes.get(programmeId);
  if (!found) return { handedOverTo: undefined };
  const name = calendarExecutionName(programmeId, found.programme, found.revision, shanghaiDate(now));
  const successor = await deps.workflows().start('calendar', name, { programmeId });
  if (await deps.programmes.replaceCalendarExecution(programmeId, currentExecution, successor)) {
    logger.info('calendar handed over', { programmeId });
    return { handedOverTo: successor };
  }
  await deps.workflows().stop(successor, 'the programme runs another calendar execution');
  return { handedOverTo: undefined };
}

/** Starts a calendar without failing the caller: a programme is published even if its calendar is not. */
export async function startCalendarSafely(deps: Deps, programmeId: string): Promise<string | undefined> {
  try {
    return await startCalendar(deps, programmeId);
  } catch (err) {
    logger.error('calendar start failed', { programmeId, ...errorSummary(err) });
    return undefined;
  }
}
