import { ApplicationIdParams } from '../../schemas/applications.ts';
import {
  AttachmentDownload,
  AttachmentParams,
  BulkDecisionBody,
  BulkDecisionResult,
  DecisionBody,
  DecisionResult,
  ReviewQueue,
  ReviewQueueQuery,
} from '../../schemas/review.ts';
import { defineRoute } from '../route.ts';

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
    response: { status: 200, description: 'A page of the queue', schema: ReviewQueue },
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
    response: { status: 200, description: 'Decided', schema: DecisionResult },
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
    response: { status: 200, description: 'One result per item', schema: BulkDecisionResult },
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
    response: { status: 200, description: 'Download link', schema: AttachmentDownload },
    errors: ['not_found'],
  }),
} as const;
