import type { CatalogueRepository } from '../../shared/adapters/catalogue-repo.ts';
import type { OrgRepository } from '../../shared/adapters/orgs-repo.ts';
import { ItemAlreadyExists } from '../../shared/adapters/persistence-errors.ts';
import type { ProgrammeRepository } from '../../shared/adapters/programmes-repo.ts';
import { offeringIdFor } from '../../shared/domain/catalogue.ts';
import { programmeErrors } from '../../shared/domain/programme.ts';
import type { ProgrammeInput } from '../../shared/schemas/programmes.ts';
import { seedInstitutions, seedOfferings } from './catalogue.ts';
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
  repos: { orgs: OrgRepository; programmes: ProgrammeRepository; catalogue?: CatalogueRepository },
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
  if (repos.catalogue) {
    await seedCatalogue(repos.catalogue, programmes, now.toISOString());
  }
  return { orgsCreated, programmesCreated };
}

/**
 * Issue 16: the seeded programmes' partner institutions and offerings. Every write is a put only if
 * absent under an id derived from the offering, so seeding again adds nothing.
 */
async function seedCatalogue(catalogue: CatalogueRepository, programmes: ProgrammeInput[], at: string) {
  const byCode = new Map(seedInstitutions.map((i) => [i.code, i]));
  for (const i of seedInstitutions) {
    await catalogue
      .createInstitution({ id: i.code, ...i, ownerOrgId: 'lc', createdAt: at, version: 0 })
      .catch(ignoreExisting);
  }
  const writes = programmes.flatMap((programme) =>
    seedOfferings
      // A county's own addition goes only to programmes that allocate places to its unit.
      .filter((o) => !o.unitOrgId || programme.allocations.some((a) => a.unitOrgId === o.unitOrgId))
      .map((o) => {
        const institution = byCode.get(o.institutionCode);
        if (!institution) throw new Error(`seed offering names unknown institution ${o.institutionCode}`);
        const { institutionCode, ...terms } = o;
        return {
          ...terms,
          offeringId: offeringIdFor({ programmeId: programme.id, institutionId: institutionCode, ...o }),
          programmeId: programme.id,
          institutionId: institutionCode,
          institutionName: institution.name,
          institutionCode,
          addedByOrgId: o.unitOrgId ?? programme.ownerOrgId,
          status: 'offered' as const,
          createdAt: at,
          version: 0,
        };
      }),
  );
  await Promise.all(writes.map((o) => catalogue.createOffering(o).catch(ignoreExisting)));
}
