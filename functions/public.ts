import { loadConfig } from '../shared/config.ts';
import { httpHandler } from '../shared/http/handler.ts';
import type { openApiDocument } from '../shared/http/openapi.ts';
import { publicRoutes } from '../shared/http/routes/public.ts';
import {
  getOrg,
  getProgramme,
  getQuotaBoard,
  listOrgChildren,
  listProgrammes,
  searchEmployers,
} from '../shared/services/catalogue.ts';
import { createDeps } from '../shared/services/deps.ts';
import { getInstitution, listOfferings } from '../shared/services/offerings.ts';

const deps = createDeps(loadConfig());
let openApi: ReturnType<typeof openApiDocument> | undefined;

/** Public reads: health, programmes, the quota board, the org tree and the API document. */
export const handler = httpHandler(
  publicRoutes,
  {
    getHealth: async ({ now }) => ({ body: { status: 'ok' as const, time: now.toISOString() } }),
    getOpenApi: async () => {
      // The generator is loaded by the one route that needs it, not by every cold start.
      openApi ??= (await import('../shared/http/openapi.ts')).openApiDocument();
      return { body: openApi as unknown as Record<string, unknown> };
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
