import type { OrgRepository } from '../../shared/adapters/orgs-repo.ts';
import { ItemAlreadyExists } from '../../shared/adapters/persistence-errors.ts';
import type { ProgrammeRepository } from '../../shared/adapters/programmes-repo.ts';
import { programmeErrors } from '../../shared/domain/programme.ts';
import type { ProgrammeInput } from '../../shared/schemas/programmes.ts';
import { demoProgramme, lc2022, seedOrgs } from './data.ts';

export interface SeedResult {
  orgsCreated: number;
  programmesCreated: string[];
}

const ignoreExisting = (err: unknown) => {
  if (err instanceof ItemAlreadyExists) return false;
  throw err;
};

/**
 * Seeds the org tree, `lc-2022` and — on the first seed of a data directory only — the demo
 * programme. Every write is conditional on absence, so seeding twice changes nothing.
 */
export async function applySeed(
  repos: { orgs: OrgRepository; programmes: ProgrammeRepository },
  options: { now?: Date; demo?: boolean } = {},
): Promise<SeedResult> {
  const now = options.now ?? new Date();
  const orgs = seedOrgs();
  let orgsCreated = 0;
  for (const org of orgs) {
    const created = await repos.orgs.create(org).then(() => true, ignoreExisting);
    if (created) orgsCreated++;
  }
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const programmes: ProgrammeInput[] = [lc2022];
  // A demo programme is added only with a fresh org tree, so restarts on later days add no second one.
  if (options.demo !== false && orgsCreated > 0) programmes.push(demoProgramme(now));
  const programmesCreated: string[] = [];
  for (const input of programmes) {
    const errors = programmeErrors(input, byId);
    if (errors.length > 0)
      throw new Error(`seed programme ${input.id} is invalid: ${JSON.stringify(errors)}`);
    const created = await repos.programmes
      .create({ ...input, createdAt: now.toISOString() })
      .then(() => true, ignoreExisting);
    if (created) programmesCreated.push(input.id);
  }
  return { orgsCreated, programmesCreated };
}
