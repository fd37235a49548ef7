import { createHash, randomBytes } from 'node:crypto';
import type {
  ApplicationBundle,
  ApplicationRecord,
  AttachmentRecord,
  StoredApplicant,
  StoredPayoutAccount,
} from '../adapters/applications-repo.ts';
import {
  deleteObject,
  headObject,
  isPinIntact,
  pinObject,
  presignUpload,
  readUpload,
} from '../adapters/attachment-store.ts';
import { attachmentsBucket } from '../adapters/bucket.ts';
import {
  reviewQueueIndex,
  statusIndex,
  WORKER_APPLICATIONS_CURSOR_KEYS,
  workerApplicationsIndex,
} from '../adapters/keys.ts';
import { liveStatuses } from '../adapters/place-ledger.ts';
import { type AccountIdentity, applicantMatchesAccount } from '../domain/account.ts';
import { enrolmentView, type StoredEnrolment } from '../domain/catalogue.ts';
import { isWithinWindow, shanghaiDate } from '../domain/dates.ts';
import {
  attachmentKinds,
  type DocumentContentType,
  MAX_DOCUMENT_BYTES,
  verifyDocument,
} from '../domain/documents.ts';
import { eligibilityFailures, ruleMessages } from '../domain/eligibility.ts';
import { fundersCommittedMore, fundingNotGoverned } from '../domain/funding.ts';
import { maskAccountNumber, maskIdNumber, maskPhone, maskWalletId } from '../domain/identity.ts';
import { mayActOn } from '../domain/orgs.ts';
import { reviewChain } from '../domain/review.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { Caller } from '../http/auth.ts';
import { actingOrg } from '../http/auth.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { logger } from '../logger.ts';
import type {
  ApplicationView,
  CreateApplicationBody,
  ReallocationBody,
  UpdateApplicationBody,
} from '../schemas/applications.ts';
import type { Programme } from '../schemas/programmes.ts';
import type { Deps } from './deps.ts';
import { resolveEnrolment } from './offerings.ts';
import { visibleBundle } from './review.ts';

/** Most documents one application may upload, re-uploads included. */
const MAX_ATTACHMENTS = 30;
const ID_HASH_PURPOSE = 'resident-id';

const newId = () => randomBytes(10).toString('hex');

async function loadProgramme(deps: Deps, programmeId: string): Promise<Programme> {
  return (await loadProgrammeWithCounters(deps, programmeId)).programme;
}

async function loadProgrammeWithCounters(deps: Deps, programmeId: string) {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw invalid([{ path: 'programmeId', message: '项目不存在' }]);
  return found;
}

/**
 * The employer must be an enterprise (union) inside one of the programme's allocation units; the
 * unit it belongs to is where its worker's place is claimed (R5), its path fixes the review chain (R12).
 */
async function resolveEmployer(deps: Deps, programme: Programme, employerOrgId: string) {
  const employer = await deps.orgs.get(employerOrgId);
  const units = new Set(programme.allocations.map((a) => a.unitOrgId));
  const unitOrgId = employer?.path.find((id) => units.has(id));
  if (employer?.kind !== 'enterprise' || !unitOrgId) {
    throw invalid([
      { path: 'employerOrgId', message: '所在单位须为本项目名额分配范围内已注册的企业(单位)工会' },
    ]);
  }
  const pathOrgs = await deps.orgs.getMany(employer.path);
  return { employer, unitOrgId, chain: reviewChain(employer.path, (id) => pathOrgs.get(id)) };
}

function assertEligible(
  programme: Programme,
  app: Pick<ApplicationRecord, 'applicant' | 'enrolment' | 'chsiReport'>,
  onDate: string,
) {
  const failed = eligibilityFailures(
    {
      positionLevel: app.applicant.positionLevel,
      level: app.enrolment.level,
      enrolledOn: app.enrolment.enrolledOn,
      chsiValidUntil: app.chsiReport.validUntil,
    },
    { levels: programme.levels, enrolmentYear: programme.enrolmentYear },
    onDate,
  );
  if (failed.length > 0) {
    throw new AppError('ineligible', {
      message: failed.map((r) => ruleMessages[r]).join('；'),
      details: { rules: failed },
    });
  }
}

