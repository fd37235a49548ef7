import type { S3Client } from '@aws-sdk/client-s3';
import { type DocumentContentType, SNIFF_BYTES } from '../domain/documents.ts';

/**
 * The S3 side of R11 documents. Workers upload straight to the attachments bucket with a presigned
 * POST whose policy pins what may be uploaded; afterwards {@link inspectObject} reads back the
 * object's size and first bytes so `verifyDocument` can check what really arrived (the local
 * emulator enforces no policy at all, and S3 trusts the declared Content-Type).
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

/**
 * A presigned GET of one object, valid for `expiresInSeconds` (default 5 minutes). Callers record
 * each one as an audit event (design §5, §6).
 */
export async function presignDownload(
  s3: S3Client,
  bucket: string,
  key: string,
  expiresInSeconds: number = DEFAULT_DOWNLOAD_SECONDS,
): Promise<{ url: string; expiresAt: string }> {
  const issuedAt = Date.now();
  const [{ GetObjectCommand }, { getSignedUrl }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
  ]);
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn: expiresInSeconds,
  });
  return { url, expiresAt: new Date(issuedAt + expiresInSeconds * 1000).toISOString() };
}

/** Removes an object (a replaced or rejected upload). Deleting a missing key succeeds. */
export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
