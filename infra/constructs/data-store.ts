import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { attachmentsBucket } from '../../shared/adapters/bucket.ts';
import { KMS_ENCRYPTION_CONTEXT } from '../../shared/adapters/field-cipher.ts';
import type { RailName } from '../../shared/adapters/rails/rail.ts';
import { type KeyAttribute, tableDefinition } from '../../shared/adapters/table.ts';
import { acknowledge, attRef } from './nag.ts';

export interface DataStoreProps {
  /** Receives the attachments bucket's server access logs. */
  accessLogBucket: IBucket;
  /** The rail payout runs pay with: deployment configuration, never a request field. */
  payoutRail: RailName;
  /** A stage explicitly marked for tests (the only kind allowed the sandbox rail). */
  testStage: boolean;
}

/**
 * Acknowledges a finding on the role a grant lands in (a grant's policy hangs below the role, not
 * below the function or state machine that was granted).
 */
function acknowledgeOnPrincipal(grantee: IGrantable, rule: string, reason: string, findings: string[]) {
  const principal = grantee.grantPrincipal;
  if (principal instanceof Construct) acknowledge(principal, rule, reason, findings);
}

const attributeType = (key: KeyAttribute) => ({ S: AttributeType.STRING, N: AttributeType.NUMBER })[key.type];

/** Reading items: single items, batches, queries (transactional reads are checked as GetItem). */
const tableReadActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/** Writing items: single items, batches, and the parts of a transaction. */
const tableWriteActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/** S3 actions a function may hold on application documents (`applications/*`). */
export type DocumentAction =
  | 's3:GetObject'
  | 's3:GetObjectVersion'
  | 's3:PutObject'
  | 's3:DeleteObject'
  | 's3:DeleteObjectVersion'
  | 's3:ListBucket';
const documentActions: readonly DocumentAction[] = [
  's3:GetObject',
  // Verification reads back exactly the version it measured.
  's3:GetObjectVersion',
  's3:PutObject',
  's3:DeleteObject',
  // An upload replacing a verified document is deleted as that version, so no copy of it lingers.
  's3:DeleteObjectVersion',
  's3:ListBucket',
];
/** S3 actions a function may hold on bank batch files (`payouts/*`). */
export type PayoutFileAction = 's3:GetObject' | 's3:PutObject';
/** What a function does with the personal-data keys. */
export type FieldKeyUse = 'encrypt' | 'decrypt' | 'hash';

/**
 * The data of the platform (architecture.md §6): the one DynamoDB table, the attachments bucket, and the
 * KMS keys that protect personal data. Everything here is RETAIN: deleting the stack never deletes
 * an application, a document or the key that decrypts them.
 */