async function protectPayout(
  deps: Deps,
  account: CreateApplicationBody['payoutAccount'],
): Promise<StoredPayoutAccount> {
  if (account.kind === 'bank') {
    return {
      kind: 'bank',
      bankName: account.bankName,
      accountName: account.accountName,
      accountNumber: {
        cipher: await deps.cipher().encrypt(account.accountNumber),
        masked: maskAccountNumber(account.accountNumber),
      },
    };
  }
  return {
    kind: 'wallet',
    walletId: {
      cipher: await deps.cipher().encrypt(account.walletId),
      masked: maskWalletId(account.walletId),
    },
  };
}

async function protectApplicant(deps: Deps, applicant: CreateApplicationBody['applicant']) {
  return {
    stored: {
      name: applicant.name,
      idNumber: {
        cipher: await deps.cipher().encrypt(applicant.idNumber),
        masked: maskIdNumber(applicant.idNumber),
      },
      // Issue 10 point 10: encrypted like the ID number, masked for everyone but who may call.
      phone: {
        cipher: await deps.cipher().encrypt(applicant.phone),
        masked: maskPhone(applicant.phone),
      },
      positionLevel: applicant.positionLevel,
      migrantWorker: applicant.migrantWorker,
    },
    idHash: await deps.cipher().lookupHash(applicant.idNumber, ID_HASH_PURPOSE),
  };
}

/**
 * Issue 10 point 8's seam: the account may apply only as the person it is. Today's issuers carry no
 * verified real name, so the identity is the account alone and every applicant passes; the identity
 * issue fills `verifiedName` / `verifiedIdHash` from the issuer here.
 */
function assertApplicantIsAccount(caller: Caller, applicant: { name: string; idHash: string }) {
  const identity: AccountIdentity = { sub: caller.sub };
  if (!applicantMatchesAccount(identity, applicant)) {
    throw new AppError('forbidden', { message: '申请人须为本账号实名认证的本人' });
  }
}

/** Loads an application for its owner; anyone else gets 404 so existence never leaks. */
async function ownBundle(deps: Deps, caller: Caller, applicationId: string): Promise<ApplicationBundle> {
  const bundle = await deps.applications.bundle(applicationId);
  if (!bundle || bundle.application.ownerSub !== caller.sub) throw notFound('申请不存在');
  return bundle;
}

/** `POST /applications`: a worker's draft, checked for everything that can be checked before submitting. */
export async function createDraft(
  deps: Deps,
  caller: Caller,
  body: CreateApplicationBody,
  now: Date,
): Promise<ApplicationView> {
  const programme = await loadProgramme(deps, body.programmeId);
  const { unitOrgId, chain } = await resolveEmployer(deps, programme, body.employerOrgId);
  // Issue 16 (R3/R4): an offering of the catalogue, or a declared institution where the programme allows it.
  const enrolment = await resolveEnrolment(deps, programme, unitOrgId, body.enrolment);
  const { stored, idHash } = await protectApplicant(deps, body.applicant);
  assertApplicantIsAccount(caller, { name: stored.name, idHash });
  const at = now.toISOString();
  const record: ApplicationRecord = {
    id: newId(),
    programmeId: programme.id,
    employerOrgId: body.employerOrgId,
    unitOrgId,
    ownerSub: caller.sub,
    channel: body.channel,
    status: 'draft',
    quotaState: 'none',
    applicant: stored,
    idHash,
    enrolment,
    chsiReport: body.chsiReport,
    jobTitle: body.jobTitle,
    relevance: body.relevance,
    payoutAccount: await protectPayout(deps, body.payoutAccount),
    chain,
    currentOrgId: null,
    decisions: [],
    createdAt: at,
    updatedAt: at,
  };
  assertEligible(programme, record, shanghaiDate(now));
  // One live application per account and programme, at most five live drafts per account (issue 10
  // point 8), enforced by the create transaction itself so that racing creates cannot both pass.
  await deps.applications.create(record);
  return toView(deps, caller, { application: record, attachments: [], timeline: [{ type: 'created', at }] });
}

