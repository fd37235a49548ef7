import { type Asl, type FunctionArns, lambdaRetry } from './asl.ts';

/** Longest run of one Task of the calendar function, in seconds (its Lambda timeout in CDK too). */
export const CALENDAR_TASK_TIMEOUT_SECONDS = 300;

/**
 * The programme calendar (architecture.md §4): one Standard execution per published programme, input
 * `{programmeId}`. It asks the calendar function what comes next, applies a due transition, or waits
 * until the next boundary (TimestampPath, at most a week at a time) and asks again.
 *
 * The function reads the programme's dates on every step, so the loop itself holds no dates, and
 * each transition is idempotent, so a retried or repeated step changes nothing twice. An execution
 * that nears Step Functions' one-year limit hands over to a successor and ends.
 */
export function calendarDefinition(arns: FunctionArns): Asl {
  const task = (parameters: Record<string, unknown>) => ({
    Type: 'Task',
    Resource: arns.calendar,
    Parameters: parameters,
    TimeoutSeconds: CALENDAR_TASK_TIMEOUT_SECONDS,
    Retry: lambdaRetry(),
  });
  const execution = { 'id.$': '$$.Execution.Id', 'startedAt.$': '$$.Execution.StartTime' };
  return {
    Comment: 'edu-subsidy programme calendar: batches open and close, reminders, lapses, payout runs due',
    StartAt: 'NextStep',
    States: {
      NextStep: {
        ...task({ action: 'next', 'programmeId.$': '$.programmeId', execution }),
        ResultPath: '$.step',
        Next: 'WhatNext',
      },
      WhatNext: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.step.done', IsPresent: true, Next: 'Done' },
          { Variable: '$.step.due', IsPresent: true, Next: 'ApplyTransition' },
          { Variable: '$.step.handOver', IsPresent: true, Next: 'HandOver' },
        ],
        Default: 'WaitForBoundary',
      },
      WaitForBoundary: { Type: 'Wait', TimestampPath: '$.step.waitUntil', Next: 'NextStep' },
      ApplyTransition: {
        ...task({ action: 'apply', 'programmeId.$': '$.programmeId', 'transition.$': '$.step.due' }),
        ResultPath: null,
        Next: 'NextStep',
      },
      HandOver: {
        ...task({ action: 'handover', 'programmeId.$': '$.programmeId', execution }),
        ResultPath: null,
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  };
}
