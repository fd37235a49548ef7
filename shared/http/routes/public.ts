import * as z from 'zod';
import { Institution, InstitutionParams, OfferingList, OfferingListQuery } from '../../schemas/catalogue.ts';
import { Timestamp } from '../../schemas/common.ts';
import { EmployerList, EmployerSearchQuery, Org, OrgChildren, OrgIdParams } from '../../schemas/orgs.ts';
import { Programme, ProgrammeIdParams, ProgrammeList, QuotaBoard } from '../../schemas/programmes.ts';
import { defineRoute } from '../route.ts';

/**
 * The public group's routes (no token): health, programmes, the quota board, the org tree, the
 * catalogue's offerings and institutions (issue 16) and the API document. Served by
 * `functions/public.ts`, which imports only this file, so its cold start builds only these schemas.
 */
export const publicRoutes = {
  getHealth: defineRoute({
    operationId: 'getHealth',
    method: 'GET',
    path: '/v1/health',
    group: 'public',
    auth: 'public',
    summary: 'Liveness: the API answers',
    tags: ['public'],
    response: {
      status: 200,
      description: 'The service answers',
      schema: z.object({ status: z.literal('ok'), time: Timestamp }).meta({ id: 'Health' }),
    },
    errors: [],
  }),
  getOpenApi: defineRoute({
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    group: 'public',
    auth: 'public',
    summary: 'This document: OpenAPI 3.1 generated from the request schemas',
    tags: ['public'],
    response: { status: 200, description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) },
    errors: [],
  }),
  listProgrammes: defineRoute({
    operationId: 'listProgrammes',
    method: 'GET',
    path: '/v1/programmes',
    group: 'public',
    auth: 'public',
    summary: 'Published programmes, newest year first',
    tags: ['public'],
    response: { status: 200, description: 'Programmes', schema: ProgrammeList },
    errors: [],
  }),
  getProgramme: defineRoute({
    operationId: 'getProgramme',
    method: 'GET',
    path: '/v1/programmes/{programmeId}',
    group: 'public',
    auth: 'public',
    summary: 'One programme with its windows, allocations and contacts',
    tags: ['public'],
    params: ProgrammeIdParams,
    response: { status: 200, description: 'The programme', schema: Programme },
    errors: ['not_found'],
  }),
  getQuotas: defineRoute({
    operationId: 'getQuotas',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/quotas',
    group: 'public',
    auth: 'public',
    summary: 'Live quota board: places, claimed and waitlisted per unit, funding totals',
    tags: ['public'],
    params: ProgrammeIdParams,
    response: { status: 200, description: 'The quota board', schema: QuotaBoard },
    errors: ['not_found'],
  }),
  getOrg: defineRoute({
    operationId: 'getOrg',
    method: 'GET',
    path: '/v1/orgs/{orgId}',
    group: 'public',
    auth: 'public',
    summary: 'One organisation of the union tree',
    tags: ['public'],
    params: OrgIdParams,
    response: { status: 200, description: 'The organisation', schema: Org },
    errors: ['not_found'],
  }),
  listOrgChildren: defineRoute({
    operationId: 'listOrgChildren',
    method: 'GET',
    path: '/v1/orgs/{orgId}/children',
    group: 'public',
    auth: 'public',
    summary: 'The organisations registered directly under one',
    tags: ['public'],
    params: OrgIdParams,
    response: { status: 200, description: 'Children in id order', schema: OrgChildren },
    errors: ['not_found'],
  }),
  searchEmployers: defineRoute({
    operationId: 'searchEmployers',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/employers',
    group: 'public',
    auth: 'public',
    summary:
      'Employers (enterprise unions) inside the programme’s units whose name holds q, in name order, at most 50: the worker’s employer search',
    tags: ['public'],
    params: ProgrammeIdParams,
    query: EmployerSearchQuery,
    response: { status: 200, description: 'Matching employers', schema: EmployerList },
    errors: ['validation_failed', 'not_found'],
  }),
  // ── The catalogue's public reads (issue 16) ──
  listOfferings: defineRoute({
    operationId: 'listOfferings',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/offerings',
    group: 'public',
    auth: 'public',
    summary:
      'What a programme offers now (选学): filter by level, mode, institution, tag, the worker’s unit and a text search; a page at a time',
    tags: ['public', 'catalogue'],
    params: ProgrammeIdParams,
    query: OfferingListQuery,
    response: { status: 200, description: 'A page of offerings', schema: OfferingList },
    errors: ['not_found'],
  }),
  getInstitution: defineRoute({
    operationId: 'getInstitution',
    method: 'GET',
    path: '/v1/institutions/{institutionId}',
    group: 'public',
    auth: 'public',
    summary: 'A partner institution by its 学校标识码, with its contacts and the programmes listing it',
    tags: ['public', 'catalogue'],
    params: InstitutionParams,
    response: { status: 200, description: 'The institution', schema: Institution },
    errors: ['not_found'],
  }),
} as const;
