import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApplicationFormRepository } from '../adapters/application-forms-repo.ts';
import type { ApplicationRepository } from '../adapters/applications-repo.ts';
import { createDocumentClient, createS3Client } from '../adapters/aws.ts';
import type { CalendarRepository } from '../adapters/calendar-repo.ts';
import type { CatalogueRepository } from '../adapters/catalogue-repo.ts';
import { createFieldCipher, type FieldCipher } from '../adapters/field-cipher.ts';
import type { MembershipRepository } from '../adapters/memberships-repo.ts';
import type { OrgRegistrationRepository } from '../adapters/org-registrations-repo.ts';
import type { OrgRepository } from '../adapters/orgs-repo.ts';
import type { OutboxRepository } from '../adapters/outbox-repo.ts';
import type { PayoutHoldRepository } from '../adapters/payout-holds-repo.ts';
import type { InstructionRepository } from '../adapters/payout-instructions-repo.ts';
import type { PayoutRunRepository } from '../adapters/payout-runs-repo.ts';
import type { PlaceLedger } from '../adapters/place-ledger.ts';
import type { ProgrammeRepository } from '../adapters/programmes-repo.ts';
import type { BankFileStore } from '../adapters/rails/bank-file.ts';
import type { Waitlist } from '../adapters/waitlist.ts';
import { type WorkflowStarter, workflowStarter } from '../adapters/workflows.ts';
import { type Clock, localStageClock, systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { channelObserver, type Observer } from '../observer.ts';

/**
 * What the services need, built once per cold start at module scope and passed in. A Lambda function
 * builds only the repositories its code uses (`wireDeps` with the factories of `repositories.ts` it
 * names), so its bundle carries only those adapters; tests and local tools build them all
 * (`createDeps`).
 */
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

/** What every function has, whatever repositories it wires: configuration, clients, clock, cipher. */
export type DepsBase = Pick<Deps, 'config' | 'observer' | 'clock' | 'db' | 'workflows' | 's3' | 'cipher'>;

/** The repositories of {@link Deps}: each built by its factory in `repositories.ts`. */
export type RepositoryName = Exclude<keyof Deps, keyof DepsBase>;

/** How a function builds the repositories it uses, by name. */
export type RepositoryFactories = { [K in RepositoryName]?: (base: DepsBase) => Deps[K] };

/** Every repository name, checked complete against {@link Deps} by the compiler. */
export const repositoryNames = Object.keys({
  orgs: true,
  memberships: true,
  registrations: true,
  programmes: true,
  applications: true,
  forms: true,
  ledger: true,
  waitlist: true,
  calendar: true,
  payouts: true,
  instructions: true,
  holds: true,
  bankFiles: true,
  outbox: true,
  catalogue: true,
} satisfies Record<RepositoryName, true>) as RepositoryName[];

/** Code reached a repository its function did not wire: a programming error, answered as a 500. */
export class RepositoryNotWired extends Error {
  override readonly name = 'RepositoryNotWired';
  constructor(readonly repository: string) {
    super(`deps.${repository} is not wired in this function: add its factory to the function's wireDeps()`);
  }
}

/** The clients, clock and cipher, built as each function's cold start builds them. */
export function baseDeps(config: Config, options: { observer?: Observer } = {}): DepsBase {
  const db = createDocumentClient(config);
  const observer = options.observer ?? channelObserver;
  let s3: Promise<S3Client> | undefined;
  let cipher: FieldCipher | undefined;
  return {
    config,
    observer,
    clock: config.stage === 'local' ? localStageClock : systemClock,
    db,
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

/**
 * The function's dependencies: `base` and the repositories `factories` name, built now; reaching any
 * other throws {@link RepositoryNotWired} (`tests/infra/function-bundles.test.ts` checks that every
 * `deps.<repository>` in the code esbuild keeps of a function's bundle is wired, and no other).
 */
export function wireDeps(base: DepsBase, factories: RepositoryFactories): Deps {
  const deps: Record<string, unknown> = { ...base };
  for (const name of repositoryNames) {
    const make = factories[name];
    if (make) deps[name] = make(base);
    else
      Object.defineProperty(deps, name, {
        get() {
          throw new RepositoryNotWired(name);
        },
      });
  }
  return deps as unknown as Deps;
}