/** `PATCH /applications/{id}`: a worker corrects its own draft until it submits. */
export async function updateDraft(
  deps: Deps,
  caller: Caller,
  applicationId: string,
  body: UpdateApplicationBody,
  now: Date,
): Promise<ApplicationView> {
  const bundle = await ownBundle(deps, caller, applicationId);
  const current = bundle.application;
  const editable = current.status === 'draft' || current.status === 'returned';
  if (!editable) throw new AppError('invalid_state', { message: '只能修改尚未提交或被退回的申请' });
  const programme = await loadProgramme(deps, current.programmeId);
  const fields: Partial<ApplicationRecord> = {};
  if (current.status === 'returned') {
    // A returned application keeps its place and its person-and-level claim (R8): the employer and
    // the person cannot change, only what the reviewer asked to correct.
    const problems = [];
    if (body.employerOrgId !== undefined && body.employerOrgId !== current.employerOrgId) {
      problems.push({ path: 'employerOrgId', message: '被退回的申请不能更换所在单位' });
    }
    if (
      body.applicant &&
      (await deps.cipher().lookupHash(body.applicant.idNumber, ID_HASH_PURPOSE)) !== current.idHash
    ) {
      problems.push({ path: 'applicant.idNumber', message: '被退回的申请不能更换身份证号' });
    }
    if (problems.length > 0) throw invalid(problems);
  }
  if (body.employerOrgId !== undefined && body.employerOrgId !== current.employerOrgId) {
    const { unitOrgId, chain } = await resolveEmployer(deps, programme, body.employerOrgId);
    Object.assign(fields, { employerOrgId: body.employerOrgId, unitOrgId, chain });
  }
  // Issue 16: a new enrolment, or a new unit, is checked against the catalogue offered to that unit.
  const unitOrgId = fields.unitOrgId ?? current.unitOrgId;
  if (body.enrolment || unitOrgId !== current.unitOrgId) {
    const enrolment = await resolveEnrolment(
      deps,
      programme,
      unitOrgId,
      body.enrolment ?? enrolmentInput(current.enrolment),
      current.enrolment,
    );
    if (current.status === 'returned' && enrolment.level !== current.enrolment.level) {
      throw invalid([{ path: 'enrolment.level', message: '被退回的申请不能更换学历层次' }]);
    }
    fields.enrolment = enrolment;
  }
  if (body.applicant) {
    const { stored, idHash } = await protectApplicant(deps, body.applicant);
    Object.assign(fields, { applicant: stored, idHash });
  }
  if (body.payoutAccount) fields.payoutAccount = await protectPayout(deps, body.payoutAccount);
  for (const key of ['channel', 'chsiReport', 'jobTitle', 'relevance'] as const) {
    if (body[key] !== undefined) Object.assign(fields, { [key]: body[key] });
  }
  const next = { ...current, ...fields, updatedAt: now.toISOString() };
  assertEligible(programme, next, shanghaiDate(now));
  await deps.applications.updateDraft(
    applicationId,
    current.updatedAt,
    { ...fields, updatedAt: next.updatedAt },
    current.status === 'returned' ? 'returned' : 'draft',
  );
  return toView(deps, caller, { ...bundle, application: next });
}

/** A stored enrolment as the request that would choose it again (re-checked when the unit changes). */
function enrolmentInput(e: StoredEnrolment) {
  return e.offeringId
    ? { offeringId: e.offeringId, enrolledOn: e.enrolledOn }
    : {
        institution: e.institution,
        major: e.major,
        level: e.level as 'junior_college' | 'bachelor',
        enrolledOn: e.enrolledOn,
        ...(e.institutionCode ? { institutionCode: e.institutionCode } : {}),
      };
}

/**
 * `POST /applications/{id}/attachments` (R11): a presigned POST whose policy pins the server-chosen
 * key, the content type and a size range up to 10 MB. The upload counts only once verified.
 */
