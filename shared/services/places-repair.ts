import { addDays, shanghaiDate } from '../domain/dates.ts';
import type { Deps } from './deps.ts';

/**
 * The repair pass of the places' waitlist joins (architecture.md §3, "The sequencer"), run by the
 * 15-minute schedule: in every programme whose application window is open or closed since yesterday
 * (joins are drawn only inside the window; the pass after it voids what the last one marked), a join
 * slot whose commit never came is given back. Answers the slots given back.
 */
export async function repairJoinDraws(deps: Deps, now: Date): Promise<number> {
  const since = addDays(shanghaiDate(now), -1);
  let voided = 0;
  for (const programme of await deps.programmes.list()) {
    const window = programme.applicationWindow;
    if (window.opensOn > shanghaiDate(now) || window.closesOn < since) continue;
    voided += await deps.ledger.repairProgrammeJoins(programme.id, now);
  }
  return voided;
}
