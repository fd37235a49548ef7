import { createHash, randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureBucket } from '../../infra/local/bootstrap.ts';
import {
  attachmentDisposition,
  deleteObject,
  inspectObject,
  isPinIntact,
  pinObject,
  presignDownload,
  presignUpload,
  readUpload,
} from '../../shared/adapters/attachment-store.ts';
import { createS3Client } from '../../shared/adapters/aws.ts';
import { loadConfig } from '../../shared/config.ts';
import {
  type DocumentContentType,
  documentFileNames,
  MAX_DOCUMENT_BYTES,
  SNIFF_BYTES,
  verifyDocument,
} from '../../shared/domain/documents.ts';

// ---- Minimal but complete sample documents, built here rather than fetched. ----

/** A 1×1 grey baseline JPEG: one DC and one AC Huffman code, a single block with DC 0 and EOB. */
function sampleJpeg(): Uint8Array {
  const segment = (marker: number, body: number[]) => [
    0xff,
    marker,
    (body.length + 2) >> 8,
    (body.length + 2) & 0xff,
    ...body,
  ];
  const oneCodeTable = (tableClassAndId: number) => [
    tableClassAndId,
    1,
    ...new Array<number>(15).fill(0),
    0x00,
  ];
  return Uint8Array.from([
    0xff,
    0xd8, // SOI
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]), // APP0 JFIF
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]), // DQT
    ...segment(0xc0, [0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00]), // SOF0 1×1, one component
    ...segment(0xc4, oneCodeTable(0x00)), // DHT DC: code '0' → category 0
    ...segment(0xc4, oneCodeTable(0x10)), // DHT AC: code '0' → EOB
    ...segment(0xda, [0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]), // SOS
    0x3f, // bits 0 (DC 0) 0 (EOB), padded with ones
    0xff,
    0xd9, // EOI
  ]);
}

/** A 1×1 RGB PNG with real CRCs and a zlib-compressed scanline. */
function samplePng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.from([0, 0xc0, 0x20, 0x20]))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

/** A one-page PDF with a correct cross-reference table. */
function samplePdf(): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}

const samples: Record<DocumentContentType, Uint8Array> = {
  'image/jpeg': sampleJpeg(),
  'image/png': samplePng(),
  'application/pdf': samplePdf(),
};

// ---- The emulator, a bucket of this file's own, and a browser-style form upload. ----

