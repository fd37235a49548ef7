import {
  CreateInstitutionBody,
  CreateOfferingBody,
  ImportOfferingsBody,
  InstitutionParams,
  OfferingParams,
  UpdateInstitutionBody,
  UpdateOfferingBody,
} from '../../schemas/catalogue.ts';
import { ProgrammeIdParams } from '../../schemas/programmes.ts';
import { defineRoute, view } from '../route.ts';

/**
 * The catalogue group's routes (issue 16): managing partner institutions (合作院校) and the offerings
 * (专业) a programme lists, the Excel import and the counts. Served by `functions/catalogue.ts`, which
 * imports only this file and alone loads exceljs; the public list and an institution's page are public
 * routes (`./public.ts`).
 */
export const catalogueRoutes = {
  createInstitution: defineRoute({
    operationId: 'createInstitution',
    method: 'POST',
    path: '/v1/institutions',
    group: 'catalogue',
    auth: ['admin'],
    summary: 'Register an institution by its 学校标识码 (shape-checked); the caller’s org keeps it',
    tags: ['admin', 'catalogue'],
    body: CreateInstitutionBody,
    response: { status: 201, description: 'Registered', schema: view('Institution') },
    errors: ['validation_failed', 'already_exists'],
  }),
  updateInstitution: defineRoute({
    operationId: 'updateInstitution',
    method: 'PATCH',
    path: '/v1/institutions/{institutionId}',
    group: 'catalogue',
    auth: ['admin'],
    summary: 'Correct an institution’s name, kind, city or contacts (its registering org or above)',
    tags: ['admin', 'catalogue'],
    params: InstitutionParams,
    body: UpdateInstitutionBody,
    response: { status: 200, description: 'The institution as changed', schema: view('Institution') },
    errors: ['validation_failed', 'not_found', 'forbidden', 'invalid_state'],
  }),
  createOffering: defineRoute({
    operationId: 'createOffering',
    method: 'POST',
    path: '/v1/programmes/{programmeId}/offerings',
    group: 'catalogue',
    auth: ['admin'],
    summary:
      'List an offering: for the whole programme (its owner’s admins) or, with unitOrgId, for one unit (that unit’s admins)',
    tags: ['admin', 'catalogue'],
    params: ProgrammeIdParams,
    body: CreateOfferingBody,
    response: { status: 201, description: 'Listed', schema: view('Offering') },
    errors: ['validation_failed', 'not_found', 'forbidden', 'already_exists'],
  }),
  updateOffering: defineRoute({
    operationId: 'updateOffering',
    method: 'PATCH',
    path: '/v1/programmes/{programmeId}/offerings/{offeringId}',
    group: 'catalogue',
    auth: ['admin'],
    summary: 'Correct an offering’s years, tuition or tags; its institution, major, level and mode stay',
    tags: ['admin', 'catalogue'],
    params: OfferingParams,
    body: UpdateOfferingBody,
    response: { status: 200, description: 'The offering as changed', schema: view('Offering') },
    errors: ['validation_failed', 'not_found', 'forbidden', 'invalid_state'],
  }),
  retireOffering: defineRoute({
    operationId: 'retireOffering',
    method: 'POST',
    path: '/v1/programmes/{programmeId}/offerings/{offeringId}/retire',
    group: 'catalogue',
    auth: ['admin'],
    summary: 'Stop offering it: it leaves the list and cannot be chosen; applications naming it keep it',
    tags: ['admin', 'catalogue'],
    params: OfferingParams,
    response: { status: 200, description: 'Retired', schema: view('Offering') },
    errors: ['not_found', 'forbidden'],
  }),
  importOfferings: defineRoute({
    operationId: 'importOfferings',
    method: 'POST',
    path: '/v1/programmes/{programmeId}/offerings/import',
    group: 'catalogue',
    auth: ['admin'],
    summary:
      'Import a union’s .xlsx list (Chinese headers, base64 in the body): every error located at its cell; nothing is written unless the whole file is valid',
    tags: ['admin', 'catalogue'],
    params: ProgrammeIdParams,
    body: ImportOfferingsBody,
    response: {
      status: 200,
      description: 'What the import created and updated',
      schema: view('ImportOfferingsResult'),
    },
    errors: ['validation_failed', 'not_found', 'forbidden', 'invalid_state'],
  }),
  getEnrolmentCounts: defineRoute({
    operationId: 'getEnrolmentCounts',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/enrolment-counts',
    group: 'catalogue',
    auth: ['admin'],
    summary:
      'Applications, approvals and payments per institution and offering (non-partner institutions apart); a county sees its own unit',
    tags: ['admin', 'catalogue'],
    params: ProgrammeIdParams,
    response: { status: 200, description: 'The counts', schema: view('EnrolmentCounts') },
    errors: ['not_found', 'forbidden'],
  }),
  exportEnrolmentCounts: defineRoute({
    operationId: 'exportEnrolmentCounts',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/enrolment-counts/export',
    group: 'catalogue',
    auth: ['admin'],
    summary: 'The same counts as an .xlsx file (base64), one row per institution and offering',
    tags: ['admin', 'catalogue'],
    params: ProgrammeIdParams,
    response: { status: 200, description: 'The workbook', schema: view('EnrolmentCountsExport') },
    errors: ['not_found', 'forbidden'],
  }),
} as const;
