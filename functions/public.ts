import { loadConfig } from '../shared/config.ts';
import { httpHandler } from '../shared/http/handler.ts';
import { publicRoutes } from '../shared/http/routes/public.ts';
import {
  getOrg,
  getProgramme,
  getQuotaBoard,
  listOrgChildren,
  listProgrammes,
  searchEmployers,
} from '../shared/services/catalogue.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import { getInstitution, listOfferings } from '../shared/services/offerings.ts';
import * as repositories from '../shared/services/repositories.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  catalogue: repositories.catalogue,
  orgs: repositories.orgs,
  programmes: repositories.programmes,
});
let openApi: Record<string, unknown> | undefined;

/**
 * In Lambda the document was written beside the bundle at synth and the bundler set
 * `EDU_OPENAPI_FILE` to its name (`infra/constructs/openapi-file.ts`), so the generator and every
 * group's routes are not in the bundle; the local stack, which runs this source, generates it from the
 * route table on the first request, as the file was generated.
 */
async function loadOpenApiDocument(): Promise<Record<string, unknown>> {
  if (process.env.EDU_OPENAPI_FILE) {
    const { readFile } = await import('node:fs/promises');
    return JSON.parse(await readFile(new URL(process.env.EDU_OPENAPI_FILE, import.meta.url), 'utf8'));
  }
  return (await import('../shared/http/openapi.ts')).openApiDocument() as unknown as Record<string, unknown>;
}

/** Public reads: health, programmes, the quota board, the org tree and the API document. */
export const handler = httpHandler(
  publicRoutes,
  {
    getHealth: async ({ now }) => ({ body: { status: 'ok' as const, time: now.toISOString() } }),
    getOpenApi: async () => {
      openApi ??= await loadOpenApiDocument();
      return { body: openApi };
    },
    listProgrammes: async () => ({ body: { programmes: await listProgrammes(deps) } }),
    getProgramme: async ({ params }) => ({ body: await getProgramme(deps, params.programmeId) }),
    getQuotas: async ({ params }) => ({ body: await getQuotaBoard(deps, params.programmeId) }),
    getOrg: async ({ params }) => ({ body: await getOrg(deps, params.orgId) }),
    listOrgChildren: async ({ params }) => ({ body: await listOrgChildren(deps, params.orgId) }),
    searchEmployers: async ({ params, query }) => ({
      body: await searchEmployers(deps, params.programmeId, query.q),
    }),
    listOfferings: async ({ params, query }) => ({
      body: await listOfferings(deps, params.programmeId, query),
    }),
    getInstitution: async ({ params }) => ({ body: await getInstitution(deps, params.institutionId) }),
  },
  { clock: deps.clock },
);
