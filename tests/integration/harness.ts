import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../infra/local/stack.ts';
import { settableClock } from '../../shared/clock.ts';
import { type ApiResponse, type HttpCall, httpCaller } from '../support/http-call.ts';

export type { ApiResponse };

export interface TestStack extends LocalStack {
  /** The handlers' clock: real time from an offset the test moves (`advance`, `set`) instead of sleeping. */
  clock: ReturnType<typeof settableClock>;
  /** A bearer token for a caller, issued by the local dev authority. */
  token(claims: { sub: string; role: 'worker' | 'reviewer' | 'admin'; org?: string }): Promise<string>;
  call: HttpCall;
}

/**
 * The local stack as `npm start` runs it, on the emulators started by the global setup, with a
 * table and bucket of its own so test files never see each other's data.
 */
export async function startTestStack(
  options: {
    seed?: boolean;
    now?: Date;
    workflows?: LocalStackOptions['workflows'];
    payoutRail?: LocalStackOptions['payoutRail'];
    /** Print EMF metric lines (see `LocalStackOptions.metrics`). */
    metrics?: boolean;
    sms?: LocalStackOptions['sms'];
  } = {},
): Promise<TestStack> {
  const clock = settableClock();
  const suffix = randomBytes(4).toString('hex');
  const tableName = `edu-subsidy-${suffix}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'edu-subsidy-test-'));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    // Each file runs its own S3 emulator in-process, so its object-created events reach this stack.
    tableName,
    bucketName: `attachments-${suffix}`,
    seed: options.seed ?? true,
    ...(options.now ? { now: options.now } : {}),
    ...(options.workflows ? { workflows: options.workflows } : {}),
    ...(options.payoutRail ? { payoutRail: options.payoutRail } : {}),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    // SMS are delivered only for files that ask (`sms: { deliver: true }`); the outbox is written always.
    sms: { deliver: false, ...options.sms },
    clock,
  });
  return {
    ...stack,
    clock,
    // The data directory (signing key, S3 objects) belongs to this stack alone: remove it with the stack.
    // Its table too: DynamoDB Local keeps every table of the run in one in-memory database, and each
    // left behind (a rush leaves thousands of items and their stream records) slows the files after it.
    stop: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
      const db = new DynamoDBClient({
        endpoint: inject('dynamodbEndpoint'),
        region: 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      try {
        await db.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        db.destroy();
      }
    },
    token: (claims) => stack.auth.issue(claims),
    call: httpCaller(stack.url),
  };
}
