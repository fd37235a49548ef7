import { z } from 'zod';
import { CreateOrgBody, Org, OrgChildren, OrgIdParams } from '../schemas/orgs.ts';
import {
  CreateProgrammeBody,
  Programme,
  ProgrammeIdParams,
  ProgrammeList,
  QuotaBoard,
} from '../schemas/programmes.ts';
import { defineRoute } from './route.ts';

/**
 * The route table of the public API, version 1 (design §5). One source for the handlers'
 * validation, the local gateway's routing, the CDK HTTP API routes and `/openapi.json`.
 */
export const routes = {
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
      schema: z.object({ status: z.literal('ok'), time: z.string() }).meta({ id: 'Health' }),
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
  createOrg: defineRoute({
    operationId: 'createOrg',
    method: 'POST',
    path: '/v1/orgs',
    group: 'admin',
    auth: ['admin'],
    summary: 'Register an organisation under one the caller governs (R12 组织注册)',
    tags: ['admin'],
    body: CreateOrgBody,
    response: { status: 201, description: 'Registered', schema: Org },
    errors: ['validation_failed', 'forbidden', 'already_exists'],
  }),
  createProgramme: defineRoute({
    operationId: 'createProgramme',
    method: 'POST',
    path: '/v1/programmes',
    group: 'admin',
    auth: ['admin'],
    summary: 'Publish a programme: windows, review batches, levels, allocations and funding',
    tags: ['admin'],
    body: CreateProgrammeBody,
    response: { status: 201, description: 'Published', schema: Programme },
    errors: ['validation_failed', 'forbidden', 'already_exists'],
  }),
} as const;

export type Routes = typeof routes;
export type RouteId = keyof Routes;
export const routeList = Object.values(routes);
