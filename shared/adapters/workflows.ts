import type { SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowName } from '../workflows/asl.ts';

/** Starts and stops state machine executions: Step Functions in AWS, the local runner on a laptop. */
export interface WorkflowStarter {
  /** Starts an execution; a name already used returns the existing execution (idempotent). */
  start(workflow: WorkflowName, executionName: string, input: Record<string, unknown>): Promise<string>;
  /** Stops a running execution; stopping one that has ended changes nothing. */
  stop(executionId: string, cause: string): Promise<void>;
  /** `RUNNING`, `SUCCEEDED`, `FAILED`, `ABORTED` … or undefined if unknown. */
  status(executionId: string): Promise<string | undefined>;
}

let override: WorkflowStarter | undefined;
let stepFunctions: StepFunctionsStarter | undefined;

/**
 * The local stack registers its runner here before any handler starts a workflow. Returns a function
 * that unregisters it again — unless another starter has been registered since.
 */
export function useWorkflowStarter(starter: WorkflowStarter | undefined): () => void {
  override = starter;
  return () => {
    if (override === starter) override = undefined;
  };
}

/** The Step Functions SDK, imported on first use: few requests start or stop a workflow. */
const sfnSdk = () => import('@aws-sdk/client-sfn');

/** Step Functions, with the state machine ARNs from the environment CDK sets. */
export class StepFunctionsStarter implements WorkflowStarter {
  /** The SDK module and one client, from the first call on. */
  #loaded: Promise<{ client: SFNClient; commands: Awaited<ReturnType<typeof sfnSdk>> }> | undefined;

  constructor(private readonly arns: Record<WorkflowName, string | undefined>) {}

  #sdk() {
    this.#loaded ??= sfnSdk().then((commands) => ({ client: new commands.SFNClient({}), commands }));
    return this.#loaded;
  }

  async start(
    workflow: WorkflowName,
    executionName: string,
    input: Record<string, unknown>,
  ): Promise<string> {
    const stateMachineArn = this.arns[workflow];
    if (!stateMachineArn) throw new Error(`no state machine ARN configured for ${workflow}`);
    const { client, commands } = await this.#sdk();
    try {
      const out = await client.send(
        new commands.StartExecutionCommand({
          stateMachineArn,
          name: executionName,
          input: JSON.stringify(input),
        }),
      );
      return out.executionArn ?? '';
    } catch (err) {
      // Same name and input within 90 days: Step Functions' own idempotency; the execution exists.
      if (err instanceof Error && err.name === 'ExecutionAlreadyExists') {
        return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
      }
      throw err;
    }
  }

  async stop(executionId: string, cause: string): Promise<void> {
    const { client, commands } = await this.#sdk();
    try {
      await client.send(new commands.StopExecutionCommand({ executionArn: executionId, cause }));
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ExecutionDoesNotExist')) throw err;
    }
  }

  async status(executionId: string): Promise<string | undefined> {
    const { client, commands } = await this.#sdk();
    try {
      const out = await client.send(new commands.DescribeExecutionCommand({ executionArn: executionId }));
      return out.status;
    } catch (err) {
      if (err instanceof Error && err.name === 'ExecutionDoesNotExist') return undefined;
      throw err;
    }
  }
}

/** The registered local runner, or Step Functions (one client per cold start) with the ARNs CDK sets. */
export function workflowStarter(env: NodeJS.ProcessEnv = process.env): WorkflowStarter {
  if (override) return override;
  if (env !== process.env) return stepFunctionsFrom(env);
  stepFunctions ??= stepFunctionsFrom(env);
  return stepFunctions;
}

/** The environment variable that carries each state machine's ARN (CDK sets it, the starter reads it). */
export const stateMachineArnVariables: Record<WorkflowName, string> = {
  calendar: 'CALENDAR_STATE_MACHINE_ARN',
  'payout-run': 'PAYOUT_STATE_MACHINE_ARN',
};

function stepFunctionsFrom(env: NodeJS.ProcessEnv): StepFunctionsStarter {
  return new StepFunctionsStarter({
    calendar: env[stateMachineArnVariables.calendar],
    'payout-run': env[stateMachineArnVariables['payout-run']],
  });
}
