import { createHash } from 'node:crypto';
import {
  deleteObject,
  headObject,
  isPinIntact,
  pinObject,
  presignUpload,
  readUpload,
} from '../adapters/attachment-store.ts';
import { attachmentsBucket } from '../adapters/bucket.ts';
import type { Caller } from '../domain/caller.ts';
import {
  attachmentKinds,
  type DocumentContentType,
  MAX_DOCUMENT_BYTES,
  verifyDocument,
} from '../domain/documents.ts';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { ApplicationBundle, AttachmentRecord } from '../model/application.ts';
import type { Deps } from './deps.ts';
import { newId, ownBundle } from './drafts.ts';

/**
 * An application's documents (R11): presigned uploads, server-side verification of what arrived
 * (size, magic bytes), pinning the verified bytes, and which required kinds are still missing.
 */

/** Most documents one application may upload, re-uploads included. */
const MAX_ATTACHMENTS = 30;

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
export async function missingDocuments(deps: Deps, bundle: ApplicationBundle, now: Date): Promise<string[]> {
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