export async function requestUpload(
  deps: Deps,
  caller: Caller,
  applicationId: string,
  body: { kind: string; contentType: DocumentContentType; sizeBytes: number },
  now: Date,
) {
  const bundle = await ownBundle(deps, caller, applicationId);
  if (bundle.application.status !== 'draft' && bundle.application.status !== 'returned') {
    throw new AppError('invalid_state', { message: '申请已提交，不能再上传材料' });
  }
  if (bundle.attachments.length >= MAX_ATTACHMENTS) {
    throw new AppError('invalid_state', { message: `每份申请最多上传 ${MAX_ATTACHMENTS} 个文件` });
  }
  const attachmentId = newId();
  const key = `${attachmentsBucket.applicationPrefix}${applicationId}/${attachmentId}`;
  const upload = await presignUpload(await deps.s3(), deps.config.bucketName, {
    key,
    contentType: body.contentType,
    maxBytes: MAX_DOCUMENT_BYTES,
  });
  await deps.applications.putAttachment({
    attachmentId,
    applicationId,
    kind: body.kind,
    contentType: body.contentType,
    declaredBytes: body.sizeBytes,
    key,
    status: 'pending',
    createdAt: now.toISOString(),
  });
  return { attachmentId, upload: { url: upload.url, fields: upload.fields }, expiresAt: upload.expiresAt };
}

/** Parses `applications/{applicationId}/{attachmentId}`, the only keys the server hands out. */
export function parseAttachmentKey(key: string): { applicationId: string; attachmentId: string } | undefined {
  const m = /^applications\/([a-z0-9]+)\/([a-z0-9]+)$/.exec(key);
  return m?.[1] && m[2] ? { applicationId: m[1], attachmentId: m[2] } : undefined;
}

/**
 * Where a verification keeps the bytes it verified: below the upload key, so the bucket's grants and
 * lifecycle cover it, but a key no presigned POST ever names (each form pins its key exactly), and one
 * of its own per attempt, so two racing verifications never write over each other's copy.
 */
function pinnedKey(attachment: AttachmentRecord): string {
  return `${attachment.key}/verified-${newId()}`;
}

/**
 * Verifies one uploaded document (R11): it exists, its real size is within the limit and its magic
 * bytes match the declared type. A forged file is rejected and removed. A genuine one is pinned: the
 * very bytes checked are copied to a key of their own and the record keeps that copy's ETag (and S3
 * version) and their SHA-256, so what reviewers download is what was verified even if the upload key
 * is written again through the same form, which stays valid for 15 minutes. Runs on the bucket's
 * object-created event (S3 notification in AWS, the emulator's event locally) and again at submit.
 */
export async function verifyAttachment(
  deps: Deps,
  attachment: AttachmentRecord,
  now: Date,
): Promise<AttachmentRecord> {
  if (attachment.status !== 'pending') return attachment;
  const s3 = await deps.s3();
  const bucket = deps.config.bucketName;
  const object = await readUpload(s3, bucket, attachment.key, MAX_DOCUMENT_BYTES);
  if (!object) return attachment; // not uploaded yet: stays pending
  const contentType = attachment.contentType as DocumentContentType;
  const result = verifyDocument(contentType, object);
  if (!result.ok || !object.bytes) {
    const verdict = {
      status: 'rejected' as const,
      sizeBytes: object.sizeBytes,
      reason: result.ok ? 'missing' : result.reason,
      at: now.toISOString(),
    };
    await deps.applications.settleAttachment(attachment.applicationId, attachment.attachmentId, verdict);
    await deleteObject(s3, bucket, attachment.key, object.versionId);
    return { ...attachment, ...verdict };
  }
  const sha256 = createHash('sha256').update(object.bytes).digest();
  const pinned = await pinObject(s3, bucket, pinnedKey(attachment), {
    bytes: object.bytes,
    contentType,
    sha256,
  });
  const verdict = {
    status: 'verified' as const,
    sizeBytes: result.sizeBytes,
    at: now.toISOString(),
    pin: {
      ...pinned,
      sha256: sha256.toString('hex'),
      ...(object.etag ? { uploadEtag: object.etag } : {}),
      ...(object.versionId ? { uploadVersionId: object.versionId } : {}),
    },
  };
  const settled = await deps.applications.settleAttachment(
    attachment.applicationId,
    attachment.attachmentId,
    verdict,
  );
  if (settled) return { ...attachment, ...verdict };
  // Another verification (the event, or a submit) settled it first: its verdict and its copy stand.
  // If it settled other bytes (a form re-posted while both ran), the object read here goes too.
  await deleteObject(s3, bucket, pinned.key, pinned.versionId);
  const current = (await deps.applications.bundle(attachment.applicationId))?.attachments.find(
    (a) => a.attachmentId === attachment.attachmentId,
  );
  if (current && current.status !== 'pending') await discardReplacement(deps, current, object.versionId);
  return current ?? attachment;
}

