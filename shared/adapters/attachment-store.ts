import type { S3Client } from '@aws-sdk/client-s3';
import { type DocumentContentType, SNIFF_BYTES } from '../domain/documents.ts';

/**
 * The S3 side of R11 documents. Workers upload straight to the attachments bucket with a presigned
 * POST whose policy pins what may be uploaded; afterwards {@link readUpload} reads back what really
 * arrived so `verifyDocument` can check it (the local emulator enforces no policy at all, and S3
 * trusts the declared Content-Type), and {@link pinObject} keeps the verified bytes under a key no
 * presigned form ever names: a form stays valid for 15 minutes, so whoever holds it could otherwise
 * replace a document after it was verified, even after submit.
 *
 * The S3 SDK and its presigners are imported where they are used, on first use: a function's cold
 * start loads only the SDK clients that every request needs (docs/benchmarks.md).
 */

/** A browser form upload: POST `fields` then the `file` part to `url` before `expiresAt`. */
export interface PresignedUpload {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

const DEFAULT_UPLOAD_SECONDS = 15 * 60;
const DEFAULT_DOWNLOAD_SECONDS = 5 * 60;

/**
 * A presigned POST for exactly one object (R11): the policy pins the bucket, the key, the
 * Content-Type, and a `content-length-range` of 1..`maxBytes`, and expires after
 * `expiresInSeconds` (default 15 minutes).
 *
 * @example
 * const { url, fields } = await presignUpload(s3, bucket, {
 *   key: 'applications/app-1/att-1', contentType: 'image/jpeg', maxBytes: MAX_DOCUMENT_BYTES,
 * });
 * // client: FormData with every field, then `file` last, POSTed to url
 */
export async function presignUpload(
  s3: S3Client,
  bucket: string,
  input: { key: string; contentType: DocumentContentType; maxBytes: number; expiresInSeconds?: number },
): Promise<PresignedUpload> {
  const expiresIn = input.expiresInSeconds ?? DEFAULT_UPLOAD_SECONDS;
  if (!Number.isInteger(input.maxBytes) || input.maxBytes < 1) throw new Error('maxBytes must be ≥ 1');
  const issuedAt = Date.now();
  const { createPresignedPost } = await import('@aws-sdk/s3-presigned-post');
  // The library adds the {bucket} and {key} equality conditions and one per field.
  const { url, fields } = await createPresignedPost(s3, {
    Bucket: bucket,
    Key: input.key,
    Conditions: [
      ['eq', '$key', input.key],
      ['eq', '$Content-Type', input.contentType],
      ['content-length-range', 1, input.maxBytes],
    ],
    Fields: { 'Content-Type': input.contentType },
    Expires: expiresIn,
  });
  return { url, fields, expiresAt: new Date(issuedAt + expiresIn * 1000).toISOString() };
}

function isNotFound(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || status === 404;
}

/**
 * The size and first bytes of an uploaded object, or `undefined` when there is none. Reads only a
 * 16-byte range, never the whole file, and pins the read to the version it measured (ETag) so a
 * concurrent overwrite cannot pair one file's size with another's bytes.
 */
export async function inspectObject(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ sizeBytes: number; head: Uint8Array } | undefined> {
  const { GetObjectCommand, HeadObjectCommand } = await import('@aws-sdk/client-s3');
  let sizeBytes: number;
  let etag: string | undefined;
  let versionId: string | undefined;
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    sizeBytes = head.ContentLength ?? 0;
    etag = head.ETag;
    versionId = head.VersionId;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  // A range request on an empty object is unsatisfiable (416): nothing to read anyway.
  if (sizeBytes === 0) return { sizeBytes, head: new Uint8Array(0) };
  try {
    const object = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        Range: `bytes=0-${SNIFF_BYTES - 1}`,
        ...(versionId ? { VersionId: versionId } : {}),
        ...(etag ? { IfMatch: etag } : {}),
      }),
    );
    const head = object.Body ? await object.Body.transformToByteArray() : new Uint8Array(0);
    return { sizeBytes, head: head.subarray(0, SNIFF_BYTES) };
  } catch (err) {
    // Deleted between the two calls.
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** An uploaded object as verification read it: `bytes` are read only when `sizeBytes` ≤ `maxBytes`. */
export interface UploadedObject {
  sizeBytes: number;
  /** The first {@link SNIFF_BYTES} bytes (empty when the object is empty or over the limit). */
  head: Uint8Array;
  /** The whole object, exactly the version measured; absent when empty or over the limit. */
  bytes?: Uint8Array;
  etag?: string;
  /** Set by a versioned bucket (AWS); the local emulator keeps no versions. */
  versionId?: string;
}

/**
 * Reads an uploaded object back whole, or `undefined` when there is none. An object over `maxBytes`
 * is measured but never downloaded. The read is pinned to the version (or ETag) the HEAD measured, so
 * the bytes checked and hashed are one object even if the key is overwritten meanwhile.
 */
export async function readUpload(
  s3: S3Client,
  bucket: string,
  key: string,
  maxBytes: number,
): Promise<UploadedObject | undefined> {
  const { GetObjectCommand, HeadObjectCommand } = await import('@aws-sdk/client-s3');
  let measured: Omit<UploadedObject, 'head' | 'bytes'>;
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    measured = {
      sizeBytes: head.ContentLength ?? 0,
      ...(head.ETag ? { etag: head.ETag } : {}),
      ...(head.VersionId ? { versionId: head.VersionId } : {}),
    };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  if (measured.sizeBytes === 0 || measured.sizeBytes > maxBytes)
    return { ...measured, head: new Uint8Array(0) };
  try {
    const object = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(measured.versionId ? { VersionId: measured.versionId } : {}),
        ...(measured.etag ? { IfMatch: measured.etag } : {}),
      }),
    );
    const bytes = object.Body ? await object.Body.transformToByteArray() : new Uint8Array(0);
    // Overwritten between the two calls on a store that ignores If-Match: measure what was read.
    return { ...measured, sizeBytes: bytes.length, head: bytes.subarray(0, SNIFF_BYTES), bytes };
  } catch (err) {
    // Deleted, or replaced (412), between the two calls: the replacement's own event verifies it.
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (isNotFound(err) || status === 412) return undefined;
    throw err;
  }
}

