import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

/**
 * Invocations of one function the local stack runs at once (see `invocationLimiter` in
 * `gateway/limiter.ts`); the rest wait their turn, as requests wait for a free container. Lambda runs
 * each invocation in a container of its own; here they share one event loop on a laptop's cores, and
 * more at once only stretches each: 500 submits at once took 3× longer at 64 than at 16, and the
 * receipts drawn waited so long before their transaction that three times as many arrived out of
 * order and were drawn again (architecture.md §3).
 */
export const LOCAL_FUNCTION_CONCURRENCY = 16;

const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');

type StoreContext = Record<string | symbol, unknown>;

/**
 * The store Lambda's runtime installs when invocations share a process (`InvokeStoreMulti` of
 * `@aws/lambda-invoke-store`, which that package does not export): each invocation's values live in
 * its own AsyncLocalStorage context.
 */
class LocalInvokeStore extends InvokeStoreBase {
  readonly als = new AsyncLocalStorage<StoreContext>();
  getContext() {
    return this.als.getStore();
  }
  hasContext() {
    return this.als.getStore() !== undefined;
  }
  get<T = unknown>(key: string | symbol): T | undefined {
    return this.als.getStore()?.[key] as T | undefined;
  }
  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key))
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    const context = this.als.getStore();
    if (!context) throw new Error('No context available');
    context[key] = value;
  }
  run<T>(context: StoreContext, fn: () => T): T {
    return this.als.run(context, fn);
  }
}

let store: InvokeStoreBase | undefined;

/**
 * Locally every function runs in this one process, many invocations at once, where Lambda would run
 * one per container. Powertools keeps what belongs to one invocation (the Lambda context and keys
 * its Logger adds, the metrics it has not flushed yet) per invocation only when the runtime says
 * invocations share a process — `AWS_LAMBDA_MAX_CONCURRENCY`, as on Lambda Managed Instances — and
 * each invocation runs in its own InvokeStore context. Without this, one request's keys and metrics
 * would be flushed with another's. Call before the handlers run; idempotent.
 *
 * The AWS SDK makes the process's store on its first call when there is none, of the single-invocation
 * kind unless the variable was already set — as when a test or the bench reached DynamoDB before
 * starting a stack — and keeps it for itself; that one would hand every invocation the same state, so
 * it is replaced here (the SDK only reads trace headers from it).
 */
export function isolateInvocations(): InvokeStoreBase {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= String(LOCAL_FUNCTION_CONCURRENCY);
  const global = globalThis as { awslambda?: { InvokeStore?: InvokeStoreBase } };
  global.awslambda ??= {};
  const current = global.awslambda.InvokeStore;
  if (current && 'als' in current) store = current;
  store ??= new LocalInvokeStore();
  global.awslambda.InvokeStore = store;
  return store;
}

/**
 * One invocation of a local function, as Lambda makes it: a Lambda context named after the deployed
 * function (`edu-subsidy-<name>`) with a fresh request id, in an InvokeStore context of its own (see
 * {@link isolateInvocations}). The gateway, the S3 notification and the Step Functions runner all
 * call handlers through this.
 */
export async function invokeLocally<T>(
  name: string,
  timeoutSeconds: number,
  call: (context: Context) => Promise<T>,
): Promise<T> {
  const scoped = isolateInvocations();
  const awsRequestId = randomUUID();
  return scoped.run({ [REQUEST_ID]: awsRequestId }, () =>
    call(lambdaContext(name, timeoutSeconds, awsRequestId)),
  );
}

/**
 * The Lambda context of one invocation of a local function, named as the deployed one would be, with
 * the deployed function's timeout (`FUNCTION_TIMEOUT_SECONDS`, or a workflow function's from its Task
 * states) counting down from now, as `getRemainingTimeInMillis` does in Lambda.
 */
export function lambdaContext(
  name: string,
  timeoutSeconds: number,
  awsRequestId: string = randomUUID(),
): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `edu-subsidy-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:edu-subsidy-${name}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/edu-subsidy-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
