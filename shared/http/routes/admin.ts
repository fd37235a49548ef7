import * as z from 'zod';
import {
  ApplicationIdParams,
  ApplicationView,
  NotificationList,
  NotificationListQuery,
  ReallocationBody,
  RevokeBody,
} from '../../schemas/applications.ts';
import { Slug } from '../../schemas/common.ts';
import { CreateOrgBody, Org } from '../../schemas/orgs.ts';
import {
  CreateProgrammeBody,
  FundingShareBody,
  FundingShareParams,
  Programme,
  ProgrammeIdParams,
  UnitShards,
  UnitShardsBody,
  UnitShardsParams,
  UpdateProgrammeBody,
} from '../../schemas/programmes.ts';
import { defineRoute } from '../route.ts';

/**
 * The admin group's routes (role `admin`, within the caller's org subtree): orgs, programmes,
 * funding shares, reallocations, unit shards and revocation. Served by `functions/admin.ts`, which
 * imports only this file. Payout runs and bank files are the payments group (`./payments.ts`).
 */
export const adminRoutes = {
  listNotifications: defineRoute({
    operationId: 'listNotifications',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/notifications',
    group: 'admin',
    auth: ['admin'],
    summary:
      'The programme’s SMS with their delivery status (queued, sent, failed with the provider’s code), newest first',
    tags: ['admin'],
    params: ProgrammeIdParams,
    query: NotificationListQuery,
    response: { status: 200, description: 'A page of notifications', schema: NotificationList },
    errors: ['validation_failed', 'forbidden', 'not_found'],
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
  updateProgramme: defineRoute({
    operationId: 'updateProgramme',
    method: 'PATCH',
    path: '/v1/programmes/{programmeId}',
    group: 'admin',
    auth: ['admin'],
    summary: 'Correct a programme’s title, contacts or dates; new dates restart its calendar',
    tags: ['admin'],
    params: ProgrammeIdParams,
    body: UpdateProgrammeBody,
    response: { status: 200, description: 'The programme as changed', schema: Programme },
    errors: ['validation_failed', 'forbidden', 'not_found', 'invalid_state'],
  }),
  setFundingShare: defineRoute({
    operationId: 'setFundingShare',
    method: 'PUT',
    path: '/v1/programmes/{programmeId}/allocations/{unitOrgId}/funding/{funderOrgId}',
    group: 'admin',
    auth: ['admin'],
    summary:
      'Add or change one funder’s share of a unit (R6): only an admin of the funder or above commits its money',
    tags: ['admin'],
    params: FundingShareParams,
    body: FundingShareBody,
    response: { status: 200, description: 'The programme with the share', schema: Programme },
    errors: ['validation_failed', 'forbidden', 'not_found'],
  }),
  reallocatePlaces: defineRoute({
    operationId: 'reallocatePlaces',
    method: 'POST',
    path: '/v1/programmes/{programmeId}/reallocations',
    group: 'admin',
    auth: ['admin'],
    summary: 'Move places between units (R15); freed places go to the earliest waitlisted applicants',
    tags: ['admin'],
    params: ProgrammeIdParams,
    body: ReallocationBody,
    response: {
      status: 200,
      description: 'Moved',
      schema: z
        .object({
          programmeId: Slug,
          fromUnitOrgId: Slug,
          toUnitOrgId: Slug,
          places: z.number().int(),
          promotedApplications: z.number().int(),
        })
        .meta({ id: 'ReallocationResult' }),
    },
    errors: ['validation_failed', 'forbidden', 'not_found', 'quota_exceeded'],
  }),
  setUnitShards: defineRoute({
    operationId: 'setUnitShards',
    method: 'PUT',
    path: '/v1/programmes/{programmeId}/allocations/{unitOrgId}/shards',
    group: 'admin',
    auth: ['admin'],
    summary:
      'Split a unit’s places over more sub-allocations, for a rush one item cannot take (only grows; the unit stays one)',
    tags: ['admin'],
    params: UnitShardsParams,
    body: UnitShardsBody,
    response: { status: 200, description: 'The unit’s shards', schema: UnitShards },
    errors: ['validation_failed', 'forbidden', 'not_found'],
  }),
  revokeApplication: defineRoute({
    operationId: 'revokeApplication',
    method: 'POST',
    path: '/v1/applications/{id}/revoke',
    group: 'admin',
    auth: ['admin'],
    summary:
      'Revoke a paid application: it keeps its place (never paid twice) and owes the money paid back (a claw-back)',
    tags: ['admin'],
    params: ApplicationIdParams,
    body: RevokeBody,
    response: { status: 200, description: 'Revoked', schema: ApplicationView },
    errors: ['validation_failed', 'not_found', 'forbidden', 'invalid_state'],
  }),
} as const;
