import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presignDownload, presignUpload } from '../../shared/adapters/attachment-store.ts';
import { createS3Client } from '../../shared/adapters/aws.ts';
import { type Config, loadConfig } from '../../shared/config.ts';
import { MAX_DOCUMENT_BYTES } from '../../shared/domain/documents.ts';

const config = (s3Endpoint?: string): Config =>
  loadConfig({
    TABLE_NAME: 'edu-subsidy',
    BUCKET_NAME: 'edu-subsidy-attachments',
    AWS_REGION: 'cn-north-1',
    STAGE: s3Endpoint ? 'local' : 'aws',
    ...(s3Endpoint ? { S3_ENDPOINT: s3Endpoint } : {}),
  });

/** The decoded POST policy; the emulator ignores it, so the signed document itself is the contract. */
function decodePolicy(fields: Record<string, string>): { expiration: string; conditions: unknown[] } {
  const policy = fields.Policy;
  if (!policy) throw new Error('no Policy field');
  return JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };
}

describe('presignUpload policy (R11)', () => {
  const bucket = 'edu-subsidy-attachments';
  const key = 'applications/app-123/att-456';
  // Without an emulator endpoint the client uses the default credential chain: give it static keys.
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  });
  afterAll(() => {
    for (const [name, value] of [
      ['AWS_ACCESS_KEY_ID', saved.id],
      ['AWS_SECRET_ACCESS_KEY', saved.secret],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('pins the bucket, the exact key, the exact Content-Type and 1..maxBytes, for 15 minutes', async () => {
    const s3 = await createS3Client(config('http://127.0.0.1:1'));
    const before = Date.now();
    const upload = await presignUpload(s3, bucket, {
      key,
      contentType: 'image/jpeg',
      maxBytes: MAX_DOCUMENT_BYTES,
    });
    const { expiration, conditions } = decodePolicy(upload.fields);

    expect(conditions).toContainEqual({ bucket });
    expect(conditions).toContainEqual({ key });
    expect(conditions).toContainEqual(['eq', '$key', key]);
    expect(conditions).toContainEqual(['eq', '$Content-Type', 'image/jpeg']);
    expect(conditions).toContainEqual(['content-length-range', 1, MAX_DOCUMENT_BYTES]);
    // Nothing loosens the pins: no prefix matches, no second length range.
    expect(conditions.filter((c) => Array.isArray(c) && c[0] === 'starts-with')).toEqual([]);
    expect(conditions.filter((c) => Array.isArray(c) && c[0] === 'content-length-range')).toHaveLength(1);

    const expiresMs = Date.parse(expiration);
    expect(expiresMs - before).toBeGreaterThanOrEqual(15 * 60 * 1000 - 2000);
    expect(expiresMs - before).toBeLessThanOrEqual(15 * 60 * 1000 + 2000);
    expect(Math.abs(Date.parse(upload.expiresAt) - expiresMs)).toBeLessThan(2000);

    // The form carries what the policy demands.
    expect(upload.fields.key).toBe(key);
    expect(upload.fields['Content-Type']).toBe('image/jpeg');
    expect(upload.fields.bucket).toBe(bucket);
    expect(upload.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(upload.url).toBe(`http://127.0.0.1:1/${bucket}`);
    s3.destroy();
  });

  it('signs the caller’s limit, type and lifetime against the real S3 endpoint', async () => {
    const s3 = await createS3Client(config());
    const before = Date.now();
    const upload = await presignUpload(s3, bucket, {
      key,
      contentType: 'application/pdf',
      maxBytes: 2 * 1024 * 1024,
      expiresInSeconds: 60,
    });
    const { expiration, conditions } = decodePolicy(upload.fields);
    expect(conditions).toContainEqual(['eq', '$Content-Type', 'application/pdf']);
    expect(conditions).toContainEqual(['content-length-range', 1, 2 * 1024 * 1024]);
    expect(Date.parse(expiration) - before).toBeLessThanOrEqual(62_000);
    expect(Date.parse(expiration) - before).toBeGreaterThanOrEqual(58_000);
    expect(upload.url).toContain(bucket);
    expect(upload.url).toMatch(/^https:\/\/.*amazonaws\.com\.cn/);
    s3.destroy();
  });

  it('refuses a limit below one byte', async () => {
    const s3 = await createS3Client(config('http://127.0.0.1:1'));
    await expect(presignUpload(s3, bucket, { key, contentType: 'image/png', maxBytes: 0 })).rejects.toThrow();
    s3.destroy();
  });

  it('presigns downloads for five minutes by default', async () => {
    const s3 = await createS3Client(config('http://127.0.0.1:1'));
    const before = Date.now();
    const { url, expiresAt } = await presignDownload(s3, bucket, key);
    const params = new URL(url).searchParams;
    expect(params.get('X-Amz-Expires')).toBe('300');
    expect(new URL(url).pathname).toBe(`/${bucket}/${key}`);
    expect(Date.parse(expiresAt) - before).toBeGreaterThanOrEqual(299_000);
    expect(Date.parse(expiresAt) - before).toBeLessThanOrEqual(301_000);
    const short = await presignDownload(s3, bucket, key, 60);
    expect(new URL(short.url).searchParams.get('X-Amz-Expires')).toBe('60');
    s3.destroy();
  });
});