export class DataStore extends Construct {
  readonly table: Table;
  readonly attachments: Bucket;
  /** Encrypts the attachments bucket (SSE-KMS with a bucket key). */
  readonly attachmentsKey: Key;
  /** Field-level encryption of ID and account numbers (PIPL): data keys are generated from it. */
  readonly fieldKey: Key;
  /** The HMAC key of the lookup hashes of ID numbers (R8 lookups without decrypting). */
  readonly fieldHmacKey: Key;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: DataStoreProps,
  ) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    // One source with DynamoDB Local: keys, indexes and TTL all come from `tableDefinition`.
    this.table = new Table(this, 'Table', {
      partitionKey: {
        name: tableDefinition.partitionKey.name,
        type: attributeType(tableDefinition.partitionKey),
      },
      sortKey: { name: tableDefinition.sortKey.name, type: attributeType(tableDefinition.sortKey) },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      // The SMS outbox is delivered from the stream (architecture.md §9): new images only.
      stream: StreamViewType[tableDefinition.stream],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableDefinition.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey) },
        sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey) },
        projectionType: ProjectionType.ALL,
      });
    }

    this.fieldKey = new Key(this, 'FieldKey', {
      description: 'edu-subsidy: field-level encryption of ID and account numbers',
      alias: `alias/${stackName}/field`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // HMAC keys cannot rotate automatically — and must not: a new key would change every lookup hash.
    this.fieldHmacKey = new Key(this, 'FieldHmacKey', {
      description: 'edu-subsidy: HMAC of the lookup hashes of ID numbers',
      alias: `alias/${stackName}/field-hmac`,
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.attachmentsKey = new Key(this, 'AttachmentsKey', {
      description: 'edu-subsidy: encryption of uploaded application documents',
      alias: `alias/${stackName}/attachments`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.attachments = new Bucket(this, 'Attachments', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.attachmentsKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'attachments/',
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(attachmentsBucket.noncurrentVersionDays),
        },
        {
          id: 'abort-incomplete-multipart',
          abortIncompleteMultipartUploadAfter: Duration.days(attachmentsBucket.abortIncompleteUploadDays),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** What every function needs to find the data (read by `loadConfig`). */
  functionEnvironment(): Record<string, string> {
    return {
      TABLE_NAME: this.table.tableName,
      BUCKET_NAME: this.attachments.bucketName,
      FIELD_KEY_ID: this.fieldKey.keyId,
      FIELD_HMAC_KEY_ID: this.fieldHmacKey.keyId,
      // In AWS money moves through the bank: the sandbox rail is for laptops and test stages.
      PAYOUT_RAIL: this.props.payoutRail,
      ...(this.props.testStage ? { TEST_STAGE: 'true' } : {}),
    };
  }

  /**
   * Lets browsers on these origins upload with the presigned POST and read with presigned GETs.
   * Called once the web origins are known (the CloudFront domain exists only after the
   * distribution does).
   */
  allowBrowserOrigins(origins: readonly string[]): void {
    this.attachments.addCorsRule({
      allowedOrigins: [...origins],
      allowedMethods: attachmentsBucket.cors.allowedMethods.map((method) => HttpMethods[method]),
      allowedHeaders: [...attachmentsBucket.cors.allowedHeaders],
      exposedHeaders: [...attachmentsBucket.cors.exposedHeaders],
      maxAge: attachmentsBucket.cors.maxAgeSeconds,
    });
  }

  /** Item reads on the table and on each of its indexes, named one by one (no wildcards). */
  grantTableRead(grantee: IGrantable): void {
    const indexArns = tableDefinition.globalSecondaryIndexes.map(
      (index) => `${this.table.tableArn}/index/${index.indexName}`,
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: tableReadActions, resources: [this.table.tableArn, ...indexArns] }),
    );
  }

  /** Item reads (table and indexes) and item writes (the table; indexes are never written directly). */
  grantTableReadWrite(grantee: IGrantable): void {
    this.grantTableRead(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: tableWriteActions, resources: [this.table.tableArn] }),
    );
  }

  /**
   * Access to application documents: objects under the application prefix only, with exactly the
   * S3 actions given (default: all of them) and, through S3 only, what S3 needs of the bucket's KMS
   * key for them — a data key to store an object (`PutObject`), decryption to read one. Presigned
   * URLs a function signs carry exactly these permissions: signing a POST needs `PutObject`, a GET
   * `GetObject`.
   */
  grantAttachmentsReadWrite(grantee: IGrantable, actions: readonly DocumentAction[] = documentActions): void {
    acknowledgeOnPrincipal(
      grantee,
      'IAM5',
      'Documents are objects named per application and attachment (applications/{id}/{attachmentId}); ' +
        'the grant is limited to that prefix of the attachments bucket.',
      [`Resource::${attRef(this.attachments)}/${attachmentsBucket.applicationPrefix}*`],
    );
    const objectActions = actions.filter((a) => a !== 's3:ListBucket');
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: objectActions,
        resources: [this.attachments.arnForObjects(`${attachmentsBucket.applicationPrefix}*`)],
      }),
    );
    // HeadObject on a missing key answers 404 rather than 403 only with ListBucket.
    if (actions.includes('s3:ListBucket')) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.attachments.bucketArn] }),
      );
    }
    this.grantAttachmentsKeyViaS3(grantee, objectActions);
  }

  /**
   * The bank batch files of payout runs (`payouts/{runId}/{payerOrgId}.csv`): written by the payout
   * task (`PutObject`), downloaded through presigned GETs the payments function signs (`GetObject`).
   */
  grantPayoutFilesReadWrite(
    grantee: IGrantable,
    actions: readonly PayoutFileAction[] = ['s3:GetObject', 's3:PutObject'],
  ): void {
    acknowledgeOnPrincipal(
      grantee,
      'IAM5',
      'Bank batch files are objects named per payout run and paying org (payouts/{runId}/{org}.csv); ' +
        'the grant is limited to that prefix of the attachments bucket.',
      [`Resource::${attRef(this.attachments)}/${attachmentsBucket.payoutPrefix}*`],
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...actions],
        resources: [this.attachments.arnForObjects(`${attachmentsBucket.payoutPrefix}*`)],
      }),
    );
    this.grantAttachmentsKeyViaS3(grantee, actions);
  }

  /**
   * The attachments bucket's key, only through S3 (SSE-KMS), never directly: a data key to store
   * objects, decryption to read them.
   */
  private grantAttachmentsKeyViaS3(grantee: IGrantable, s3Actions: readonly string[]): void {
    const kmsActions = [
      ...(s3Actions.includes('s3:PutObject') ? ['kms:GenerateDataKey'] : []),
      ...(s3Actions.some((a) => a === 's3:GetObject' || a === 's3:GetObjectVersion') ? ['kms:Decrypt'] : []),
    ];
    if (kmsActions.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: kmsActions,
        resources: [this.attachmentsKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );
  }

  /**
   * The personal-data keys, for the uses given (default: all): `encrypt` generates data keys
   * (envelope encryption; `KmsFieldCipher.encrypt` never calls KMS Decrypt), `decrypt` opens
   * ciphertexts, both bound to the field cipher's encryption context so the key serves nothing else;
   * `hash` computes keyed hashes with the HMAC key (ID-number lookups, receipt digests, the
   * pagination cursor key).
   */
  grantFieldEncryption(
    grantee: IGrantable,
    uses: readonly FieldKeyUse[] = ['encrypt', 'decrypt', 'hash'],
  ): void {
    const actions = [
      ...(uses.includes('encrypt') ? ['kms:GenerateDataKey'] : []),
      ...(uses.includes('decrypt') ? ['kms:Decrypt'] : []),
    ];
    if (actions.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions,
          resources: [this.fieldKey.keyArn],
          conditions: {
            StringEquals: Object.fromEntries(
              Object.entries(KMS_ENCRYPTION_CONTEXT).map(([key, value]) => [
                `kms:EncryptionContext:${key}`,
                value,
              ]),
            ),
          },
        }),
      );
    }
    if (uses.includes('hash')) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['kms:GenerateMac'], resources: [this.fieldHmacKey.keyArn] }),
      );
    }
  }
}