/**
 * An object arriving at the key of a document already decided: the same presigned form re-POSTed
 * within its 15 minutes. It is deleted (in a versioned bucket exactly that version, so the verified
 * upload is current again); the record and the pinned copy stay as they are. Only the verified
 * upload's own notification arriving late (after submit already verified it) is left alone.
 * Returns whether an object was deleted.
 */
async function discardReplacement(
  deps: Deps,
  attachment: AttachmentRecord,
  versionId: string | undefined,
): Promise<boolean> {
  const s3 = await deps.s3();
  const bucket = deps.config.bucketName;
  const pin = attachment.status === 'verified' ? attachment.pin : undefined;
  if (pin?.uploadVersionId && versionId) {
    if (versionId === pin.uploadVersionId) return false;
  } else if (pin) {
    const current = await headObject(s3, bucket, attachment.key, versionId);
    if (!current) return false;
    if (current.etag !== undefined && current.etag === pin.uploadEtag) return false;
  }
  await deleteObject(s3, bucket, attachment.key, versionId);
  logger.warn('upload to a decided document deleted', {
    applicationId: attachment.applicationId,
    attachmentId: attachment.attachmentId,
    status: attachment.status,
  });
  return true;
}

/**
 * Handles one object-created notification for the attachments bucket: verifies a pending document,
 * deletes an object nobody asked for and one that would replace a decided document. Returns the
 * attachment as it now stands, or `undefined` when the object was not one to verify.
 */
export async function verifyUploadedObject(
  deps: Deps,
  key: string,
  now: Date,
  versionId?: string,
): Promise<AttachmentRecord | undefined> {
  const ids = parseAttachmentKey(key);
  if (!ids) return undefined;
  const bundle = await deps.applications.bundle(ids.applicationId);
  const attachment = bundle?.attachments.find((a) => a.attachmentId === ids.attachmentId);
  if (!attachment) {
    // Nobody asked for this key: an object the server did not hand out is not kept.
    await deleteObject(await deps.s3(), deps.config.bucketName, key, versionId);
    return undefined;
  }
  if (attachment.status !== 'pending') {
    await discardReplacement(deps, attachment, versionId);
    return undefined;
  }
  return verifyAttachment(deps, attachment, now);
}

/**
 * Whether a verified document still has its verified bytes: its pinned copy is there, unchanged.
 * Documents verified before pinning existed have no copy and are taken as they are.
 */
async function isVerifiedIntact(deps: Deps, attachment: AttachmentRecord): Promise<boolean> {
  if (attachment.status !== 'verified') return false;
  if (!attachment.pin) return true;
  return isPinIntact(await deps.s3(), deps.config.bucketName, attachment.pin);
}

/**
 * R11: each kind needs at least one verified document whose pinned bytes are still intact; uploads
 * still pending are verified now (a requested upload that never arrived stays pending and hides
 * nothing). Returns the kinds missing.
 */
