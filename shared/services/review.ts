import { attachmentDisposition, isPinIntact, presignDownload } from '../adapters/attachment-store.ts';
import { applicantNotice } from '../adapters/notification-items.ts';
import { actingOrg, type Caller } from '../domain/caller.ts';
import { enrolmentView } from '../domain/catalogue.ts';
import { isWithinWindow } from '../domain/dates.ts';
import { type DocumentContentType, documentFileNames } from '../domain/documents.ts';
import { AppError, notFound } from '../errors.ts';
import { logger } from '../logger.ts';
import type { ApplicationBundle, ApplicationRecord } from '../model/application.ts';
import type { DecisionBody } from '../schemas/review.ts';
import type { Programme } from '../schemas/views/programmes.ts';
import { rethrowAsContract } from './contract-errors.ts';
import type { Deps } from './deps.ts';
import { openPageCursor, sealPageToken } from './page-cursors.ts';

/**
 * Loads an application for whoever may see it: its owner, or a union on its review chain (R12).
 * Everyone else gets 404, so existence never leaks.
 */
export async function visibleBundle(
  deps: Deps,
  caller: Caller,
  applicationId: string,
): Promise<ApplicationBundle> {
  const bundle = await deps.applications.bundle(applicationId);
  const app = bundle?.application;
  // A draft is the worker's alone: its chain becomes the unions' business only once it is submitted.
  const visible =
    app !== undefined &&
    (caller.role === 'worker'
      ? app.ownerSub === caller.sub
      : app.status !== 'draft' && app.chain.includes(actingOrg(caller)));
  if (!bundle || !visible) throw notFound('申请不存在');
  return bundle;
}

/** R12: review actions happen only inside an open review batch (inclusive Shanghai dates). */
export function openBatch(programme: Pick<Programme, 'reviewBatches'>, now: Date) {
  return programme.reviewBatches.find((b) => isWithinWindow(now, b));
}

export interface DecisionOutcome {
  id: string;
  status: string;
  currentOrgId: string | null;
  quota: { unitOrgId: string; state: string };
}

/**
 * `POST /applications/{id}/decisions` (R2, R12 各级工会按权限逐级审核): only the org at the current
 * step decides, only inside an open review batch, only while the application is in review.
 * Approval passes it up the chain (the top approves it outright); rejection releases its place to
 * the earliest waitlisted applicant; a return sends it back to the worker for correction, keeping
 * its place and its step.
 */
export async function decide(
  deps: Deps,
  caller: Caller,
  applicationId: string,
  body: DecisionBody,
  now: Date,
): Promise<DecisionOutcome> {
  const org = actingOrg(caller);
  const { application: app } = await visibleBundle(deps, caller, applicationId);
  if (app.status !== 'in_review') throw new AppError('invalid_state', { message: '该申请当前不在审核中' });
  if (app.currentOrgId !== org)
    throw new AppError('forbidden', { message: '该申请当前不在本组织的审核环节' });
  const found = await deps.programmes.get(app.programmeId);
  if (!found) throw notFound('项目不存在');
  const batch = openBatch(found.programme, now);
  if (!batch) throw new AppError('review_window_closed');

  const at = now.toISOString();
  const decision = {
    orgId: org,
    decision: body.decision,
    decidedAt: at,
    ...(body.reason ? { reason: body.reason } : {}),
  };
  const event = {
    at,
    orgId: org,
    actor: caller.sub,
    batchId: batch.id,
    ...(body.reason ? { reason: body.reason } : {}),
  };
  const quota = { unitOrgId: app.unitOrgId, state: app.quotaState };

  if (body.decision === 'reject') {
    const outcome = await deps.ledger
      .release({
        applicationId,
        status: 'rejected',
        from: ['in_review'],
        currentOrgId: org,
        at,
        event: { type: 'rejected', ...event },
        decision,
      })
      .catch(rethrowAsContract);
    return {
      id: applicationId,
      status: 'rejected',
      currentOrgId: null,
      quota: { ...quota, state: outcome.released === 'none' ? 'none' : 'released' },
    };
  }

  let changed: boolean;
  let result: DecisionOutcome;
  const next = app.chain[app.chain.indexOf(org) + 1];
  const receipt = String(app.sequence ?? '');
  if (body.decision === 'return') {
    // The worker learns of the return, its reason and the batch's last day by SMS (issue 17).
    const notice = applicantNotice(app, 'returned', at, {
      receipt,
      reason: body.reason ?? '',
      lastDay: batch.closesOn,
    });
    changed = await deps.applications.returnToWorker(app, decision, { type: 'returned', ...event }, notice);
    result = { id: applicationId, status: 'returned', currentOrgId: org, quota };
  } else if (next) {
    changed = await deps.applications.advanceStep(app, decision, next, {
      type: 'approved_step',
      ...event,
      nextOrgId: next,
    });
    result = { id: applicationId, status: 'in_review', currentOrgId: next, quota };
  } else {
    changed = await deps.applications.approve(
      app,
      decision,
      { type: 'approved', ...event },
      applicantNotice(app, 'approved', at, { receipt }),
    );
    result = { id: applicationId, status: 'approved', currentOrgId: null, quota };
  }
  // Someone else decided or the worker withdrew between our read and our write.
  if (!changed) throw new AppError('invalid_state', { message: '申请状态已变化，请刷新后重试' });
  return result;
}

