import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApplicationRepository } from '../adapters/applications-repo.ts';
import { createDocumentClient, createS3Client } from '../adapters/aws.ts';
import { CalendarRepository } from '../adapters/calendar-repo.ts';
import { CatalogueRepository } from '../adapters/catalogue-repo.ts';
import { createFieldCipher, type FieldCipher } from '../adapters/field-cipher.ts';
import { OrgRepository } from '../adapters/orgs-repo.ts';
import { PayoutRepository } from '../adapters/payouts-repo.ts';
import { PlaceLedger } from '../adapters/place-ledger.ts';
import { ProgrammeRepository } from '../adapters/programmes-repo.ts';
import { type WorkflowStarter, workflowStarter } from '../adapters/workflows.ts';
import type { Config } from '../config.ts';

/** What the services need, built once per cold start at module scope and passed in. */
export interface Deps {
  config: Config;
  db: DynamoDBDocumentClient;
  orgs: OrgRepository;
  programmes: ProgrammeRepository;
  applications: ApplicationRepository;
  ledger: PlaceLedger;
  /** The programme calendar's records: transitions done, batch reports, reminders, payouts due. */
  calendar: CalendarRepository;
  /** Payout runs, their instructions and the programme's paid keys (design §4). */
  payouts: PayoutRepository;
  /** Partner institutions and programmes' catalogues of offerings (issue 16). */
  catalogue: CatalogueRepository;
  /** Step Functions in AWS, the local runner on a laptop: read when used, the local stack registers late. */
  workflows: () => WorkflowStarter;
  /** Built on first use: only the requests that touch documents load the S3 SDK. */
  s3: () => Promise<S3Client>;
  cipher: () => FieldCipher;
}

export function createDeps(config: Config): Deps {
  const db = createDocumentClient(config);
  let s3: Promise<S3Client> | undefined;
  let cipher: FieldCipher | undefined;
  return {
    config,
    db,
    orgs: new OrgRepository(db, config.tableName),
    programmes: new ProgrammeRepository(db, config.tableName),
    applications: new ApplicationRepository(db, config.tableName),
    ledger: new PlaceLedger(db, config.tableName),
    calendar: new CalendarRepository(db, config.tableName),
    payouts: new PayoutRepository(db, config.tableName),
    catalogue: new CatalogueRepository(db, config.tableName),
    workflows: () => workflowStarter(),
    s3: () => {
      s3 ??= createS3Client(config);
      s3.catch(() => {
        s3 = undefined;
      });
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
