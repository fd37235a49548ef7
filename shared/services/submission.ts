import { createHmac } from 'node:crypto';
import type { Caller } from '../domain/caller.ts';
import { isWithinWindow, shanghaiDate } from '../domain/dates.ts';
import { AppError } from '../errors.ts';
import {
  type ApplicationBundle,
  type ApplicationRecord,
  liveStatuses,
  placePaidFor,
} from '../model/application.ts';
import type { ApplicationView } from '../schemas/views/applications.ts';
import { getApplication } from './application-view.ts';
import { rethrowAsContract } from './contract-errors.ts';
import type { Deps } from './deps.ts';
import { derivedKey } from './derived-keys.ts';
import { missingDocuments } from './documents.ts';
import { assertApplicantIsAccount, assertEligible, loadProgrammeTerms, ownBundle } from './drafts.ts';

/**
 * Submitting and withdrawing (architecture.md §3, R8, R10, R11): a submission claims a place or a waitlist
 * position first come, first served, and gets a receipt; a returned application goes back to the
 * step that returned it; a withdrawal frees the place for the earliest waitlisted applicant.
 */

/**
 * `POST /applications/{id}/submit`: inside the application window (R10), with all five verified
 * documents (R11) and every eligibility rule met, one transaction claims a place or a waitlist position
 * (R8 先到先得) and records the person-and-level item (R8 每人同一学历层次只可申请一次).
 */
export async function submit(deps: Deps, caller: Caller, applicationId: string, now: Date) {
  const bundle = await ownBundle(deps, caller, applicationId);
  const app = bundle.application;
  if (app.status === 'returned') return resubmit(deps, caller, bundle, now);
  if (app.status !== 'draft') throw new AppError('invalid_state', { message: '申请已提交，不能重复提交' });
  // The terms from the container's memory (seconds old at most); the unit's counters are read by the
  // ledger from the unit's own allocation item, not from the programme's partition.
  const programme = await loadProgrammeTerms(deps, app.programmeId);
  if (!isWithinWindow(now, programme.applicationWindow)) {
    throw new AppError('application_window_closed', {
      message: `补助申请时间为 ${programme.applicationWindow.opensOn} 至 ${programme.applicationWindow.closesOn}`,
    });
  }
  assertEligible(programme, app, shanghaiDate(now));
  assertApplicantIsAccount(caller, { name: app.applicant.name, idHash: app.idHash });
  const missing = await missingDocuments(deps, bundle, now);
  if (missing.length > 0) throw new AppError('missing_attachments', { details: { missing } });

  const outcome = await deps.ledger
    .submit(ledgerSubmission(deps, app, caller.sub, now.toISOString()))
    .catch(rethrowAsContract);
  const waitlistPosition =
    outcome.state === 'waitlisted'
      ? (outcome.position ??
        (await deps.waitlist.positionOnJoin(app.programmeId, app.unitOrgId, outcome.sequence)))
      : undefined;
  return {
    id: applicationId,
    status: 'in_review' as const,
    quota: {
      unitOrgId: app.unitOrgId,
      state: outcome.state,
      ...(waitlistPosition ? { waitlistPosition } : {}),
    },
    receipt: { sequence: outcome.sequence, submittedAt: outcome.submittedAt, digest: outcome.digest },
  };
}

/**
 * What the place ledger is asked to write for a draft whose checks passed: its place or waitlist slot
 * with a receipt, and the submission's items, guarded on the draft as it was checked (`updatedAt`).
 */
export function ledgerSubmission(
  deps: Pick<Deps, 'cipher'>,
  app: ApplicationRecord,
  actor: string,
  submittedAt: string,
): Parameters<Deps['ledger']['submit']>[0] {
  return {
    applicationId: app.id,
    programmeId: app.programmeId,
    unitOrgId: app.unitOrgId,
    expectedUpdatedAt: app.updatedAt,
    idHash: app.idHash,
    level: app.enrolment.level,
    submittedAt,
    reviewerOrgId: app.chain[0] ?? null,
    actor,
    ...(app.draftCounted ? { countedDraftOf: app.ownerSub } : {}),
    digest: (sequence) =>
      receiptDigest(deps, {
        programmeId: app.programmeId,
        applicationId: app.id,
        sequence,
        submittedAt,
        unitOrgId: app.unitOrgId,
      }),
  };
}

