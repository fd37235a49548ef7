/**
 * Each Lambda function's timeout, in seconds. The CDK stack sets them, and the local stack gives its
 * handlers the same deadline (`lambdaContext` in `local/invocation.ts`), so that code reading the
 * remaining time — middy's early timeout first of all, which fails an invocation just before it — ends
 * an invocation locally where it would end deployed. The workflow functions' timeouts follow their
 * Task states (`workflowFunctionTimeoutSeconds` in shared/workflows/asl.ts).
 */
export const FUNCTION_TIMEOUT_SECONDS = {
  /**
   * The API's route functions. API Gateway's HTTP API waits at most 30 s for an integration; a
   * submit gives up on a contended unit after 26 s (`SUBMIT_BUDGET_MS`) to answer 429 before that.
   */
  api: 29,
  /** Verifying one uploaded document. */
  'attachment-events': 30,
  /** Delivering a batch of the SMS outbox from the table stream. */
  notify: 60,
  /** Re-driving deferred SMS and queueing the reviewers' daily counts. */
  'notify-schedule': 300,
} as const;
