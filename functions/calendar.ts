import { loadConfig } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { CalendarTaskEvent } from '../shared/schemas/calendar.ts';
import { runCalendarTask } from '../shared/services/calendar.ts';
import { createDeps } from '../shared/services/deps.ts';

const deps = createDeps(loadConfig());

/**
 * The Task states of the programme calendar state machine (`shared/workflows/calendar.ts`): what
 * comes next, apply a due transition, hand over to a successor. Locally the runner calls this same
 * export for each Task state.
 */
export const handler = async (event: unknown) => {
  const task = CalendarTaskEvent.parse(event);
  const result = await runCalendarTask(deps, task, new Date());
  logger.debug('calendar task', { action: task.action, programmeId: task.programmeId });
  return result;
};
