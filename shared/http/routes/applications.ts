import * as z from 'zod';
import {
  ApplicationIdParams,
  ApplicationList,
  ApplicationView,
  AttachmentUpload,
  CreateApplicationBody,
  CreateAttachmentBody,
  SubmitResult,
  UpdateApplicationBody,
} from '../../schemas/applications.ts';
import { Cursor } from '../../schemas/common.ts';
import { defineRoute } from '../route.ts';

/**
 * The worker's routes: drafts, documents, submission, withdrawal and reading one's
 * applications. Served by `functions/applications.ts`, which imports only this file.
 */
export const applicationRoutes = {
  createApplication: defineRoute({
    operationId: 'createApplication',
    method: 'POST',
    path: '/v1/applications',
    group: 'applications',
    auth: ['worker'],
    summary: 'Start an application as a draft; every field a client can get wrong is checked here',
    tags: ['worker'],
    body: CreateApplicationBody,
    response: { status: 201, description: 'The draft', schema: ApplicationView },
    // 409: the account already holds a live application in the programme (`already_applied`) or as
    // many open drafts as it may keep (`invalid_state`).
    errors: ['validation_failed', 'ineligible', 'already_applied', 'invalid_state'],
  }),
  updateApplication: defineRoute({
    operationId: 'updateApplication',
    method: 'PATCH',
    path: '/v1/applications/{id}',
    group: 'applications',
    auth: ['worker'],
    summary: 'Correct one’s own draft; each section given replaces the stored one',
    tags: ['worker'],
    params: ApplicationIdParams,
    body: UpdateApplicationBody,
    response: { status: 200, description: 'The draft', schema: ApplicationView },
    errors: ['validation_failed', 'not_found', 'invalid_state', 'ineligible'],
  }),
  getApplication: defineRoute({
    operationId: 'getApplication',
    method: 'GET',
    path: '/v1/applications/{id}',
    group: 'applications',
    auth: ['worker', 'reviewer', 'admin'],
    summary: 'One application with masked personal numbers, place, review chain, payments and timeline',
    tags: ['worker', 'reviewer'],
    params: ApplicationIdParams,
    response: { status: 200, description: 'The application', schema: ApplicationView },
    errors: ['not_found'],
  }),
  listMyApplications: defineRoute({
    operationId: 'listMyApplications',
    method: 'GET',
    path: '/v1/me/applications',
    group: 'applications',
    auth: ['worker'],
    summary: 'The caller’s own applications, newest first',
    tags: ['worker'],
    query: z.object({ cursor: Cursor.optional() }),
    response: { status: 200, description: 'A page of applications', schema: ApplicationList },
    errors: [],
  }),
  createAttachment: defineRoute({
    operationId: 'createAttachment',
    method: 'POST',
    path: '/v1/applications/{id}/attachments',
    group: 'applications',
    auth: ['worker'],
    summary: 'A presigned POST for one document (R11); it counts once the server has verified it',
    tags: ['worker'],
    params: ApplicationIdParams,
    body: CreateAttachmentBody,
    response: { status: 201, description: 'Upload form', schema: AttachmentUpload },
    errors: ['validation_failed', 'not_found', 'invalid_state'],
  }),
  submitApplication: defineRoute({
    operationId: 'submitApplication',
    method: 'POST',
    path: '/v1/applications/{id}/submit',
    group: 'applications',
    auth: ['worker'],
    summary: 'Submit: claims a place or a waitlist position first come, first served (R8)',
    tags: ['worker'],
    params: ApplicationIdParams,
    response: { status: 200, description: 'Submitted', schema: SubmitResult },
    errors: [
      'not_found',
      'invalid_state',
      'already_applied',
      'application_window_closed',
      'missing_attachments',
      'ineligible',
      // Too many submissions contending for the same places at once: try again (architecture.md §3).
      'rate_limited',
    ],
  }),
  withdrawApplication: defineRoute({
    operationId: 'withdrawApplication',
    method: 'POST',
    path: '/v1/applications/{id}/withdraw',
    group: 'applications',
    auth: ['worker'],
    summary: 'Withdraw: frees the place, which passes to the earliest waitlisted applicant',
    tags: ['worker'],
    params: ApplicationIdParams,
    response: { status: 200, description: 'Withdrawn', schema: ApplicationView },
    errors: ['not_found', 'invalid_state'],
  }),
} as const;
