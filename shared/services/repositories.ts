import { ApplicationFormRepository } from '../adapters/application-forms-repo.ts';
import { ApplicationRepository } from '../adapters/applications-repo.ts';
import { CalendarRepository } from '../adapters/calendar-repo.ts';
import { CatalogueRepository } from '../adapters/catalogue-repo.ts';
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
import type { Config } from '../config.ts';
import type { Observer } from '../observer.ts';
import { baseDeps, type Deps, type DepsBase, wireDeps } from './deps.ts';

/**
 * One factory per repository of `Deps`, each its own export: a function names those it uses in
 * `wireDeps(base, { orgs, ledger, … })` and esbuild leaves the others, and their adapters, out of its
 * bundle.
 */
export const orgs = (b: DepsBase) => new OrgRepository(b.db, b.config.tableName);
export const memberships = (b: DepsBase) => new MembershipRepository(b.db, b.config.tableName);
export const registrations = (b: DepsBase) => new OrgRegistrationRepository(b.db, b.config.tableName);
export const programmes = (b: DepsBase) => new ProgrammeRepository(b.db, b.config.tableName, b.observer);
export const applications = (b: DepsBase) => new ApplicationRepository(b.db, b.config.tableName, b.observer);
export const forms = (b: DepsBase) => new ApplicationFormRepository(b.db, b.config.tableName);
export const waitlist = (b: DepsBase) => new Waitlist(b.db, b.config.tableName);
export const ledger = (b: DepsBase) => new PlaceLedger(b.db, b.config.tableName, waitlist(b), b.observer);
export const calendar = (b: DepsBase) => new CalendarRepository(b.db, b.config.tableName);
export const payouts = (b: DepsBase) => new PayoutRunRepository(b.db, b.config.tableName, b.observer);
export const instructions = (b: DepsBase) => new InstructionRepository(b.db, b.config.tableName, b.observer);
export const holds = (b: DepsBase) => new PayoutHoldRepository(b.db, b.config.tableName, b.observer);
export const bankFiles = (b: DepsBase) => new BankFileStore(b.db, b.config.tableName);
export const outbox = (b: DepsBase) => new OutboxRepository(b.db, b.config.tableName, b.observer);
export const catalogue = (b: DepsBase) => new CatalogueRepository(b.db, b.config.tableName, b.observer);

/** Every repository: what tests and the local tools build (a Lambda function wires only its own). */
export function createDeps(config: Config, options: { observer?: Observer } = {}): Deps {
  return wireDeps(baseDeps(config, options), {
    orgs,
    memberships,
    registrations,
    programmes,
    applications,
    forms,
    waitlist,
    ledger,
    calendar,
    payouts,
    instructions,
    holds,
    bankFiles,
    outbox,
    catalogue,
  });
}
