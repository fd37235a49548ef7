import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApplicationRepository } from '../adapters/applications-repo.ts';
import { createDocumentClient, createS3Client } from '../adapters/aws.ts';
import { createFieldCipher, type FieldCipher } from '../adapters/field-cipher.ts';
import { OrgRepository } from '../adapters/orgs-repo.ts';
import { PlaceLedger } from '../adapters/place-ledger.ts';
import { ProgrammeRepository } from '../adapters/programmes-repo.ts';
import type { Config } from '../config.ts';

/** What the services need, built once per cold start at module scope and passed in. */
export interface Deps {
  config: Config;
  db: DynamoDBDocumentClient;
  orgs: OrgRepository;
  programmes: ProgrammeRepository;
  applications: ApplicationRepository;
  ledger: PlaceLedger;
  /** Built on first use: only the functions that touch documents pay for the S3 client. */
  s3: () => S3Client;
  cipher: () => FieldCipher;
}

export function createDeps(config: Config): Deps {
  const db = createDocumentClient(config);
  let s3: S3Client | undefined;
  let cipher: FieldCipher | undefined;
  return {
    config,
    db,
    orgs: new OrgRepository(db, config.tableName),
    programmes: new ProgrammeRepository(db, config.tableName),
    applications: new ApplicationRepository(db, config.tableName),
    ledger: new PlaceLedger(db, config.tableName),
    s3: () => {
      s3 ??= createS3Client(config);
      return s3;
    },
    cipher: () => {
      cipher ??= createFieldCipher({
        stage: config.stage,
        ...(config.dataDir ? { dataDir: config.dataDir } : {}),
        ...(config.fieldKeyId ? { fieldKeyId: config.fieldKeyId } : {}),
        ...(config.fieldHmacKeyId ? { fieldHmacKeyId: config.fieldHmacKeyId } : {}),
      });
      return cipher;
    },
  };
}
