import { Logger } from '@aws-lambda-powertools/logger';
import { originalStack } from './source-stack.ts';

/**
 * Structured JSON logs, one object a line, by Powertools' Logger: every line of an invocation carries
 * the service, the function's name and request id, cold start and a correlation id once the handler's
 * middleware has injected them (`lambdaObservability()` in `shared/metrics.ts`). Callers pass only
 * non-personal fields: ids of routes, orgs, programmes, runs and applications, codes and timings —
 * never names, ID numbers, phones or account numbers (PIPL; `tests/integration/observability.test.ts`
 * runs a submit and checks).
 *
 * The level is `POWERTOOLS_LOG_LEVEL` or `LOG_LEVEL` (`debug`, `info`, `warn`, `error`, `silent`, in
 * either case; Powertools itself reads only upper case from the environment), `info` by default.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'edu-subsidy',
  logLevel: logLevelFromEnv(process.env),
});

function logLevelFromEnv(env: NodeJS.ProcessEnv) {
  const wanted = (env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL || 'info').toUpperCase();
  const known = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
  return (known as readonly string[]).includes(wanted) ? (wanted as (typeof known)[number]) : 'INFO';
}

/**
 * What of an unexpected error may be logged: its class and code, and the stack without the message,
 * its frames in the project's sources (`originalStack`).
 */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { errorType: typeof err };
  const frames = err.stack?.split('\n').slice(1, 8).join('\n');
  const stack = frames === undefined ? undefined : originalStack(frames);
  return { errorType: err.name, ...('code' in err ? { errorCode: String(err.code) } : {}), stack };
}
