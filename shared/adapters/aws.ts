import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.ts';
import {
  injectItemThrottling,
  injectTransactionConflicts,
  recordConsumedCapacity,
} from './fault-injection.ts';

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** The S3 emulator accepts only its own well-known key pair. */
export const s3EmulatorCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The document client every repository uses; built once per cold start. */
export function createDocumentClient(config: Config): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint, credentials: localCredentials } : {}),
    maxAttempts: 3,
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  // The local stage's fault injection and capacity records (tests, bench). A deployed function's
  // bundle defines EDU_BUNDLED_FOR_AWS (`functionBundling`), so the bundler drops this block and the
  // module it calls.
  if (process.env.EDU_BUNDLED_FOR_AWS !== 'true' && config.stage === 'local') {
    if (config.injectTransactionConflictRate > 0) {
      injectTransactionConflicts(client, { rate: config.injectTransactionConflictRate });
    }
    if (config.injectItemWritesPerSecond > 0) {
      injectItemThrottling(client, { writesPerSecond: config.injectItemWritesPerSecond });
    }
    if (config.recordConsumedCapacity) recordConsumedCapacity(client);
  }
  return doc;
}

/**
 * S3 client. `WHEN_REQUIRED` keeps presigned requests free of a checksum of an empty body; the
 * emulator needs path-style addressing. The S3 SDK is loaded here, on first use, not when a function
 * starts: most requests never touch a document (docs/benchmarks.md, cold start).
 */
export async function createS3Client(config: Config): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    region: config.region,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(config.s3Endpoint
      ? { endpoint: config.s3Endpoint, forcePathStyle: true, credentials: s3EmulatorCredentials }
      : {}),
  });
}
