import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { s3EmulatorCredentials } from '../../shared/adapters/aws.ts';
import { attachmentsBucket } from '../../shared/adapters/bucket.ts';
import { createTableInput, tableDefinition } from '../../shared/adapters/table.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Creates the table and its indexes from the same definition the CDK stack uses, unless it exists;
 * with its stream unless `stream: false` (nothing will read it: see `createTableInput`).
 */
export async function ensureTable(
  endpoint: string,
  tableName: string,
  options: { stream?: boolean } = {},
): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials });
  try {
    const found = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A table from before the SMS outbox (a data directory kept across upgrades) gets its stream.
    if (options.stream !== false && !found.Table?.StreamSpecification?.StreamEnabled) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream },
        }),
      );
    }
  } catch (err) {
    if (!(err instanceof Error && err.name === 'ResourceNotFoundException')) throw err;
    await client.send(new CreateTableCommand(createTableInput(tableName, options)));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Creates the attachments bucket with its CORS rules, unless it exists. */
export async function ensureBucket(
  endpoint: string,
  bucketName: string,
  origins: readonly string[],
): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: s3EmulatorCredentials,
    forcePathStyle: true,
  });
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucketName }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucketName }));
  }
  await client.send(
    new PutBucketCorsCommand({
      Bucket: bucketName,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: [...origins],
            AllowedMethods: [...attachmentsBucket.cors.allowedMethods],
            AllowedHeaders: attachmentsBucket.cors.allowedHeaders,
            ExposeHeaders: attachmentsBucket.cors.exposedHeaders,
            MaxAgeSeconds: attachmentsBucket.cors.maxAgeSeconds,
          },
        ],
      },
    }),
  );
  client.destroy();
}