/** Where a verified document's bytes are kept, and how to tell they are still those bytes. */
export interface PinnedObject {
  key: string;
  etag: string;
  /** Set by a versioned bucket (AWS): downloads name this version. */
  versionId?: string;
}

/**
 * Writes the bytes that were verified to `key`, a key no presigned POST names, so no later upload
 * can reach them. S3 checks the SHA-256 on arrival (the emulator ignores it).
 */
export async function pinObject(
  s3: S3Client,
  bucket: string,
  key: string,
  input: { bytes: Uint8Array; contentType: string; sha256: Buffer },
): Promise<PinnedObject> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: input.bytes,
      ContentType: input.contentType,
      ChecksumSHA256: input.sha256.toString('base64'),
    }),
  );
  if (!put.ETag) throw new Error('the store returned no ETag for a pinned object');
  return { key, etag: put.ETag, ...(put.VersionId ? { versionId: put.VersionId } : {}) };
}

/**
 * Whether the object at `pin.key` (at `pin.versionId` where there is one) is still the one pinned:
 * present, with the ETag S3 gave it when it was written. `false` when it is missing or changed.
 */
export async function isPinIntact(s3: S3Client, bucket: string, pin: PinnedObject): Promise<boolean> {
  const current = await headObject(s3, bucket, pin.key, pin.versionId);
  return current?.etag === pin.etag;
}

/** The ETag and version of the object at `key` (or of `versionId`), `undefined` when absent. */
export async function headObject(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<{ etag?: string; versionId?: string } | undefined> {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    return {
      ...(head.ETag ? { etag: head.ETag } : {}),
      ...(head.VersionId ? { versionId: head.VersionId } : {}),
    };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * `Content-Disposition: attachment` with an ASCII `filename` and, where the name is not ASCII, an
 * RFC 5987 `filename*`: a browser saves the document instead of rendering it on the bucket's origin,
 * under a name that cannot break out of the header.
 *
 * @example attachmentDisposition('id_card_front-ab12.jpg', '身份证正面.jpg')
 * // attachment; filename="id_card_front-ab12.jpg"; filename*=UTF-8''%E8%BA%AB…
 */
export function attachmentDisposition(asciiName: string, utf8Name?: string): string {
  const safe = asciiName.replace(/[^A-Za-z0-9._-]/g, '_') || 'document';
  const extended = utf8Name
    ? `; filename*=UTF-8''${encodeURIComponent(utf8Name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
    : '';
  return `attachment; filename="${safe}"${extended}`;
}

/** What a presigned GET makes S3 answer with, and which version it serves. */
export interface DownloadResponse {
  versionId?: string;
  contentType?: string;
  contentDisposition?: string;
}

/**
 * A presigned GET of one object, valid for `expiresInSeconds` (default 5 minutes). Callers record
 * each one as an audit event (architecture.md §5, §6). `response` pins the version served and the
 * Content-Type and Content-Disposition S3 answers with (signed into the URL, so not changeable).
 */
export async function presignDownload(
  s3: S3Client,
  bucket: string,
  key: string,
  expiresInSeconds: number = DEFAULT_DOWNLOAD_SECONDS,
  response: DownloadResponse = {},
): Promise<{ url: string; expiresAt: string }> {
  const issuedAt = Date.now();
  const [{ GetObjectCommand }, { getSignedUrl }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
  ]);
  const command = new GetObjectCommand({
    Bucket: bucket,
    Key: key,
    ...(response.versionId ? { VersionId: response.versionId } : {}),
    ...(response.contentType ? { ResponseContentType: response.contentType } : {}),
    ...(response.contentDisposition ? { ResponseContentDisposition: response.contentDisposition } : {}),
  });
  const url = await getSignedUrl(s3, command, { expiresIn: expiresInSeconds });
  return { url, expiresAt: new Date(issuedAt + expiresInSeconds * 1000).toISOString() };
}

/**
 * Removes an object (a replaced or rejected upload). Deleting a missing key succeeds. With
 * `versionId` (a versioned bucket) exactly that version goes, so the version before it is current
 * again; without, a versioned bucket only hides the object behind a delete marker.
 */
export async function deleteObject(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<void> {
  const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  await s3.send(
    new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
  );
}
