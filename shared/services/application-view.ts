import { UnreadableCiphertext } from '../adapters/field-cipher.ts';
import type { Caller } from '../domain/caller.ts';
import { enrolmentView } from '../domain/catalogue.ts';
import type { DocumentContentType } from '../domain/documents.ts';
import { maskPhone } from '../domain/identity.ts';
import { logger } from '../logger.ts';
import {
  type ApplicationBundle,
  type ApplicationRecord,
  currentPayments,
  type Revocation,
  type StoredApplicant,
} from '../model/application.ts';
import type { NotificationRecord } from '../model/notification.ts';
import type { ApplicationView, SmsDelivery } from '../schemas/views/applications.ts';
import { rethrowAsContract } from './contract-errors.ts';
import type { Deps } from './deps.ts';
import { openPageCursor, sealPageToken } from './page-cursors.ts';
import { visibleBundle } from './review.ts';

/**
 * An application as each caller may see it (R14, PIPL): the view presenter — masked personal
 * numbers, place and waitlist position, review chain, payments, timeline — and the reads that use it.
 */

/** `GET /applications/{id}` for its owner or a union on its review chain (404 for anyone else). */
export async function getApplication(
  deps: Deps,
  caller: Caller,
  applicationId: string,
): Promise<ApplicationView> {
  return toView(deps, caller, await visibleBundle(deps, caller, applicationId));
}

/** `GET /me/applications`: the caller's applications, newest first. */
export async function listMine(deps: Deps, caller: Caller, cursor: string | undefined) {
  const after = cursor ? await openPageCursor(deps.cipher(), cursor) : undefined;
  const page = await deps.applications.listForWorker(caller.sub, 20, after).catch(rethrowAsContract);
  const bundles = await Promise.all(page.ids.map((id) => deps.applications.bundle(id)));
  const applications = await Promise.all(
    bundles.filter((b): b is ApplicationBundle => b !== undefined).map((b) => toView(deps, caller, b)),
  );
  return { applications, ...(page.next ? { cursor: await sealPageToken(deps.cipher(), page.next) } : {}) };
}

/**
 * The applicant's mobile number as `viewer` may see it (issue 10 point 10, PIPL): in full only to the
 * worker who owns the application (it is the number they typed; seeing it lets them correct a typo
 * that would leave the union unable to reach them) and to reviewers and admins acting for the
 * employer's (enterprise) union, which may need to call the worker (R2 报读须经单位同意). Every other
 * union on the chain sees `138****1001`: their review needs no phone.
 */
async function phoneFor(deps: Deps, viewer: Caller, app: ApplicationRecord): Promise<string> {
  const phone: StoredApplicant['phone'] = app.applicant.phone;
  const full =
    viewer.role === 'worker'
      ? viewer.sub === app.ownerSub
      : viewer.org !== undefined && viewer.org === app.employerOrgId;
  if (typeof phone === 'string') return full ? phone : maskPhone(phone); // stored before encryption
  if (!full) return phone.masked;
  try {
    return await deps.cipher().decrypt(phone.cipher);
  } catch (err) {
    if (!(err instanceof UnreadableCiphertext)) throw err;
    // A number no key reads any more (altered, or sealed under a retired key): the view shows the
    // mask rather than failing the whole application.
    logger.warn('applicant phone unreadable', { applicationId: app.id });
    return phone.masked;
  }
}

/**
 * The application as `viewer` sees it: masked personal numbers (PIPL), place and waitlist position,
 * review chain, timeline. A worker follows every step (R14) but sees the unions that acted, not their
 * officers: every answer to a worker (read, list, correction) leaves out each event's `actor`.
 */