let s3: S3Client;
const bucket = `attachments-it-${randomBytes(4).toString('hex')}`;
const newKey = () => `applications/app-it/${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  const endpoint = inject('s3Endpoint');
  await ensureBucket(endpoint, bucket, ['http://localhost:*']);
  s3 = await createS3Client(
    loadConfig({
      TABLE_NAME: 'unused',
      BUCKET_NAME: bucket,
      AWS_REGION: 'cn-north-1',
      S3_ENDPOINT: endpoint,
    }),
  );
});

afterAll(() => {
  s3?.destroy();
});

/** Uploads as a browser would: every policy field first, the `file` part last. */
async function postUpload(
  declared: DocumentContentType,
  bytes: Uint8Array,
  fileName: string,
): Promise<{ key: string; status: number }> {
  const key = newKey();
  const { url, fields } = await presignUpload(s3, bucket, {
    key,
    contentType: declared,
    maxBytes: MAX_DOCUMENT_BYTES,
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([Buffer.from(bytes)], { type: declared }), fileName);
  const res = await fetch(url, { method: 'POST', body: form });
  await res.arrayBuffer();
  return { key, status: res.status };
}

describe('attachment store on the S3 emulator (R11)', () => {
  it.each([
    ['image/jpeg', 'front.jpg'],
    ['image/png', 'back.png'],
    ['application/pdf', 'chsi.pdf'],
  ] as const)('accepts a real %s uploaded through the presigned POST', async (type, fileName) => {
    const bytes = samples[type];
    const { key, status } = await postUpload(type, bytes, fileName);
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(300);

    const actual = await inspectObject(s3, bucket, key);
    expect(actual?.sizeBytes).toBe(bytes.length);
    expect(actual?.head).toEqual(bytes.subarray(0, SNIFF_BYTES));
    expect(verifyDocument(type, actual)).toEqual({ ok: true, sizeBytes: bytes.length, contentType: type });
  });

  it('rejects a PDF or a text file uploaded as a .jpg', async () => {
    const pdfAsJpeg = await postUpload('image/jpeg', samples['application/pdf'], 'photo.jpg');
    expect(verifyDocument('image/jpeg', await inspectObject(s3, bucket, pdfAsJpeg.key))).toMatchObject({
      ok: false,
      reason: 'type_mismatch',
      sizeBytes: samples['application/pdf'].length,
    });

    const text = new TextEncoder().encode('这不是图片 — just text pretending to be a photo\n');
    const textAsJpeg = await postUpload('image/jpeg', text, 'photo.jpg');
    expect(verifyDocument('image/jpeg', await inspectObject(s3, bucket, textAsJpeg.key))).toEqual({
      ok: false,
      reason: 'unknown_type',
      sizeBytes: text.length,
    });
  });

  it('rejects an empty upload', async () => {
    const { key, status } = await postUpload('image/png', new Uint8Array(0), 'empty.png');
    expect(status).toBeLessThan(300); // the emulator enforces no content-length-range
    const actual = await inspectObject(s3, bucket, key);
    expect(actual).toEqual({ sizeBytes: 0, head: new Uint8Array(0) });
    expect(verifyDocument('image/png', actual)).toEqual({ ok: false, reason: 'empty', sizeBytes: 0 });
  });

  it('rejects an object over the limit, reading only its first bytes', async () => {
    const key = newKey();
    const big = new Uint8Array(MAX_DOCUMENT_BYTES + 1);
    big.set(samples['image/jpeg']);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: big, ContentType: 'image/jpeg' }));

    const actual = await inspectObject(s3, bucket, key);
    expect(actual?.sizeBytes).toBe(MAX_DOCUMENT_BYTES + 1);
    expect(actual?.head).toHaveLength(SNIFF_BYTES);
    expect(verifyDocument('image/jpeg', actual)).toEqual({
      ok: false,
      reason: 'too_large',
      sizeBytes: MAX_DOCUMENT_BYTES + 1,
    });
  });

  it('reports a key that was never uploaded as missing', async () => {
    const actual = await inspectObject(s3, bucket, newKey());
    expect(actual).toBeUndefined();
    expect(verifyDocument('application/pdf', actual)).toEqual({ ok: false, reason: 'missing' });
  });

  it('serves the object back through a presigned GET, and deletes it', async () => {
    const bytes = samples['application/pdf'];
    const { key } = await postUpload('application/pdf', bytes, 'form.pdf');
    const { url, expiresAt } = await presignDownload(s3, bucket, key);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);

    await deleteObject(s3, bucket, key);
    expect(await inspectObject(s3, bucket, key)).toBeUndefined();
    await expect(deleteObject(s3, bucket, key)).resolves.toBeUndefined();
    expect((await fetch(url)).status).toBe(404);
  });
});

describe('pinning a verified document (issue 10, point 7)', () => {
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
  async function objectBytes(key: string): Promise<Buffer> {
    const { url } = await presignDownload(s3, bucket, key);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  }

  it('reads an upload whole and pins a copy that a later write to the upload key cannot reach', async () => {
    const original = samples['image/png'];
    const { key } = await postUpload('image/png', original, 'back.png');
    const read = await readUpload(s3, bucket, key, MAX_DOCUMENT_BYTES);
    expect(read?.sizeBytes).toBe(original.length);
    expect(read?.bytes).toEqual(original);
    expect(read?.head).toEqual(original.subarray(0, SNIFF_BYTES));
    expect(read?.etag).toMatch(/\S/);
    if (!read?.bytes) throw new Error('not read');

    const pin = await pinObject(s3, bucket, `${key}/verified-test`, {
      bytes: read.bytes,
      contentType: 'image/png',
      sha256: sha256(read.bytes),
    });
    expect(pin.key).toBe(`${key}/verified-test`);
    expect(await isPinIntact(s3, bucket, pin)).toBe(true);

    // The upload key written again, as a re-posted form would: the pinned copy does not move.
    const replacement = samples['image/jpeg'];
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: replacement, ContentType: 'image/png' }),
    );
    expect(await objectBytes(key)).toEqual(Buffer.from(replacement));
    expect(await objectBytes(pin.key)).toEqual(Buffer.from(original));
    expect(await isPinIntact(s3, bucket, pin)).toBe(true);

    // The copy itself changed or gone: the pin says so.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: pin.key, Body: replacement }));
    expect(await isPinIntact(s3, bucket, pin)).toBe(false);
    await deleteObject(s3, bucket, pin.key);
    expect(await isPinIntact(s3, bucket, pin)).toBe(false);
  });

  it('measures an object over the limit without downloading it', async () => {
    const key = newKey();
    const big = new Uint8Array(MAX_DOCUMENT_BYTES + 1);
    big.set(samples['image/png']);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: big, ContentType: 'image/png' }));
    const read = await readUpload(s3, bucket, key, MAX_DOCUMENT_BYTES);
    expect(read?.sizeBytes).toBe(MAX_DOCUMENT_BYTES + 1);
    expect(read?.bytes).toBeUndefined();
    expect(verifyDocument('image/png', read)).toMatchObject({ ok: false, reason: 'too_large' });
    expect(await readUpload(s3, bucket, newKey(), MAX_DOCUMENT_BYTES)).toBeUndefined();
  });

  it('signs a GET that answers as an attachment with a safe name and the verified type, whatever the object says', async () => {
    const key = newKey();
    // Stored as HTML: served as such, a browser would render it on the bucket's origin.
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: samples['application/pdf'],
        ContentType: 'text/html',
      }),
    );
    const names = documentFileNames('chsi_report', 'abc123', 'application/pdf');
    expect(names).toEqual({ ascii: 'chsi_report-abc123.pdf', display: '学籍在线验证报告-abc123.pdf' });
    const disposition = attachmentDisposition(names.ascii, names.display);
    expect(disposition).toBe(
      `attachment; filename="chsi_report-abc123.pdf"; filename*=UTF-8''${encodeURIComponent('学籍在线验证报告')}-abc123.pdf`,
    );
    const { url } = await presignDownload(s3, bucket, key, 60, {
      contentType: 'application/pdf',
      contentDisposition: disposition,
    });
    const params = new URL(url).searchParams;
    expect(params.get('response-content-type')).toBe('application/pdf');
    expect(params.get('response-content-disposition')).toBe(disposition);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(disposition);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(samples['application/pdf']);
  });

  it.each([
    ['a quote and a line break', 'a"b\r\nSet-Cookie: x.pdf', 'attachment; filename="a_b__Set-Cookie__x.pdf"'],
    ['a path', '../../etc/passwd', 'attachment; filename=".._.._etc_passwd"'],
    ['nothing', '', 'attachment; filename="document"'],
  ])('keeps the ASCII file name inert: %s', (_label, name, expected) => {
    expect(attachmentDisposition(name)).toBe(expected);
  });

  it('encodes a display name so that it cannot end the header parameter', () => {
    const disposition = attachmentDisposition('x.pdf', '申请表\'(1)*;".pdf');
    expect(disposition).toBe(
      `attachment; filename="x.pdf"; filename*=UTF-8''${encodeURIComponent('申请表')}%27%281%29%2A%3B%22.pdf`,
    );
    expect(disposition).toMatch(/^[\x20-\x7e]+$/);
  });
});
