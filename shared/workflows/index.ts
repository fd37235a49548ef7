import {
  type Asl,
  type FunctionArns,
  taskStates,
  type WorkflowFunction,
  type WorkflowName,
  workflowFunctions,
} from './asl.ts';
import { calendarDefinition } from './calendar.ts';
import { payoutRunDefinition } from './payout-run.ts';

/**
 * The state machines this build deploys, by name: CDK creates one Standard state machine per
 * entry and the local runner runs the same definitions. A name of `workflowNames` without an
 * entry (a workflow still being written) is skipped by both.
 */
export function workflowDefinitions(arns: FunctionArns): Partial<Record<WorkflowName, Asl>> {
  return {
    calendar: calendarDefinition(arns),
    'payout-run': payoutRunDefinition(arns),
  };
}

/** The task functions the registered workflows call (`functions/<name>.ts` each), in `workflowFunctions` order. */
export function workflowFunctionsInUse(): WorkflowFunction[] {
  const marker = Object.fromEntries(workflowFunctions.map((fn) => [fn, `fn:${fn}`])) as FunctionArns;
  const used = new Set(
    Object.values(workflowDefinitions(marker)).flatMap((asl) =>
      asl ? taskStates(asl).map((t) => t.resource) : [],
    ),
  );
  return workflowFunctions.filter((fn) => used.has(marker[fn]));
}
