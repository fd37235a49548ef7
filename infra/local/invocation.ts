import { randomUUID } from 'node:crypto';
import { InvokeStore, type InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

/**
 * Invocations of one function the local stack runs at once (see `invocationLimiter` in
 * `gateway/limiter.ts`). Past about 50 nothing gets faster: each handler's DynamoDB client has 50
 * sockets.
 */
export const LOCAL_FUNCTION_CONCURRENCY = 64;

const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
let store: Promise<InvokeStoreBase> | undefined;

/**
 * Locally every function runs in this one process, many invocations at once, where Lambda would run
 * one per container. Powertools keeps what belongs to one invocation (the Lambda context and keys
 * its Logger adds, the metrics it has not flushed yet) per invocation only when the runtime says
 * invocations share a process — `AWS_LAMBDA_MAX_CONCURRENCY`, as on Lambda Managed Instances — and
 * each invocation runs in its own InvokeStore context. Without this, one request's keys and metrics
 * would be flushed with another's. Call before the handlers run; idempotent.
 */
export function isolateInvocations(): Promise<InvokeStoreBase> {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= String(LOCAL_FUNCTION_CONCURRENCY);
  store ??= (async () => {
    // The AWS SDK makes the process's store on its first call when there is none, and makes the
    // single-invocation kind (no AsyncLocalStorage) when the variable above was not yet set — as in
    // a test that reached DynamoDB before starting a stack. That one would hand every invocation the
    // same state: replace it (the SDK only reads trace headers from it).
    const global = globalThis as { awslambda?: { InvokeStore?: object } };
    if (global.awslambda?.InvokeStore && !('als' in global.awslambda.InvokeStore))
      delete global.awslambda.InvokeStore;
    const multi = await InvokeStore.getInstanceAsync(true);
    if (!('als' in multi)) throw new Error('the local InvokeStore cannot keep invocations apart');
    return multi;
  })();
  return store;
}

/**
 * One invocation of a local function, as Lambda makes it: a Lambda context named after the deployed
 * function (`edu-subsidy-<name>`) with a fresh request id, in an InvokeStore context of its own (see
 * {@link isolateInvocations}). The gateway, the S3 notification and the Step Functions runner all
 * call handlers through this.
 */
export async function invokeLocally<T>(name: string, call: (context: Context) => Promise<T>): Promise<T> {
  const scoped = await isolateInvocations();
  const awsRequestId = randomUUID();
  return scoped.run({ [REQUEST_ID]: awsRequestId }, () => call(lambdaContext(name, awsRequestId)));
}

/** The Lambda context of one invocation of a local function, named as the deployed one would be. */
export function lambdaContext(name: string, awsRequestId: string = randomUUID()): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `edu-subsidy-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:edu-subsidy-${name}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/edu-subsidy-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
