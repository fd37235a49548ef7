/**
 * Amazon States Language, as plain data. Each workflow's definition is built by one pure function
 * (`calendar.ts`, `payout-run.ts`); CDK deploys it with the real Lambda ARNs and the local runner
 * executes the very same JSON with each Task state mapped to the same handler code.
 */
export interface Asl {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

export type AslState = { Type: string } & Record<string, unknown>;

/** The Lambda functions workflow Task states call (one handler export each, `functions/<name>.ts`). */
export const workflowFunctions = ['calendar', 'payouts'] as const;
export type WorkflowFunction = (typeof workflowFunctions)[number];
export type FunctionArns = Record<WorkflowFunction, string>;

/** The state machines, by name. */
export const workflowNames = ['calendar', 'payout-run'] as const;
export type WorkflowName = (typeof workflowNames)[number];

/** Stand-in ARNs for the local runner, which maps them back to handler code. */
export function localFunctionArns(): FunctionArns {
  return Object.fromEntries(
    workflowFunctions.map((fn) => [fn, `arn:aws:lambda:cn-north-1:000000000000:function:edu-subsidy-${fn}`]),
  ) as FunctionArns;
}

/** Every Task state of a definition (nested Map and Parallel states included) with the resource it calls. */
export function taskStates(asl: Pick<Asl, 'States'>): { name: string; resource: string }[] {
  const found: { name: string; resource: string }[] = [];
  for (const [name, state] of Object.entries(asl.States)) {
    if (state.Type === 'Task' && typeof state.Resource === 'string')
      found.push({ name, resource: state.Resource });
    const nested = (state.ItemProcessor ?? state.Iterator) as Asl | undefined;
    if (nested?.States) found.push(...taskStates(nested));
    for (const branch of (state.Branches as Asl[] | undefined) ?? []) found.push(...taskStates(branch));
  }
  return found;
}

/**
 * A workflow function's Lambda timeout: as long as the longest Task state calling it (`resource`) may
 * wait for it (its `TimeoutSeconds`, 60 when unset), so that a Lambda timeout never outlives its
 * Task; at least 60 s, at most Lambda's 900 s. The CDK stack sets it, and the local runner gives the
 * function's handlers the same deadline.
 */
export function workflowFunctionTimeoutSeconds(
  definitions: readonly (Pick<Asl, 'States'> | undefined)[],
  resource: string,
): number {
  const timeouts = definitions.flatMap((definition) =>
    definition
      ? taskStates(definition)
          .filter((t) => t.resource === resource)
          .map((t) => taskTimeout(definition, t.name))
      : [],
  );
  return Math.min(900, Math.max(60, ...timeouts));
}

/** A Task state's `TimeoutSeconds`, nested Map and Parallel states included (60 when unset). */
function taskTimeout(asl: Pick<Asl, 'States'>, name: string): number {
  for (const [stateName, state] of Object.entries(asl.States)) {
    if (stateName === name && typeof state.TimeoutSeconds === 'number') return state.TimeoutSeconds;
    const nested = (state.ItemProcessor ?? state.Iterator) as Asl | undefined;
    const inner = [...(nested ? [nested] : []), ...((state.Branches as Asl[] | undefined) ?? [])];
    for (const branch of inner) {
      const found = taskTimeout(branch, name);
      if (found !== 60) return found;
    }
  }
  return 60;
}

/** Retry policy for a Lambda Task: transient Lambda faults and the task's own errors, with jittered backoff. */
export function lambdaRetry(maxAttempts = 6, intervalSeconds = 2) {
  return [
    {
      ErrorEquals: [
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.TooManyRequestsException',
      ],
      IntervalSeconds: 1,
      MaxAttempts: 6,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    },
    {
      ErrorEquals: ['States.TaskFailed'],
      IntervalSeconds: intervalSeconds,
      MaxAttempts: maxAttempts,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    },
  ];
}