/**
 * A returned application, corrected, goes back to the step that returned it (R12), keeping its
 * receipt and its place or waitlist position.
 */
async function resubmit(deps: Deps, caller: Caller, bundle: ApplicationBundle, now: Date) {
  const app = bundle.application;
  const missing = await missingDocuments(deps, bundle, now);
  if (missing.length > 0) throw new AppError('missing_attachments', { details: { missing } });
  const at = now.toISOString();
  const step = app.currentOrgId;
  const sequence = app.sequence;
  if (!step || sequence === undefined || !app.submittedAt || !app.digest) throw new AppError('invalid_state');
  const changed = await deps.applications.resubmit(app, at, {
    type: 'resubmitted',
    at,
    orgId: step,
    actor: caller.sub,
  });
  if (!changed) throw new AppError('invalid_state', { message: '申请状态已变化，请刷新后重试' });
  const waitlistPosition =
    app.quotaState === 'waitlisted'
      ? await deps.waitlist.position(app.programmeId, app.unitOrgId, sequence)
      : undefined;
  return {
    id: app.id,
    status: 'in_review' as const,
    quota: {
      unitOrgId: app.unitOrgId,
      state: app.quotaState as 'claimed' | 'waitlisted',
      ...(waitlistPosition ? { waitlistPosition } : {}),
    },
    receipt: { sequence, submittedAt: app.submittedAt, digest: app.digest },
  };
}

/**
 * The receipt's digest: an HMAC-SHA256 over what the receipt states, so the union can confirm a receipt
 * a worker shows was issued by this system and not altered. The key is derived once per container from
 * the field HMAC key (`derivedKey`, purpose `receipt-digest-key`): anyone who may use that key can
 * recompute a digest, and a submit — or a join that draws a fresh number — makes no KMS call for it.
 */
export async function receiptDigest(
  deps: Pick<Deps, 'cipher'>,
  r: { programmeId: string; applicationId: string; sequence: number; submittedAt: string; unitOrgId: string },
): Promise<string> {
  const key = await derivedKey(deps.cipher(), RECEIPT_KEY_PURPOSE);
  return createHmac('sha256', key)
    .update(
      `receipt.v1.${[r.programmeId, r.sequence, r.applicationId, r.submittedAt, r.unitOrgId].join('|')}`,
    )
    .digest('hex');
}

const RECEIPT_KEY_PURPOSE = 'receipt-digest-key';

/** `POST /applications/{id}/withdraw`: frees the place; the earliest waitlisted applicant takes it. */
export async function withdraw(
  deps: Deps,
  caller: Caller,
  applicationId: string,
  now: Date,
): Promise<ApplicationView> {
  const { application: app } = await ownBundle(deps, caller, applicationId);
  // Paid or being paid (a payment to the worker, or a transfer carrying its funders' shares to its
  // unit): the place was paid for and must never pass to the next worker (two subsidies for one
  // place). Only an admin can revoke it then; the ledger guards the same in its transaction.
  if (placePaidFor(app)) {
    throw new AppError('invalid_state', {
      message: '补助已进入发放流程或已发放，不能撤回；如需撤销请联系工会管理员',
    });
  }
  const at = now.toISOString();
  await deps.ledger
    .release({
      applicationId,
      status: 'withdrawn',
      from: ['draft', ...liveStatuses],
      at,
      // Audit trail: the place it frees is the unit's.
      event: { type: 'withdrawn', at, orgId: app.unitOrgId, actor: caller.sub },
    })
    .catch(rethrowAsContract);
  return getApplication(deps, caller, applicationId);
}
