import { ApplicationIdParams } from '../../schemas/applications.ts';
import { ApplicationsQuery, ExportAuditBody } from '../../schemas/console.ts';
import { ProgrammeIdParams } from '../../schemas/programmes.ts';
import { AttachmentParams, BulkDecisionBody, DecisionBody, ReviewQueueQuery } from '../../schemas/review.ts';
import { defineRoute, view } from '../route.ts';

/**
 * The union side's routes (R12): the review queue, decisions and audited document downloads.
 * Served by `functions/review.ts`, which imports only this file.
 */
export const reviewRoutes = {
  reviewQueue: defineRoute({
    operationId: 'reviewQueue',
    method: 'GET',
    path: '/v1/review/queue',
    group: 'review',
    auth: ['reviewer', 'admin'],
    summary: 'Applications awaiting the caller’s org, in submission order, a page at a time (R12)',
    tags: ['reviewer'],
    query: ReviewQueueQuery,
    response: { status: 200, description: 'A page of the queue', schema: view('ReviewQueue') },
    errors: ['validation_failed'],
  }),
  decideApplication: defineRoute({
    operationId: 'decideApplication',
    method: 'POST',
    path: '/v1/applications/{id}/decisions',
    group: 'review',
    auth: ['reviewer', 'admin'],
    summary: 'Approve, reject or return, as the org at the current step, inside an open review batch',
    tags: ['reviewer'],
    params: ApplicationIdParams,
    body: DecisionBody,
    response: { status: 200, description: 'Decided', schema: view('DecisionResult') },
    errors: ['validation_failed', 'not_found', 'forbidden', 'invalid_state', 'review_window_closed'],
  }),
  decideApplications: defineRoute({
    operationId: 'decideApplications',
    method: 'POST',
    path: '/v1/review/decisions',
    group: 'review',
    auth: ['reviewer', 'admin'],
    summary: 'Up to 100 decisions at once, each answered on its own',
    tags: ['reviewer'],
    body: BulkDecisionBody,
    response: { status: 200, description: 'One result per item', schema: view('BulkDecisionResult') },
    errors: ['validation_failed'],
  }),
  downloadAttachment: defineRoute({
    operationId: 'downloadAttachment',
    method: 'GET',
    path: '/v1/applications/{id}/attachments/{attachmentId}',
    group: 'review',
    auth: ['worker', 'reviewer', 'admin'],
    summary:
      'A presigned GET, valid for five minutes, of the bytes that were verified (never a later upload), served as an attachment with the verified type; every download is audited',
    tags: ['reviewer', 'worker'],
    params: AttachmentParams,
    response: { status: 200, description: 'Download link', schema: view('AttachmentDownload') },
    errors: ['not_found'],
  }),
  listApplications: defineRoute({
    operationId: 'listApplications',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/applications',
    group: 'review',
    auth: ['reviewer', 'admin'],
    summary:
      'A programme’s submitted applications on the caller org’s review chains, in receipt order, filtered by unit, employer, status, place state or a name/受理号 search',
    tags: ['reviewer'],
    params: ProgrammeIdParams,
    query: ApplicationsQuery,
    response: { status: 200, description: 'A page of applications', schema: view('ApplicationsPage') },
    errors: ['validation_failed', 'not_found'],
  }),
  programmeDashboard: defineRoute({
    operationId: 'programmeDashboard',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/dashboard',
    group: 'review',
    auth: ['reviewer', 'admin'],
    summary:
      '统计: applications per status and unit on the caller org’s chains, places, approvals per review batch, money planned and paid per funder',
    tags: ['reviewer', 'admin'],
    params: ProgrammeIdParams,
    response: { status: 200, description: 'The counts', schema: view('Dashboard') },
    errors: ['not_found'],
  }),
  recordExport: defineRoute({
    operationId: 'recordExport',
    method: 'POST',
    path: '/v1/audit/exports',
    group: 'review',
    auth: ['reviewer', 'admin'],
    summary: 'Record an Excel export of a console list in the caller org’s audit trail',
    tags: ['reviewer', 'admin'],
    body: ExportAuditBody,
    response: { status: 201, description: 'Recorded', schema: view('ExportAuditRecorded') },
    errors: ['validation_failed', 'not_found'],
  }),
} as const;
