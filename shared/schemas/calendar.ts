import * as z from 'zod/mini';
import { transitionKinds } from '../model/calendar.ts';
import { Slug } from './common.ts';
import { lazySchema } from './lazy.ts';

/** A transition as the calendar state machine passes it from `NextStep` to `ApplyTransition`. */
export const CalendarTransition = lazySchema(() =>
  z.object({
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    kind: z.enum(transitionKinds),
    batchId: z.optional(Slug),
    at: z.iso.datetime(),
  }),
);

/** Which execution asks: its id and start (`$$.Execution`), for the hand-over before the one-year limit. */
const ExecutionRef = lazySchema(() =>
  z.object({ id: z.string().check(z.minLength(1)), startedAt: z.iso.datetime({ offset: true }) }),
);

/** The calendar function's input: one of the three Task states of `calendarDefinition`. */
export const CalendarTaskEvent = lazySchema(() =>
  z.discriminatedUnion('action', [
    z.object({ action: z.literal('next'), programmeId: Slug, execution: z.optional(ExecutionRef) }),
    z.object({ action: z.literal('apply'), programmeId: Slug, transition: CalendarTransition }),
    z.object({ action: z.literal('handover'), programmeId: Slug, execution: ExecutionRef }),
  ]),
);
export type CalendarTaskEvent = z.infer<typeof CalendarTaskEvent>;
