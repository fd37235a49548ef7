import middy from '@middy/core';
import { loadConfig } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { lambdaObservability } from '../shared/metrics.ts';
import { CalendarTaskEvent } from '../shared/schemas/calendar.ts';
import { runCalendarTask } from '../shared/services/calendar.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import * as repositories from '../shared/services/repositories.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  applications: repositories.applications,
  calendar: repositories.calendar,
  ledger: repositories.ledger,
  outbox: repositories.outbox,
  payouts: repositories.payouts,
  programmes: repositories.programmes,
});

/**
 * The Task states of the programme calendar state machine (`shared/workflows/calendar.ts`): what
 * comes next, apply a due transition, hand over to a successor. Locally the runner calls this same
 * export for each Task state.
 */
async function calendarTask(event: unknown) {
  const task = CalendarTaskEvent.parse(event);
  // Every line of this task names its programme, so an operator can follow one calendar.
  logger.appendKeys({ programmeId: task.programmeId, action: task.action });
  const result = await runCalendarTask(deps, task, deps.clock.now());
  logger.debug('calendar task');
  return result;
}

export const handler = middy(calendarTask).use(lambdaObservability());