export async function toView(
  deps: Deps,
  viewer: Caller,
  bundle: ApplicationBundle,
): Promise<ApplicationView> {
  const app = bundle.application;
  const waitlistPosition =
    app.quotaState === 'waitlisted' && app.sequence !== undefined
      ? await deps.waitlist.position(app.programmeId, app.unitOrgId, app.sequence)
      : undefined;
  const decisions = new Map(app.decisions.map((d) => [d.orgId, d]));
  const payout = app.payoutAccount;
  return {
    id: app.id,
    programmeId: app.programmeId,
    employerOrgId: app.employerOrgId,
    unitOrgId: app.unitOrgId,
    channel: app.channel as ApplicationView['channel'],
    status: app.status as ApplicationView['status'],
    applicant: {
      name: app.applicant.name,
      idNumber: app.applicant.idNumber.masked,
      phone: await phoneFor(deps, viewer, app),
      positionLevel: app.applicant.positionLevel as ApplicationView['applicant']['positionLevel'],
      migrantWorker: app.applicant.migrantWorker,
    },
    // R3: with its offering, or flagged 非合作院校 (nonPartner) when the institution was declared.
    enrolment: enrolmentView(app.enrolment),
    chsiReport: app.chsiReport,
    jobTitle: app.jobTitle,
    relevance: app.relevance,
    payoutAccount:
      payout.kind === 'bank'
        ? {
            kind: 'bank',
            bankName: payout.bankName,
            accountName: payout.accountName,
            accountNumber: payout.accountNumber.masked,
          }
        : { kind: 'wallet', walletId: payout.walletId.masked },
    attachments: bundle.attachments.map((a) => ({
      attachmentId: a.attachmentId,
      kind: a.kind as ApplicationView['attachments'][number]['kind'],
      contentType: a.contentType as DocumentContentType,
      status: a.status,
      ...(a.sizeBytes !== undefined ? { sizeBytes: a.sizeBytes } : {}),
      ...(a.reason ? { reason: a.reason } : {}),
      createdAt: a.createdAt,
    })),
    quota: {
      unitOrgId: app.unitOrgId,
      state: app.quotaState as ApplicationView['quota']['state'],
      ...(waitlistPosition ? { waitlistPosition } : {}),
    },
    ...(app.sequence !== undefined && app.submittedAt && app.digest
      ? { receipt: { sequence: app.sequence, submittedAt: app.submittedAt, digest: app.digest } }
      : {}),
    review: {
      chain: app.chain.map((orgId) => {
        const d = decisions.get(orgId);
        return {
          orgId,
          ...(d
            ? { decision: d.decision, decidedAt: d.decidedAt, ...(d.reason ? { reason: d.reason } : {}) }
            : {}),
        };
      }),
      currentOrgId: app.currentOrgId ?? null,
    },
    // R14: what reaches the worker, never the transfers between unions.
    payments: currentPayments(bundle.payments ?? [])
      .sort((a, b) => a.plannedAt.localeCompare(b.plannedAt) || a.payerOrgId.localeCompare(b.payerOrgId))
      .map((p) => ({
        payerOrgId: p.payerOrgId,
        amountFen: p.amountFen,
        funding: p.funding,
        status: p.status === 'sending' ? 'pending' : p.status,
        ...(p.paidAt && p.status === 'paid' ? { paidAt: p.paidAt } : {}),
      })),
    timeline: bundle.timeline
      .map(({ actor, heldByUnit, ...e }) =>
        viewer.role === 'worker'
          ? e
          : { ...e, ...(actor ? { actor } : {}), ...(heldByUnit ? { heldByUnit } : {}) },
      )
      .sort((a, b) => a.at.localeCompare(b.at)),
    notifications: (bundle.notifications ?? []).map(smsDelivery).sort((a, b) => a.at.localeCompare(b.at)),
    // R14: the worker sees what was owed back by them, never what the unions hold between them.
    ...(app.revocation ? { revocation: revocationFor(viewer.role, app.revocation) } : {}),
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
  };
}

/** An SMS outbox record as the application's readers and the admin list see it (issue 17). */
export function smsDelivery(n: NotificationRecord): SmsDelivery {
  return {
    notificationId: n.notificationId,
    event: n.event,
    status: n.status,
    at: n.createdAt,
    ...(n.to ? { to: n.to } : {}),
    ...(n.dueAt ? { dueAt: n.dueAt } : {}),
    ...(n.sentAt ? { sentAt: n.sentAt } : {}),
    ...(n.failedAt ? { failedAt: n.failedAt } : {}),
    ...(n.status !== 'sent' && n.code ? { code: n.code } : {}),
    ...(n.attempts ? { attempts: n.attempts } : {}),
  };
}

function revocationFor(role: Caller['role'], revocation: Revocation): Revocation {
  if (role !== 'worker' || !revocation.heldByUnit) return revocation;
  const { heldByUnit: _unions, ...own } = revocation;
  return own;
}
