import { subscribe } from 'node:diagnostics_channel';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import { logger } from './logger.ts';

/**
 * The business figures an operator watches, as CloudWatch metrics in the Embedded Metric Format
 * (one JSON line per invocation on stdout, which Lambda's log group turns into metrics; no API call).
 * Each counts events, in namespace `POWERTOOLS_METRICS_NAMESPACE` (default `EduSubsidy`) with the
 * `service` dimension.
 */
export const businessMetricNames = [
  /** A submission accepted (R8 先到先得): a place claimed or a waitlist position taken. */
  'ApplicationsSubmitted',
  'PlacesClaimed',
  'WaitlistJoined',
  /** DynamoDB `TransactionConflict`s the retry loop absorbed (architecture.md §3). */
  'TransactionConflictsRetried',
  /** Review decisions (R12), each kind on its own, and applications approved by the top of the chain. */
  'DecisionsApproved',
  'DecisionsRejected',
  'DecisionsReturned',
  'ApplicationsApproved',
  /** Payment instructions settled by a rail or a bank result import (R7). */
  'PaymentsPaid',
  'PaymentsFailed',
] as const;
export type BusinessMetric = (typeof businessMetricNames)[number];

let instance: Metrics | undefined;

/**
 * The persistence layer counts each transaction conflict it retried on its observer's channel
 * (`observer.ts`); every process that runs a handler turns those into `TransactionConflictsRetried`
 * for the invocation under way, so the adapters need not know about Metrics.
 */
subscribe('edu-subsidy:counts', (message) => {
  const { name, n } = message as { name: string; n: number };
  if (name === 'retry.transactionConflicts') countBusiness('TransactionConflictsRetried', n);
});

/**
 * The process's Metrics, built on first use — by a function module at its cold start, so that the
 * local stack can say before it loads the handlers whether EMF lines are printed
 * (`POWERTOOLS_METRICS_DISABLED`, read when built).
 */
export function metrics(): Metrics {
  instance ??= new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'EduSubsidy',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'edu-subsidy',
    logger: {
      debug: logger.debug.bind(logger),
      info: logger.info.bind(logger),
      error: logger.error.bind(logger),
      // Most invocations count nothing; Powertools warns of that at every flush, which would put a
      // warning in every request's log. It stays visible at debug.
      warn: (message: string, ...rest: unknown[]) =>
        message.startsWith('No application metrics')
          ? logger.debug(message)
          : logger.warn(message, ...(rest as [])),
    },
  });
  return instance;
}

/**
 * Counts business events in the current invocation; they are flushed as one EMF line when it ends.
 * The port services call (directly or through {@link businessMetricsObserver}).
 *
 * @example countBusiness('PaymentsPaid', result.paid)
 */
export function countBusiness(name: BusinessMetric, count = 1): void {
  if (count > 0) metrics().addMetric(name, MetricUnit.Count, count);
}

/** The same port as an object, for code that takes its observer as a dependency. */
export const businessMetricsObserver = { count: countBusiness };
export type BusinessMetricsObserver = typeof businessMetricsObserver;

/** What a submit's answer says about the place (`quota.state`), counted. */
export function countSubmitted(result: { quota: { state: string } }): void {
  countBusiness('ApplicationsSubmitted');
  if (result.quota.state === 'claimed') countBusiness('PlacesClaimed');
  if (result.quota.state === 'waitlisted') countBusiness('WaitlistJoined');
}

const decisionMetric = {
  approve: 'DecisionsApproved',
  reject: 'DecisionsRejected',
  return: 'DecisionsReturned',
} as const satisfies Record<string, BusinessMetric>;

/** One review decision and what it made of the application, counted. */
export function countDecision(decision: keyof typeof decisionMetric, result: { status: string }): void {
  countBusiness(decisionMetric[decision]);
  if (result.status === 'approved') countBusiness('ApplicationsApproved');
}

/**
 * The middleware every handler starts with (Powertools for AWS Lambda): the Logger's Lambda context
 * (function name and request id, cold start) with the keys an invocation appends cleared after it,
 * and the invocation's metrics flushed as EMF when it ends, with a `ColdStart` metric on the first.
 *
 * @example export const handler = middy(run).use(lambdaObservability());
 */
export function lambdaObservability(): middy.MiddlewareObj[] {
  return [
    injectLambdaContext(logger, { resetKeys: true }) as middy.MiddlewareObj,
    logMetrics(metrics(), { captureColdStartMetric: true }) as middy.MiddlewareObj,
  ];
}
