/**
 * Runtime configuration, read once from the environment at cold start. In AWS the CDK stack sets
 * these; locally `npm start` and the tests set them before loading the handlers.
 */
export interface Config {
  tableName: string;
  bucketName: string;
  region: string;
  /** Set only locally: DynamoDB Local's endpoint. */
  dynamodbEndpoint: string | undefined;
  /** Set only locally: the S3 emulator's endpoint. */
  s3Endpoint: string | undefined;
  stage: 'local' | 'aws';
  /** Locally: where the field-encryption key file lives. */
  dataDir: string | undefined;
  /** In AWS: the KMS key for data keys and the HMAC key for lookup hashes (personal data, PIPL). */
  fieldKeyId: string | undefined;
  fieldHmacKeyId: string | undefined;
  /**
   * Local stage only: the share of DynamoDB transactions to fail with `TransactionConflict` before they
   * are sent, as real DynamoDB does under contention (tests and benchmarks of the retry path).
   */
  injectTransactionConflictRate: number;
  /**
   * Local stage only: write units a second any single item takes before the rest are throttled
   * (`ThrottlingException`; a write in a transaction is two), as DynamoDB throttles a hot item
   * (benchmarks of sharded units); 0: none.
   */
  injectItemWritesPerSecond: number;
  /** Local stage only: record the consumed capacity of every DynamoDB call (measurements). */
  recordConsumedCapacity: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const tableName = env.TABLE_NAME;
  const bucketName = env.BUCKET_NAME;
  if (!tableName || !bucketName) {
    throw new Error('TABLE_NAME and BUCKET_NAME must be set');
  }
  return {
    tableName,
    bucketName,
    region: env.AWS_REGION ?? 'cn-north-1',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    s3Endpoint: env.S3_ENDPOINT || undefined,
    stage: env.STAGE === 'local' ? 'local' : 'aws',
    dataDir: env.DATA_DIR || undefined,
    fieldKeyId: env.FIELD_KEY_ID || undefined,
    fieldHmacKeyId: env.FIELD_HMAC_KEY_ID || undefined,
    injectTransactionConflictRate:
      env.STAGE === 'local' ? Number(env.INJECT_TRANSACTION_CONFLICT_RATE ?? 0) || 0 : 0,
    injectItemWritesPerSecond:
      env.STAGE === 'local' ? Number(env.INJECT_ITEM_WRITES_PER_SECOND ?? 0) || 0 : 0,
    recordConsumedCapacity: env.STAGE === 'local' && env.RECORD_CONSUMED_CAPACITY === '1',
  };
}