async function missingDocuments(deps: Deps, bundle: ApplicationBundle, now: Date): Promise<string[]> {
  const settled = await Promise.all(
    bundle.attachments
      .filter((a) => a.status !== 'rejected')
      .map(async (a) => {
        const result = await verifyAttachment(deps, a, now);
        return (await isVerifiedIntact(deps, result)) ? result : undefined;
      }),
  );
  const verified = new Set(settled.flatMap((a) => (a ? [a.kind] : [])));
  return attachmentKinds.filter((k) => !verified.has(k));
}

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
  const { programme, allocations } = await loadProgrammeWithCounters(deps, app.programmeId);
  if (!isWithinWindow(now, programme.applicationWindow)) {
    throw new AppError('application_window_closed', {
      message: `补助申请时间为 ${programme.applicationWindow.opensOn} 至 ${programme.applicationWindow.closesOn}`,
    });
  }
  assertEligible(programme, app, shanghaiDate(now));
  assertApplicantIsAccount(caller, { name: app.applicant.name, idHash: app.idHash });
  const missing = await missingDocuments(deps, bundle, now);
  if (missing.length > 0) throw new AppError('missing_attachments', { details: { missing } });

  const submittedAt = now.toISOString();
  const outcome = await deps.ledger.submit({
    applicationId,
    programmeId: app.programmeId,
    unitOrgId: app.unitOrgId,
    expectedUpdatedAt: app.updatedAt,
    idHash: app.idHash,
    level: app.enrolment.level,
    submittedAt,
    set: {},
    reviewerOrgId: app.chain[0] ?? null,
    actor: caller.sub,
    ...(app.draftCounted ? { countedDraftOf: app.ownerSub } : {}),
    counters: allocations.find((a) => a.unitOrgId === app.unitOrgId),
    digest: (sequence) =>
      receiptDigest(deps, {
        programmeId: app.programmeId,
        applicationId,
        sequence,
        submittedAt,
        unitOrgId: app.unitOrgId,
      }),
  });
  const waitlistPosition =
    outcome.state === 'waitlisted'
      ? await deps.ledger.waitlistPositionOnJoin(app.programmeId, app.unitOrgId, outcome.sequence)
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
  const changed = await deps.applications.change(
    app.id,
    {
      set: {
        status: 'in_review',
        updatedAt: at,
        ...statusIndex(app.programmeId, 'in_review', sequence),
        ...reviewQueueIndex(app.programmeId, step, sequence),
      },
      condition: '#status = :returned AND updatedAt = :updatedAt',
      values: { ':returned': 'returned', ':updatedAt': app.updatedAt },
    },
    { type: 'resubmitted', at, orgId: step, actor: caller.sub },
  );
  if (!changed) throw new AppError('invalid_state', { message: '申请状态已变化，请刷新后重试' });
  const waitlistPosition =
    app.quotaState === 'waitlisted'
      ? await deps.ledger.waitlistPosition(app.programmeId, app.unitOrgId, sequence)
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
 * The receipt's digest: a keyed hash over what the receipt states, so the union can confirm a receipt
 * a worker shows it was issued by this system and not altered.
 */
export function receiptDigest(
  deps: Deps,
  r: { programmeId: string; applicationId: string; sequence: number; submittedAt: string; unitOrgId: string },
): Promise<string> {
  return deps
    .cipher()
    .lookupHash(
      [r.programmeId, r.sequence, r.applicationId, r.submittedAt, r.unitOrgId].join('|'),
      'receipt',
    );
}

/** `POST /applications/{id}/withdraw`: frees the place; the earliest waitlisted applicant takes it. */
export async function withdraw(
  deps: Deps,
  caller: Caller,
  applicationId: string,
  now: Date,
): Promise<ApplicationView> {
  const { application: app } = await ownBundle(deps, caller, applicationId);
  // Paid or being paid: the place was paid for and must never pass to the next worker (two subsidies
  // for one place). Only an admin can revoke it then; the ledger guards the same in its transaction.
  if ((app.paymentsHeld ?? 0) > 0) {
    throw new AppError('invalid_state', {
      message: '补助已进入发放流程或已发放，不能撤回；如需撤销请联系工会管理员',
    });
  }
  const at = now.toISOString();
  await deps.ledger.release({
    applicationId,
    status: 'withdrawn',
    from: ['draft', ...liveStatuses],
    at,
    // Audit trail: the place it frees is the unit's.
    event: { type: 'withdrawn', at, orgId: app.unitOrgId, actor: caller.sub },
  });
  return getApplication(deps, caller, applicationId);
}

