import type { Context } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import type { WorkflowStarter } from '../../shared/adapters/workflows.ts';
import { errorSummary, logger } from '../../shared/logger.ts';
import {
  type Asl,
  type FunctionArns,
  taskStates,
  type WorkflowFunction,
  type WorkflowName,
  workflowFunctionTimeoutSeconds,
} from '../../shared/workflows/asl.ts';
import { invokeLocally } from './invocation.ts';

/** A Task state's function: the handler export, called with a Lambda context as Lambda would. */
export type TaskHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalExecution {
  id: string;
  workflow: WorkflowName;
  name: string;
  input: Record<string, unknown>;
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
 *
 * Workflows still being written have no definition (or no handler) yet: the runner holds what
 * exists and refuses, by name, to start what does not.
 */
export class LocalWorkflowRunner implements WorkflowStarter {
  private readonly executions = new Map<string, LocalExecution>();
  /** Task invocations under way, so that stopping waits for them instead of cutting a write in half. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly definitions: Partial<Record<WorkflowName, Asl>>,
    private readonly arns: FunctionArns,
    private readonly handlers: Partial<Record<WorkflowFunction, TaskHandler>>,
    private readonly options: LocalRunnerOptions = {},
  ) {}

  async start(
    workflow: WorkflowName,
    executionName: string,
    input: Record<string, unknown>,
  ): Promise<string> {
    const id = `local:${workflow}:${executionName}`;
    const existing = this.executions.get(id);
    // Like Step Functions: a name already running (or done) is that execution. Unlike it, the name of
    // a stopped or failed execution may be used again, as a restarted calendar needs.
    if (existing && (existing.status === 'RUNNING' || existing.status === 'SUCCEEDED')) return id;
    const definition = this.definitions[workflow];
    if (!definition) throw new Error(`no local definition for workflow ${workflow}`);
    const byArn = new Map(
      Object.entries(this.arns).map(([fn, arn]) => [
        arn,
        { fn, handler: this.handlers[fn as WorkflowFunction] },
      ]),
    );
    type Json = Parameters<StateMachine['run']>[0];
    const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
    let execution: LocalExecution | undefined;
    for (const task of taskStates(definition)) {
      const { fn, handler } = byArn.get(task.resource) ?? {};
      if (!fn || !handler)
        throw new Error(`Task state ${task.name} calls ${task.resource}, which no local handler serves`);
      // The deployed function's timeout, which CDK derives from the same Task states.
      const timeout = workflowFunctionTimeoutSeconds(Object.values(this.definitions), task.resource);
      taskResourceLocalHandlers[task.name] = async (event) => {
        // The library retries a failed Task once its backoff ends, even after an abort: not here.
        if (execution?.status === 'ABORTED') throw new Error(`execution ${id} was stopped`);
        return (await this.track(invokeLocally(fn, timeout, (context) => handler(event, context)))) as Json;
      };
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
    execution = {
      id,
      workflow,
      name: executionName,
      input,
      status: 'RUNNING',
      abort: run.abort,
      result: run.result.then(
        (output) => {
          const self = execution as LocalExecution;
          if (self.status === 'RUNNING') self.status = output === null ? 'ABORTED' : 'SUCCEEDED';
          self.output = output;
          return output;
        },
        (err: unknown) => {
          const self = execution as LocalExecution;
          if (self.status === 'ABORTED') return undefined;
          self.status = 'FAILED';
          self.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          // The state's error and cause (names and messages of this code's errors, no personal data).
          logger.warn('local workflow failed', {
            workflow,
            executionName,
            failure: self.error.slice(0, 500),
            ...errorSummary(err),
          });
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
    await execution.result;
  }

  async status(executionId: string): Promise<string | undefined> {
    return this.executions.get(executionId)?.status;
  }

  /** Whether a Task invocation is under way: tests wait for quiet with this instead of sleeping. */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Waits for an execution to end; tests and benchmarks use it. */
  async settled(executionId: string): Promise<LocalExecution | undefined> {
    const execution = this.executions.get(executionId);
    if (!execution) return undefined;
    await execution.result;
    return execution;
  }

  /** Every execution this runner has started, in start order (stopped and failed ones included). */
  list(workflow?: WorkflowName): LocalExecution[] {
    return [...this.executions.values()].filter((e) => workflow === undefined || e.workflow === workflow);
  }

  /** Stops every running execution and waits for the task invocations under way (npm start's shutdown). */
  async stopAll(): Promise<void> {
    for (const id of [...this.executions.keys()]) await this.stop(id);
    // An aborted execution stops between states; a Task already running finishes its writes first.
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(task: Promise<T>): Promise<T> {
    this.inFlight.add(task);
    const forget = () => this.inFlight.delete(task);
    task.then(forget, forget);
    return task;
  }
}
