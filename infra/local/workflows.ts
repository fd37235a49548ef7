import { StateMachine } from 'aws-local-stepfunctions';
import type { WorkflowStarter } from '../../shared/adapters/workflows.ts';
import { errorSummary, logger } from '../../shared/logger.ts';
import {
  type Asl,
  type FunctionArns,
  taskStates,
  type WorkflowFunction,
  type WorkflowName,
} from '../../shared/workflows/asl.ts';

type TaskHandler = (event: unknown) => Promise<unknown>;

interface LocalExecution {
  id: string;
  workflow: WorkflowName;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  result: Promise<unknown>;
  output?: unknown;
  error?: string;
  abort: () => void;
}

export interface LocalRunnerOptions {
  /** Milliseconds per Wait state name, e.g. `{ WaitForBoundary: 0 }` in tests. */
  waitTimeOverrides?: Record<string, number>;
  /** Milliseconds per retrying state name. */
  retryIntervalOverrides?: Record<string, number | number[]>;
}

/**
 * The local stand-in for Step Functions: runs the same ASL the CDK stack deploys through
 * `aws-local-stepfunctions`, with every Task state mapped to the handler export its ARN names.
 * Executions live in memory; idempotent transitions let `npm start` simply start them again.
 */
export class LocalWorkflowRunner implements WorkflowStarter {
  private readonly executions = new Map<string, LocalExecution>();

  constructor(
    private readonly definitions: Record<WorkflowName, Asl>,
    private readonly arns: FunctionArns,
    private readonly handlers: Record<WorkflowFunction, TaskHandler>,
    private readonly options: LocalRunnerOptions = {},
  ) {}

  async start(
    workflow: WorkflowName,
    executionName: string,
    input: Record<string, unknown>,
  ): Promise<string> {
    const id = `local:${workflow}:${executionName}`;
    const existing = this.executions.get(id);
    if (existing) return id;
    const definition = this.definitions[workflow];
    const byArn = new Map(
      Object.entries(this.arns).map(([fn, arn]) => [arn, this.handlers[fn as WorkflowFunction]]),
    );
    type Json = Parameters<StateMachine['run']>[0];
    const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const task of taskStates(definition)) {
      const handler = byArn.get(task.resource);
      if (!handler)
        throw new Error(`Task state ${task.name} calls ${task.resource}, which no local handler serves`);
      taskResourceLocalHandlers[task.name] = (event) => handler(event) as Promise<Json>;
    }
    const machine = new StateMachine(definition as never, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    const run = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers,
        ...(this.options.waitTimeOverrides ? { waitTimeOverrides: this.options.waitTimeOverrides } : {}),
        ...(this.options.retryIntervalOverrides
          ? { retryIntervalOverrides: this.options.retryIntervalOverrides }
          : {}),
      },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: id, Name: executionName, Input: input as Json, StartTime: new Date().toISOString() },
      },
    });
    const execution: LocalExecution = {
      id,
      workflow,
      status: 'RUNNING',
      abort: run.abort,
      result: run.result.then(
        (output) => {
          if (execution.status === 'RUNNING') execution.status = output === null ? 'ABORTED' : 'SUCCEEDED';
          execution.output = output;
          return output;
        },
        (err: unknown) => {
          execution.status = 'FAILED';
          execution.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          logger.warn('local workflow failed', { workflow, executionName, ...errorSummary(err) });
          return undefined;
        },
      ),
    };
    this.executions.set(id, execution);
    return id;
  }

  async stop(executionId: string): Promise<void> {
    const execution = this.executions.get(executionId);
    if (execution?.status !== 'RUNNING') return;
    execution.status = 'ABORTED';
    execution.abort();
    // A stopped execution's name may be used again, as a restarted calendar needs.
    this.executions.delete(executionId);
  }

  async status(executionId: string): Promise<string | undefined> {
    return this.executions.get(executionId)?.status;
  }

  /** Waits for an execution to end; tests and benchmarks use it. */
  async settled(executionId: string): Promise<LocalExecution | undefined> {
    const execution = this.executions.get(executionId);
    if (!execution) return undefined;
    await execution.result;
    return execution;
  }

  /** Stops every running execution (npm start's shutdown). */
  async stopAll(): Promise<void> {
    for (const id of [...this.executions.keys()]) await this.stop(id);
  }
}
