import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApplicationFormRepository } from '../adapters/application-forms-repo.ts';
import { ApplicationRepository } from '../adapters/applications-repo.ts';
import { createDocumentClient, createS3Client } from '../adapters/aws.ts';
import { CalendarRepository } from '../adapters/calendar-repo.ts';
import { CatalogueRepository } from '../adapters/catalogue-repo.ts';
import { createFieldCipher, type FieldCipher } from '../adapters/field-cipher.ts';
import { MembershipRepository } from '../adapters/memberships-repo.ts';
import { OrgRegistrationRepository } from '../adapters/org-registrations-repo.ts';
import { OrgRepository } from '../adapters/orgs-repo.ts';
import { OutboxRepository } from '../adapters/outbox-repo.ts';
import { PayoutHoldRepository } from '../adapters/payout-holds-repo.ts';
import { InstructionRepository } from '../adapters/payout-instructions-repo.ts';
import { PayoutRunRepository } from '../adapters/payout-runs-repo.ts';
import { PlaceLedger } from '../adapters/place-ledger.ts';
import { ProgrammeRepository } from '../adapters/programmes-repo.ts';
import { BankFileStore } from '../adapters/rails/bank-file.ts';
import { Waitlist } from '../adapters/waitlist.ts';
import { type WorkflowStarter, workflowStarter } from '../adapters/workflows.ts';
import { type Clock, localStageClock, systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { channelObserver, type Observer } from '../observer.ts';

/** What the services need, built once per cold start at module scope and passed in. */
export interface Deps {
  config: Config;
  /** Counts retries, page attempts and rail calls (`observer.ts`); tests read them through it. */
  observer: Observer;
  /** Where "now" comes from: the system clock in AWS, the one a test sets on the local stage. */
  clock: Clock;
  db: DynamoDBDocumentClient;
  orgs: OrgRepository;
  /** Who may act for which org (architecture.md §8). */
  memberships: MembershipRepository;
  /** Organisation registrations awaiting their parent's admins (R12). */
  registrations: OrgRegistrationRepository;
  programmes: ProgrammeRepository;
  applications: ApplicationRepository;
  /** Application forms saved step by step before their draft exists (architecture.md §7). */
  forms: ApplicationFormRepository;
  ledger: PlaceLedger;
  /** Reads of a unit's places and waitlist: counters, earliest waiting, positions. */
  waitlist: Waitlist;
  /** The programme calendar's records: transitions done, batch reports, reminders, payouts due. */
  calendar: CalendarRepository;
  /** Payout runs: their records, the programme's open run, counters and audit (architecture.md §4). */
  payouts: PayoutRunRepository;
  /** A run's instructions, `pending → sending → paid | failed`. */
  instructions: InstructionRepository;
  /** What runs hold of a programme's money, keyed by what it pays for. */
  holds: PayoutHoldRepository;
  /** bank_file: a run's batch file lines and the files written from them. */
  bankFiles: BankFileStore;
  /** The SMS outbox, its delivery states, reviewers' contacts and phones' daily counts (architecture.md §9). */
  outbox: OutboxRepository;
  /** Partner institutions and programmes' catalogues of offerings (issue 16). */
  catalogue: CatalogueRepository;
  /** Step Functions in AWS, the local runner on a laptop: read when used, the local stack registers late. */
  workflows: () => WorkflowStarter;
  /** Built on first use: only the requests that touch documents load the S3 SDK. */
  s3: () => Promise<S3Client>;
  cipher: () => FieldCipher;
}

export function createDeps(config: Config, options: { observer?: Observer } = {}): Deps {
  const db = createDocumentClient(config);
  const observer = options.observer ?? channelObserver;
  const waitlist = new Waitlist(db, config.tableName);
  let s3: Promise<S3Client> | undefined;
  let cipher: FieldCipher | undefined;
  return {
    config,
    observer,
    clock: config.stage === 'local' ? localStageClock : systemClock,
    db,
    orgs: new OrgRepository(db, config.tableName),
    memberships: new MembershipRepository(db, config.tableName),
    registrations: new OrgRegistrationRepository(db, config.tableName),
    programmes: new ProgrammeRepository(db, config.tableName, observer),
    applications: new ApplicationRepository(db, config.tableName, observer),
    forms: new ApplicationFormRepository(db, config.tableName),
    ledger: new PlaceLedger(db, config.tableName, waitlist, observer),
    waitlist,
    calendar: new CalendarRepository(db, config.tableName),
    payouts: new PayoutRunRepository(db, config.tableName, observer),
    instructions: new InstructionRepository(db, config.tableName, observer),
    holds: new PayoutHoldRepository(db, config.tableName, observer),
    bankFiles: new BankFileStore(db, config.tableName),
    catalogue: new CatalogueRepository(db, config.tableName, observer),
    outbox: new OutboxRepository(db, config.tableName, observer),
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