/** The bulk route: up to 100 decisions, each answered on its own. */
export async function decideMany(
  deps: Deps,
  caller: Caller,
  items: (DecisionBody & { id: string })[],
  now: Date,
) {
  const results = [];
  for (const item of items) {
    try {
      const result = await decide(
        deps,
        caller,
        item.id,
        item.decision === 'approve'
          ? { decision: item.decision, ...(item.reason ? { reason: item.reason } : {}) }
          : { decision: item.decision, reason: item.reason },
        now,
      );
      results.push({ id: item.id, ok: true, result });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ id: item.id, ok: false, error: { code: err.code, message: err.message } });
    }
  }
  return { results };
}

/**
 * `GET /review/queue`: the applications awaiting the caller's org, in submission order, a page at a
 * time from the review-queue index (never a scan), narrowed by unit, employer and level if asked.
 */
export async function reviewQueue(
  deps: Deps,
  caller: Caller,
  query: {
    programmeId: string;
    unitOrgId?: string | undefined;
    employerOrgId?: string | undefined;
    level?: string | undefined;
    cursor?: string | undefined;
    limit: number;
  },
) {
  const org = actingOrg(caller);
  const after = query.cursor ? await openPageCursor(deps.cipher(), query.cursor) : undefined;
  const filter = { unitOrgId: query.unitOrgId, employerOrgId: query.employerOrgId, level: query.level };
  const page = await deps.applications
    .reviewQueuePage(query.programmeId, org, query.limit, after, filter)
    .catch(rethrowAsContract);
  return {
    programmeId: query.programmeId,
    orgId: org,
    items: await Promise.all(page.items.map((app) => withWaitlistPosition(deps, app))),
    ...(page.next ? { cursor: await sealPageToken(deps.cipher(), page.next) } : {}),
  };
}

/** A queue item, with its waitlist position when it waits (one count query, waiting items only). */
async function withWaitlistPosition(deps: Deps, app: ApplicationRecord) {
  const item = queueItem(app);
  if (app.quotaState !== 'waitlisted' || app.sequence === undefined) return item;
  const waitlistPosition = await deps.waitlist.position(app.programmeId, app.unitOrgId, app.sequence);
  return { ...item, waitlistPosition };
}

function queueItem(app: ApplicationRecord) {
  return {
    id: app.id,
    sequence: app.sequence ?? 0,
    submittedAt: app.submittedAt ?? app.createdAt,
    employerOrgId: app.employerOrgId,
    unitOrgId: app.unitOrgId,
    applicant: {
      name: app.applicant.name,
      idNumber: app.applicant.idNumber.masked,
      positionLevel: app.applicant.positionLevel,
      migrantWorker: app.applicant.migrantWorker,
    },
    // R3: the offering beside the job title and relevance, or the 非合作院校 flag.
    enrolment: enrolmentView(app.enrolment),
    jobTitle: app.jobTitle,
    relevance: app.relevance,
    quota: { unitOrgId: app.unitOrgId, state: app.quotaState },
  };
}

/**
 * `GET /applications/{id}/attachments/{attachmentId}`: a presigned GET valid for five minutes. Every
 * download is an audit event on the application's timeline (PIPL: who looked at which document).
 * It serves the pinned copy of the verified bytes (at its S3 version where the bucket keeps versions),
 * never whatever the upload key holds now, and only after checking the copy is unchanged; S3 answers
 * with the verified content type and as an attachment, so a document is saved, never rendered on the
 * bucket's origin.
 */
export async function downloadAttachment(
  deps: Deps,
  caller: Caller,
  applicationId: string,
  attachmentId: string,
  now: Date,
) {
  const bundle = await visibleBundle(deps, caller, applicationId);
  const attachment = bundle.attachments.find((a) => a.attachmentId === attachmentId);
  if (attachment?.status !== 'verified') throw notFound('材料不存在');
  const s3 = await deps.s3();
  // Documents verified before pinning existed have no copy and are served from their upload key.
  if (attachment.pin && !(await isPinIntact(s3, deps.config.bucketName, attachment.pin))) {
    logger.warn('pinned document changed or missing', { applicationId, attachmentId });
    throw notFound('材料已失效，请申请人重新上传');
  }
  const contentType = attachment.contentType as DocumentContentType;
  const names = documentFileNames(attachment.kind, attachment.attachmentId, contentType);
  const link = await presignDownload(s3, deps.config.bucketName, attachment.pin?.key ?? attachment.key, 300, {
    ...(attachment.pin?.versionId ? { versionId: attachment.pin.versionId } : {}),
    contentType,
    contentDisposition: attachmentDisposition(names.ascii, names.display),
  });
  await deps.applications.appendEvent(applicationId, {
    type: 'document_downloaded',
    at: now.toISOString(),
    actor: caller.sub,
    ...(caller.org ? { orgId: caller.org } : {}),
    attachmentId,
    kind: attachment.kind,
  });
  return link;
}