/** R15: `POST /programmes/{id}/reallocations` by an admin governing the programme's owner. */
export async function reallocate(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  body: ReallocationBody,
  now: Date,
) {
  const found = await deps.programmes.get(programmeId);
  const owner = found ? await deps.orgs.get(found.programme.ownerOrgId) : undefined;
  if (!found || !owner) throw notFound('项目不存在');
  if (!mayActOn(actingOrg(caller), owner))
    throw new AppError('forbidden', { message: '只有项目主办组织的管理员可以调整名额' });
  const units = new Set(found.allocations.map((a) => a.unitOrgId));
  const fields = (['fromUnitOrgId', 'toUnitOrgId'] as const)
    .filter((k) => !units.has(body[k]))
    .map((k) => ({ path: k, message: '该单位不在本项目的名额分配中' }));
  if (fields.length > 0) throw invalid(fields);
  // R6: places carry money; a funder whose commitment grows must be governed by the caller.
  const moved = found.allocations.map((a) => ({
    ...a,
    places:
      a.places +
      (a.unitOrgId === body.toUnitOrgId ? body.places : 0) -
      (a.unitOrgId === body.fromUnitOrgId ? body.places : 0),
  }));
  const grown = fundersCommittedMore(found.allocations, moved);
  const funders = await deps.orgs.getMany(grown);
  const notGoverned = fundingNotGoverned(
    actingOrg(caller),
    grown.map((funderOrgId) => ({ path: 'places', funderOrgId })),
    funders,
  );
  if (notGoverned.length > 0) {
    throw new AppError('forbidden', {
      message: '调剂会增加上级工会承诺的资金，须由该资助方或其上级工会的管理员调剂',
      fields: notGoverned,
    });
  }
  const promoted = await deps.ledger.reallocate(
    programmeId,
    body.fromUnitOrgId,
    body.toUnitOrgId,
    body.places,
    now.toISOString(),
  );
  return { programmeId, ...body, promotedApplications: promoted.length };
}

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
  const { gsi1pk } = workerApplicationsIndex(caller.sub);
  const page = await deps.applications.listByWorker(
    caller.sub,
    20,
    cursor
      ? await decodeCursor(deps.cipher(), cursor, { gsi1pk }, WORKER_APPLICATIONS_CURSOR_KEYS)
      : undefined,
  );
  const bundles = await Promise.all(page.ids.map((id) => deps.applications.bundle(id)));
  const applications = await Promise.all(
    bundles.filter((b): b is ApplicationBundle => b !== undefined).map((b) => toView(deps, caller, b)),
  );
  return { applications, ...(page.next ? { cursor: await encodeCursor(deps.cipher(), page.next) } : {}) };
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
  return full ? deps.cipher().decrypt(phone.cipher) : phone.masked;
}

/**
 * The application as `viewer` sees it: masked personal numbers (PIPL), place and waitlist position,
 * review chain, timeline. A worker follows every step (R14) but sees the unions that acted, not their
 * officers: every answer to a worker (read, list, correction) leaves out each event's `actor`.
 */
async function toView(deps: Deps, viewer: Caller, bundle: ApplicationBundle): Promise<ApplicationView> {
  const app = bundle.application;
  const waitlistPosition =
    app.quotaState === 'waitlisted' && app.sequence !== undefined
      ? await deps.ledger.waitlistPosition(app.programmeId, app.unitOrgId, app.sequence)
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
    payments: (bundle.payments ?? [])
      .sort((a, b) => a.plannedAt.localeCompare(b.plannedAt) || a.payerOrgId.localeCompare(b.payerOrgId))
      .map((p) => ({
        payerOrgId: p.payerOrgId,
        amountFen: p.amountFen,
        funding: p.funding,
        status: p.status === 'sending' ? 'pending' : p.status,
        ...(p.paidAt && p.status === 'paid' ? { paidAt: p.paidAt } : {}),
      })),
    timeline: bundle.timeline
      .map(({ actor, ...e }) => (viewer.role === 'worker' ? e : { ...e, ...(actor ? { actor } : {}) }))
      .sort((a, b) => a.at.localeCompare(b.at)),
    ...(app.revocation ? { revocation: app.revocation } : {}),
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
  };
}
