/**
 * R11 documents: what a worker uploads with an application, and the server-side check an uploaded
 * object must pass before it counts. The S3 emulator enforces no POST policy and S3 itself trusts
 * the declared Content-Type, so the size and the file's magic bytes are checked here.
 */

/**
 * The attachment kinds R11 requires: the stamped application form (申请表, also R2), the CHSI
 * enrolment verification report (学籍在线验证报告, R3), both sides of the ID card (身份证正反面) and
 * proof of the payout account (银行卡或钱包账号, R13).
 */
export const attachmentKinds = [
  'application_form',
  'chsi_report',
  'id_card_front',
  'id_card_back',
  'payout_proof',
] as const;
export type AttachmentKind = (typeof attachmentKinds)[number];

/** Every kind is required before an application can be submitted (R11). */
export const requiredAttachmentKinds: readonly AttachmentKind[] = attachmentKinds;

/** Photos, screenshots or scans (R11). */
export const documentContentTypes = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type DocumentContentType = (typeof documentContentTypes)[number];

/** Largest document accepted: 10 MB (design §5). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** How many leading bytes {@link sniffContentType} needs at most. */
export const SNIFF_BYTES = 16;

const MAGIC: readonly { contentType: DocumentContentType; bytes: readonly number[] }[] = [
  { contentType: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { contentType: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  // '%PDF-'
  { contentType: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

export function isAttachmentKind(value: string): value is AttachmentKind {
  return (attachmentKinds as readonly string[]).includes(value);
}

export function isDocumentContentType(value: string): value is DocumentContentType {
  return (documentContentTypes as readonly string[]).includes(value);
}

/** File-name extension for a document type, for download names and object keys. */
export function extensionOf(contentType: DocumentContentType): 'jpg' | 'png' | 'pdf' {
  return contentType === 'image/jpeg' ? 'jpg' : contentType === 'image/png' ? 'png' : 'pdf';
}

/** What each kind is called on the notice's forms (R11), for the names documents download under. */
const kindNames: Record<AttachmentKind, string> = {
  application_form: '申请表',
  chsi_report: '学籍在线验证报告',
  id_card_front: '身份证正面',
  id_card_back: '身份证反面',
  payout_proof: '收款账户证明',
};

/**
 * The names a document downloads under: `ascii` from the kind and the server's own id (never from
 * anything the worker typed), `display` in Chinese for browsers that read RFC 5987 `filename*`.
 *
 * @example documentFileNames('id_card_front', 'ab12', 'image/jpeg')
 * // { ascii: 'id_card_front-ab12.jpg', display: '身份证正面-ab12.jpg' }
 */
export function documentFileNames(
  kind: string,
  attachmentId: string,
  contentType: DocumentContentType,
): { ascii: string; display: string } {
  const extension = extensionOf(contentType);
  const base = `${kind}-${attachmentId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const label = isAttachmentKind(kind) ? kindNames[kind] : kind;
  return { ascii: `${base}.${extension}`, display: `${label}-${attachmentId}.${extension}` };
}

/**
 * The document type a file's first bytes identify, or `undefined` when they are none of JPEG
 * (`FF D8 FF`), PNG (`89 50 4E 47 0D 0A 1A 0A`) or PDF (`%PDF-`).
 */
export function sniffContentType(head: Uint8Array): DocumentContentType | undefined {
  for (const { contentType, bytes } of MAGIC) {
    // A head shorter than the magic reads `undefined` past its end, which matches no byte.
    if (bytes.every((b, i) => head[i] === b)) return contentType;
  }
  return undefined;
}

export type VerificationResult =
  | { ok: true; sizeBytes: number; contentType: DocumentContentType }
  | {
      ok: false;
      reason: 'missing' | 'empty' | 'too_large' | 'type_mismatch' | 'unknown_type';
      sizeBytes?: number;
    };

/**
 * R11: whether an uploaded object counts as the document the worker declared — it exists, is not
 * empty, is at most `maxBytes`, and its magic bytes are those of the declared type (a PDF renamed
 * `.jpg` is a `type_mismatch`, a text file an `unknown_type`).
 *
 * @param actual the object's size and first bytes (see `inspectObject`), `undefined` when absent
 * @example
 * const result = verifyDocument('image/jpeg', await inspectObject(s3, bucket, key));
 * if (!result.ok) reject(result.reason);
 */
export function verifyDocument(
  declared: DocumentContentType,
  actual: { sizeBytes: number; head: Uint8Array } | undefined,
  maxBytes: number = MAX_DOCUMENT_BYTES,
): VerificationResult {
  if (!actual) return { ok: false, reason: 'missing' };
  const { sizeBytes, head } = actual;
  if (sizeBytes <= 0) return { ok: false, reason: 'empty', sizeBytes };
  if (sizeBytes > maxBytes) return { ok: false, reason: 'too_large', sizeBytes };
  const sniffed = sniffContentType(head);
  if (!sniffed) return { ok: false, reason: 'unknown_type', sizeBytes };
  if (sniffed !== declared) return { ok: false, reason: 'type_mismatch', sizeBytes };
  return { ok: true, sizeBytes, contentType: sniffed };
}
