/**
 * The worker side of the "Applying" issue, through HTTP, part two: R11 documents (the upload request,
 * the presigned POST policy, server-side verification of what really arrived), withdrawal with
 * promotion of the earliest waitlisted applicant, and the admin's reallocation of places (R15).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import {
  attachmentKinds,
  type DocumentContentType,
  MAX_DOCUMENT_BYTES,
} from '../../shared/domain/documents.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { verifyUploadedObject } from '../../shared/services/documents.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import {
  expectOk,
  programmeBody,
  publishProgramme,
  settledAttachments,
  uploadAllDocuments,
  workerTokens,
} from '../support/api.ts';
import {
  draftBody,
  forgedFiles,
  postUpload,
  sampleFiles,
  type UploadForm,
  uploadPolicy,
} from '../support/fixtures.ts';
import { type ApiResponse, startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let deps: Deps;
let admin: string;
const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));
const OPEN = 'ad-open';
const REALLOC = 'ad-realloc';
/** Employers: an enterprise in each allocation unit used here. */
const IN_DONGCHANGFU = 'lc-dcf-machinery';
const IN_LINQING = 'lc-lq-yandian-bearing';
const IN_KAIFAQU = 'lc-kfq-logistics';
const IN_CHIPING = 'lc-cp-wenzhuang-aluminium';

interface Attachment {
  attachmentId: string;
  kind: string;
  status: 'pending' | 'verified' | 'rejected';
  reason?: string;
}

/** Each worker's token, issued once. */
let worker: (sub: string) => Promise<string>;

async function createDraft(sub: string, n: number, programmeId: string, employerOrgId: string) {
  const token = await worker(sub);
  const res = await stack.call('POST', '/v1/applications', {
    token,
    body: draftBody(n, { programmeId, employerOrgId, enrolmentYear: year }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { token, id: res.body.id as string };
}

async function requestUpload(
  token: string,
  id: string,
  kind: string,
  contentType: string,
  sizeBytes: number,
) {
  const res = await stack.call('POST', `/v1/applications/${id}/attachments`, {
    token,
    body: { kind, contentType, sizeBytes },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { attachmentId: string; upload: UploadForm; expiresAt: string };
}

/** Requests an upload for `declared` and sends `bytes` through the presigned POST. */
async function upload(
  token: string,
  id: string,
  kind: string,
  declared: DocumentContentType,
  bytes: Uint8Array,
) {
  const granted = await requestUpload(token, id, kind, declared, bytes.length);
  const res = await postUpload(granted.upload, bytes, declared);
  expect(res.status).toBeLessThan(300);
  return granted.attachmentId;
}

const honest = ['image/png', 'image/jpeg', 'application/pdf'] as const;

async function readyDraft(sub: string, n: number, programmeId: string, employerOrgId: string) {
  const draft = await createDraft(sub, n, programmeId, employerOrgId);
  await uploadAllDocuments(stack, draft.token, draft.id, { contentTypes: honest });
  return draft;
}

const submit = (app: { token: string; id: string }) =>
  expectOk(stack, 'submitApplication', { token: app.token, params: { id: app.id } });
const read = (app: { token: string; id: string }) =>
  expectOk(stack, 'getApplication', { token: app.token, params: { id: app.id } });

/** The HTTP status of a GET (the body read and dropped). */
async function statusAt(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

async function unitOf(programmeId: string, unitOrgId: string) {
  const board = await stack.call('GET', `/v1/programmes/${programmeId}/quotas`);
  expect(board.status).toBe(200);
  const unit = board.body.units.find((u: { unitOrgId: string }) => u.unitOrgId === unitOrgId);
  expect(unit).toBeDefined();
  return { unit, totals: board.body.totals };
}

function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
}

function fieldPaths(res: ApiResponse): string[] {
  return (res.body.error.fields as { path: string }[]).map((f) => f.path).sort();
}

function types(timeline: { type: string }[]) {
  return timeline.map((e) => e.type);
}

beforeAll(async () => {
  stack = await startTestStack();
  worker = workerTokens(stack);
  // The stack's own table and bucket, for what only the server can do (S3 redelivering a notification).
  deps = createDeps(loadConfig());
  admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
  // R6: the province's shares are committed by the province's admin.
  const province = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  const programme = (id: string, allocations: [string, number][]) =>
    programmeBody({
      id,
      allocations: allocations.map(([unitOrgId, places]) => ({
        unitOrgId,
        places,
        funding: [
          { funderOrgId: 'sd', amountFen: 100000 },
          { funderOrgId: 'lc', amountFen: 100000 },
        ],
      })),
    });
  // publishProgramme expects each 201.
  await Promise.all(
    [
      programme(OPEN, [
        ['lc-dongchangfu', 20],
        ['lc-linqing', 1],
      ]),
      programme(REALLOC, [
        ['lc-kaifaqu', 4],
        ['lc-chiping', 1],
      ]),
    ].map((body) => publishProgramme(stack, body, province)),
  );
});

afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

describe('POST /v1/applications/{id}/attachments', () => {
  let app: { token: string; id: string };

  beforeAll(async () => {
    app = await createDraft('d-att', 1, OPEN, IN_DONGCHANGFU);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['an unknown kind', { kind: 'passport', contentType: 'image/png', sizeBytes: 100 }, ['kind']],
    ['a GIF', { kind: 'id_card_front', contentType: 'image/gif', sizeBytes: 100 }, ['contentType']],
    ['plain text', { kind: 'chsi_report', contentType: 'text/plain', sizeBytes: 100 }, ['contentType']],
    ['HTML', { kind: 'chsi_report', contentType: 'text/html', sizeBytes: 100 }, ['contentType']],
    ['an empty file', { kind: 'chsi_report', contentType: 'application/pdf', sizeBytes: 0 }, ['sizeBytes']],
    [
      'a negative size',
      { kind: 'chsi_report', contentType: 'application/pdf', sizeBytes: -1 },
      ['sizeBytes'],
    ],
    [
      'a fractional size',
      { kind: 'chsi_report', contentType: 'application/pdf', sizeBytes: 1.5 },
      ['sizeBytes'],
    ],
    [
      'one byte over 10 MB',
      { kind: 'chsi_report', contentType: 'application/pdf', sizeBytes: 10 * 1024 * 1024 + 1 },
      ['sizeBytes'],
    ],
    [
      'a size as a string',
      { kind: 'chsi_report', contentType: 'application/pdf', sizeBytes: '100' },
      ['sizeBytes'],
    ],
    ['a missing size', { kind: 'chsi_report', contentType: 'application/pdf' }, ['sizeBytes']],
    [
      'a key chosen by the client',
      { kind: 'chsi_report', contentType: 'application/pdf', sizeBytes: 100, key: 'applications/x/evil' },
      ['key'],
    ],
    [
      'everything wrong at once',
      { kind: 'selfie', contentType: 'image/gif', sizeBytes: 0 },
      ['contentType', 'kind', 'sizeBytes'],
    ],
  ])('answers 400 for %s', async (_label, body, paths) => {
    const res = await stack.call('POST', `/v1/applications/${app.id}/attachments`, {
      token: app.token,
      body,
    });
    expectError(res, 400, 'validation_failed');
    expect(fieldPaths(res)).toEqual([...paths].sort());
  });

  it('recorded nothing for the refused requests', async () => {
    expect((await read(app)).attachments).toEqual([]);
  });

  it('accepts exactly 10 MB', async () => {
    const granted = await requestUpload(
      app.token,
      app.id,
      'chsi_report',
      'application/pdf',
      MAX_DOCUMENT_BYTES,
    );
    expect(granted.attachmentId).toMatch(/\S/);
  });

  it('answers 201 with a presigned POST whose policy pins a server-chosen key, the type and the size', async () => {
    const res = await stack.call('POST', `/v1/applications/${app.id}/attachments`, {
      token: app.token,
      body: { kind: 'id_card_front', contentType: 'image/jpeg', sizeBytes: 2048 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const {
      attachmentId,
      upload: form,
      expiresAt,
    } = res.body as {
      attachmentId: string;
      upload: UploadForm;
      expiresAt: string;
    };
    const key = form.fields.key ?? '';
    expect(key.startsWith(`applications/${app.id}/`)).toBe(true);
    expect(key).toBe(`applications/${app.id}/${attachmentId}`);
    expect(form.fields['Content-Type']).toBe('image/jpeg');
    expect(form.url.startsWith(stack.s3Endpoint)).toBe(true);

    const policy = uploadPolicy(form.fields);
    const conditions = policy.conditions;
    const pinsKey = conditions.some(
      (c) =>
        (Array.isArray(c) && c[0] === 'eq' && c[1] === '$key' && c[2] === key) ||
        (!Array.isArray(c) &&
          typeof c === 'object' &&
          c !== null &&
          (c as Record<string, unknown>).key === key),
    );
    expect(pinsKey).toBe(true);
    // No condition lets the client pick any other key (no starts-with on the key).
    expect(conditions.some((c) => Array.isArray(c) && c[0] === 'starts-with' && c[1] === '$key')).toBe(false);
    expect(conditions).toContainEqual(['eq', '$Content-Type', 'image/jpeg']);
    const range = conditions.find((c) => Array.isArray(c) && c[0] === 'content-length-range') as
      | [string, number, number]
      | undefined;
    expect(range).toBeDefined();
    expect(range?.[2]).toBe(10485760);
    expect(range?.[1]).toBeGreaterThanOrEqual(0);
    expect(range?.[1]).toBeLessThanOrEqual(1);
    expect(conditions).toContainEqual({ bucket: stack.bucketName });

    const expiry = Date.parse(policy.expiration);
    expect(expiry).toBeGreaterThan(Date.now());
    expect(expiry).toBeLessThanOrEqual(Date.now() + 60 * 60 * 1000);
    expect(Math.abs(Date.parse(expiresAt) - expiry)).toBeLessThan(5000);

    const attachments = (await read(app)).attachments as Attachment[];
    expect(attachments).toContainEqual(
      expect.objectContaining({
        attachmentId,
        kind: 'id_card_front',
        contentType: 'image/jpeg',
        status: 'pending',
      }),
    );
  });

  it('hands out a different key for each request', async () => {
    const a = await requestUpload(app.token, app.id, 'payout_proof', 'image/png', 100);
    const b = await requestUpload(app.token, app.id, 'payout_proof', 'image/png', 100);
    expect(a.upload.fields.key).not.toBe(b.upload.fields.key);
  });
});

describe('server-side verification of uploads (R11)', () => {
  it('rejects forged files, lists their kinds as missing, and accepts a correct re-upload', async () => {
    const app = await createDraft('d-forge', 10, OPEN, IN_DONGCHANGFU);
    const genuine = await Promise.all([
      upload(app.token, app.id, 'application_form', 'application/pdf', sampleFiles['application/pdf']),
      upload(app.token, app.id, 'chsi_report', 'application/pdf', sampleFiles['application/pdf']),
      upload(app.token, app.id, 'id_card_front', 'image/jpeg', sampleFiles['image/jpeg']),
    ]);
    // Declared a PNG, sent a PDF; declared a JPEG, sent plain text.
    const pdfAsPng = await upload(
      app.token,
      app.id,
      'id_card_back',
      'image/png',
      sampleFiles['application/pdf'],
    );
    const textAsJpeg = await upload(app.token, app.id, 'payout_proof', 'image/jpeg', forgedFiles.plainText);

    const attachments = await settledAttachments(stack, app, [...genuine, pdfAsPng, textAsJpeg]);
    const byId = new Map(attachments.map((a) => [a.attachmentId, a]));
    for (const id of genuine) expect(byId.get(id)?.status).toBe('verified');
    expect(byId.get(pdfAsPng)).toMatchObject({
      kind: 'id_card_back',
      status: 'rejected',
      reason: 'type_mismatch',
    });
    expect(byId.get(textAsJpeg)).toMatchObject({
      kind: 'payout_proof',
      status: 'rejected',
      reason: 'unknown_type',
    });

    // A rejected object is not kept in the bucket; a verified one is.
    const objectUrl = (attachmentId: string) =>
      `${stack.s3Endpoint}/${stack.bucketName}/applications/${app.id}/${attachmentId}`;
    expect((await fetch(objectUrl(genuine[0] ?? ''))).status).toBe(200);
    expect((await fetch(objectUrl(pdfAsPng))).status).toBe(404);
    expect((await fetch(objectUrl(textAsJpeg))).status).toBe(404);

    const refused = await stack.call('POST', `/v1/applications/${app.id}/submit`, { token: app.token });
    expectError(refused, 422, 'missing_attachments');
    expect([...refused.body.error.missing].sort()).toEqual(['id_card_back', 'payout_proof']);
    expect((await read(app)).status).toBe('draft');

    await upload(app.token, app.id, 'id_card_back', 'image/png', sampleFiles['image/png']);
    await upload(app.token, app.id, 'payout_proof', 'image/jpeg', sampleFiles['image/jpeg']);
    const accepted = await submit(app);
    expect(accepted).toMatchObject({ id: app.id, status: 'in_review', quota: { state: 'claimed' } });
    const after = await read(app);
    expect(after.attachments.filter((a: Attachment) => a.status === 'verified')).toHaveLength(5);
  });

  it('verifies pending uploads at submit: a forged file submitted at once still counts as missing', async () => {
    const app = await createDraft('d-forge-fast', 11, OPEN, IN_DONGCHANGFU);
    await Promise.all(
      attachmentKinds
        .filter((k) => k !== 'chsi_report')
        .map((kind) => upload(app.token, app.id, kind, 'image/png', sampleFiles['image/png'])),
    );
    await upload(app.token, app.id, 'chsi_report', 'application/pdf', sampleFiles['image/jpeg']);
    const refused = await stack.call('POST', `/v1/applications/${app.id}/submit`, { token: app.token });
    expectError(refused, 422, 'missing_attachments');
    expect(refused.body.error.missing).toEqual(['chsi_report']);
  });

  it('rejects an upload larger than 10 MB that the emulator let through', async () => {
    const app = await createDraft('d-oversize', 12, OPEN, IN_DONGCHANGFU);
    const granted = await requestUpload(app.token, app.id, 'id_card_front', 'image/png', 4096);
    const res = await postUpload(granted.upload, forgedFiles.pngOfSize(MAX_DOCUMENT_BYTES + 1), 'image/png');
    expect(res.status).toBeLessThan(300);
    const attachments = await settledAttachments(stack, app, [granted.attachmentId]);
    expect(attachments.find((a) => a.attachmentId === granted.attachmentId)).toMatchObject({
      status: 'rejected',
      reason: 'too_large',
    });
  });

  it('answers 422 missing_attachments listing all five kinds when nothing was uploaded', async () => {
    const app = await createDraft('d-nodocs', 13, OPEN, IN_DONGCHANGFU);
    const res = await stack.call('POST', `/v1/applications/${app.id}/submit`, { token: app.token });
    expectError(res, 422, 'missing_attachments');
    expect([...res.body.error.missing].sort()).toEqual([...attachmentKinds].sort());
  });
});

describe('a verified document is pinned (issue 10, point 7)', () => {
  /** Fetches the upload key itself, as anyone holding the old form could address it. */
  const uploadKeyUrl = (applicationId: string, attachmentId: string) =>
    `${stack.s3Endpoint}/${stack.bucketName}/applications/${applicationId}/${attachmentId}`;

  async function reviewerDownload(applicationId: string, attachmentId: string) {
    const token = await stack.token({ sub: 'rev-pin-lc', role: 'reviewer', org: 'lc' });
    const res = await stack.call('GET', `/v1/applications/${applicationId}/attachments/${attachmentId}`, {
      token,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const file = await fetch(res.body.url as string);
    expect(file.status).toBe(200);
    return { url: new URL(res.body.url as string), file, bytes: Buffer.from(await file.arrayBuffer()) };
  }

  it('keeps serving the verified bytes when the same presigned form is re-posted after submit, and deletes the replacement', async () => {
    const app = await createDraft('d-pin', 40, OPEN, IN_DONGCHANGFU);
    const original = sampleFiles['image/jpeg'];
    // The form the attacker keeps: it stays valid for 15 minutes after it was handed out.
    const kept = await requestUpload(app.token, app.id, 'id_card_front', 'image/jpeg', original.length);
    expect((await postUpload(kept.upload, original, 'image/jpeg')).status).toBeLessThan(300);
    await Promise.all(
      attachmentKinds
        .filter((k) => k !== 'id_card_front')
        .map((kind) => upload(app.token, app.id, kind, 'image/png', sampleFiles['image/png'])),
    );
    const before = await settledAttachments(stack, app, [kept.attachmentId]);
    expect(before.find((a) => a.attachmentId === kept.attachmentId)?.status).toBe('verified');
    await submit(app);
    const recorded = (await read(app)).attachments;

    // A different, perfectly valid JPEG through the very same form.
    const replacement = Buffer.concat([
      original.subarray(0, original.length - 2),
      Buffer.from('EVIL'),
      original.subarray(-2),
    ]);
    expect(replacement.equals(original)).toBe(false);
    expect((await postUpload(kept.upload, replacement, 'image/jpeg')).status).toBeLessThan(300);

    // Straight away, whatever the object-created event has done yet: the reviewer gets the verified bytes.
    expect((await reviewerDownload(app.id, kept.attachmentId)).bytes).toEqual(Buffer.from(original));

    // The replacement does not stay: the object-created event deletes it from the key the form pins.
    await expect.poll(() => statusAt(uploadKeyUrl(app.id, kept.attachmentId)), { timeout: 3000 }).toBe(404);

    // The record is exactly as it was, and the download still serves the verified bytes.
    const after = await read(app);
    expect(after.attachments).toEqual(recorded);
    expect(after.status).toBe('in_review');
    expect((await reviewerDownload(app.id, kept.attachmentId)).bytes).toEqual(Buffer.from(original));
  });

  it('leaves the verified upload alone when its notification arrives again', async () => {
    // S3 delivers notifications at least once, and submit may verify before the event arrives.
    const app = await createDraft('d-pin-dup', 42, OPEN, IN_DONGCHANGFU);
    const bytes = sampleFiles['image/png'];
    const attachmentId = await upload(app.token, app.id, 'id_card_back', 'image/png', bytes);
    expect((await settledAttachments(stack, app, [attachmentId]))[0]?.status).toBe('verified');
    const recorded = (await read(app)).attachments;
    await verifyUploadedObject(deps, `applications/${app.id}/${attachmentId}`, new Date());
    const atKey = await fetch(uploadKeyUrl(app.id, attachmentId));
    expect(atKey.status).toBe(200);
    expect(Buffer.from(await atKey.arrayBuffer())).toEqual(Buffer.from(bytes));
    expect((await read(app)).attachments).toEqual(recorded);
  });

  it('deletes a genuine file re-posted through the form of a rejected upload, which stays rejected', async () => {
    const app = await createDraft('d-pin-rej', 43, OPEN, IN_DONGCHANGFU);
    const kept = await requestUpload(app.token, app.id, 'payout_proof', 'image/jpeg', 100);
    expect((await postUpload(kept.upload, forgedFiles.plainText, 'image/jpeg')).status).toBeLessThan(300);
    const [first] = await settledAttachments(stack, app, [kept.attachmentId]);
    expect(first).toMatchObject({ status: 'rejected', reason: 'unknown_type' });
    expect((await postUpload(kept.upload, sampleFiles['image/jpeg'], 'image/jpeg')).status).toBeLessThan(300);
    await expect.poll(() => statusAt(uploadKeyUrl(app.id, kept.attachmentId)), { timeout: 3000 }).toBe(404);
    expect((await read(app)).attachments).toEqual([first]);
  });

  /** All five documents verified, then the CHSI report's pinned copy overwritten in the bucket. */
  async function tamperedDraft(sub: string, n: number) {
    const app = await createDraft(sub, n, OPEN, IN_DONGCHANGFU);
    await uploadAllDocuments(stack, app.token, app.id, { contentTypes: honest });
    const ids = ((await read(app)).attachments as Attachment[]).map((a) => a.attachmentId);
    expect((await settledAttachments(stack, app, ids)).every((a) => a.status === 'verified')).toBe(true);
    const chsi = (await deps.applications.bundle(app.id))?.attachments.find((a) => a.kind === 'chsi_report');
    const pin = chsi?.pin;
    if (!chsi || !pin) throw new Error('the CHSI report was not pinned');
    expect(pin.key.startsWith(`${chsi.key}/`)).toBe(true);
    expect(pin.sha256).toMatch(/^[0-9a-f]{64}$/);
    const tamper = async () => {
      // Only a holder of bucket credentials could do this; the server must still not pass it on.
      await (await deps.s3()).send(
        new PutObjectCommand({
          Bucket: stack.bucketName,
          Key: pin.key,
          Body: sampleFiles['application/pdf'],
        }),
      );
    };
    return { app, attachmentId: chsi.attachmentId, tamper };
  }

  it('does not count at submit a document whose pinned copy changed', async () => {
    const { app, tamper } = await tamperedDraft('d-pin-tamper', 44);
    await tamper();
    const refused = await stack.call('POST', `/v1/applications/${app.id}/submit`, { token: app.token });
    expectError(refused, 422, 'missing_attachments');
    expect(refused.body.error.missing).toEqual(['chsi_report']);
    expect((await read(app)).status).toBe('draft');
  });

  it('refuses to hand out a download of a pinned copy whose bytes changed, and audits none', async () => {
    const { app, attachmentId, tamper } = await tamperedDraft('d-pin-tamper-dl', 45);
    await submit(app);
    await tamper();
    const token = await stack.token({ sub: 'rev-pin-lc', role: 'reviewer', org: 'lc' });
    const res = await stack.call('GET', `/v1/applications/${app.id}/attachments/${attachmentId}`, { token });
    expectError(res, 404, 'not_found');
    expect(types((await read(app)).timeline)).not.toContain('document_downloaded');
  });

  it('hands the reviewer a download that is an attachment with a safe name and the verified type', async () => {
    const app = await createDraft('d-pin-name', 41, OPEN, IN_DONGCHANGFU);
    await uploadAllDocuments(stack, app.token, app.id, { contentTypes: honest });
    await submit(app);
    const pdf = ((await read(app)).attachments as (Attachment & { contentType: string })[]).find(
      (a) => a.contentType === 'application/pdf' && a.status === 'verified',
    );
    if (!pdf) throw new Error('no verified PDF');
    const { url, file } = await reviewerDownload(app.id, pdf.attachmentId);
    expect(url.searchParams.get('response-content-type')).toBe('application/pdf');
    expect(file.headers.get('content-type')).toBe('application/pdf');
    const disposition = file.headers.get('content-disposition') ?? '';
    expect(url.searchParams.get('response-content-disposition')).toBe(disposition);
    const name = /^attachment; filename="([^"]+)"/.exec(disposition)?.[1];
    expect(name).toBe(`${pdf.kind}-${pdf.attachmentId}.pdf`);
    // Plain printable ASCII in the quoted name: nothing a header or a file system could misread.
    expect(disposition).toMatch(/^[\x20-\x7e]+$/);
    expect(disposition).toContain("filename*=UTF-8''");
  });
});

describe('POST /v1/applications/{id}/withdraw', () => {
  it('releases the place, which the earliest waitlisted applicant takes', async () => {
    // 临清市 has one place in this programme.
    const apps = await Promise.all([20, 21, 22].map((n) => readyDraft(`d-wd-${n}`, n, OPEN, IN_LINQING)));
    const [first, second, third] = apps as [(typeof apps)[0], (typeof apps)[0], (typeof apps)[0]];
    const results = [];
    for (const app of apps) results.push(await submit(app));
    expect(results.map((r) => r.quota.state)).toEqual(['claimed', 'waitlisted', 'waitlisted']);
    expect(results.map((r) => r.quota.waitlistPosition)).toEqual([undefined, 1, 2]);
    expect((await unitOf(OPEN, 'lc-linqing')).unit).toMatchObject({ places: 1, claimed: 1, waitlisted: 2 });

    const withdrawn = await stack.call('POST', `/v1/applications/${first.id}/withdraw`, {
      token: first.token,
    });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect(withdrawn.body).toMatchObject({ id: first.id, status: 'withdrawn', quota: { state: 'released' } });
    expect(types(withdrawn.body.timeline)).toContain('withdrawn');
    expect(withdrawn.body.review.currentOrgId).toBeNull();

    expect((await unitOf(OPEN, 'lc-linqing')).unit).toMatchObject({ places: 1, claimed: 1, waitlisted: 1 });
    const promoted = await read(second);
    expect(promoted.quota).toEqual({ unitOrgId: 'lc-linqing', state: 'claimed' });
    expect(types(promoted.timeline)).toEqual(['created', 'submitted', 'promoted']);
    const stillWaiting = await read(third);
    expect(stillWaiting.quota).toEqual({ unitOrgId: 'lc-linqing', state: 'waitlisted', waitlistPosition: 1 });

    // A waitlisted applicant withdrawing frees a waitlist position, not a place.
    const thirdOut = await stack.call('POST', `/v1/applications/${third.id}/withdraw`, {
      token: third.token,
    });
    expect(thirdOut.body).toMatchObject({ status: 'withdrawn', quota: { state: 'released' } });
    expect((await unitOf(OPEN, 'lc-linqing')).unit).toMatchObject({ claimed: 1, waitlisted: 0 });
    expect((await read(second)).quota.state).toBe('claimed');

    // The last holder leaves with nobody waiting: the place is free again.
    const secondOut = await stack.call('POST', `/v1/applications/${second.id}/withdraw`, {
      token: second.token,
    });
    expect(secondOut.body).toMatchObject({ status: 'withdrawn', quota: { state: 'released' } });
    expect((await unitOf(OPEN, 'lc-linqing')).unit).toMatchObject({ claimed: 0, waitlisted: 0 });

    // The next submission takes the freed place.
    const next = await readyDraft('d-wd-23', 23, OPEN, IN_LINQING);
    expect((await submit(next)).quota.state).toBe('claimed');
  });

  it('withdraws a draft, which then cannot be submitted', async () => {
    const app = await createDraft('d-wd-draft', 24, OPEN, IN_LINQING);
    const res = await stack.call('POST', `/v1/applications/${app.id}/withdraw`, { token: app.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('withdrawn');
    const again = await stack.call('POST', `/v1/applications/${app.id}/submit`, { token: app.token });
    expectError(again, 409, 'invalid_state');
    expect((await unitOf(OPEN, 'lc-linqing')).unit).toMatchObject({ claimed: 1, waitlisted: 0 });
  });
});

describe('POST /v1/programmes/{programmeId}/reallocations (R15)', () => {
  // 开发区: 4 places, one holder; 茌平区: 1 place, one holder and four waiting.
  let source: { token: string; id: string };
  let target: { token: string; id: string }[];
  const path = `/v1/programmes/${REALLOC}/reallocations`;
  const move = (places: number) => ({ fromUnitOrgId: 'lc-kaifaqu', toUnitOrgId: 'lc-chiping', places });

  beforeAll(async () => {
    const drafts = await Promise.all([
      readyDraft('d-rk-1', 30, REALLOC, IN_KAIFAQU),
      ...[31, 32, 33, 34, 35].map((n) => readyDraft(`d-rc-${n}`, n, REALLOC, IN_CHIPING)),
    ]);
    source = drafts[0] as { token: string; id: string };
    target = drafts.slice(1);
    expect((await submit(source)).quota.state).toBe('claimed');
    const results = [];
    for (const app of target) results.push(await submit(app));
    expect(results.map((r) => r.quota.waitlistPosition)).toEqual([undefined, 1, 2, 3, 4]);
  });

  it('answers 403 to an admin of another org, a reviewer and a worker; 401 without a token', async () => {
    const tokensToRefuse = [
      await stack.token({ sub: 'admin-cp', role: 'admin', org: 'lc-chiping' }),
      await stack.token({ sub: 'admin-kfq', role: 'admin', org: 'lc-kaifaqu' }),
      await stack.token({ sub: 'rev-lc', role: 'reviewer', org: 'lc' }),
      await worker('d-rk-1'),
    ];
    for (const token of tokensToRefuse)
      expectError(await stack.call('POST', path, { token, body: move(1) }), 403, 'forbidden');
    expectError(await stack.call('POST', path, { body: move(1) }), 401, 'unauthenticated');
    expect((await unitOf(REALLOC, 'lc-chiping')).unit).toMatchObject({
      places: 1,
      claimed: 1,
      waitlisted: 4,
    });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['a source outside the programme', { ...move(1), fromUnitOrgId: 'lc-linqing' }, ['fromUnitOrgId']],
    ['an unknown target', { ...move(1), toUnitOrgId: 'no-such-unit' }, ['toUnitOrgId']],
    [
      'both units unknown',
      { fromUnitOrgId: 'no-such-a', toUnitOrgId: 'no-such-b', places: 1 },
      ['fromUnitOrgId', 'toUnitOrgId'],
    ],
    ['the same unit twice', { ...move(1), toUnitOrgId: 'lc-kaifaqu' }, ['toUnitOrgId']],
    ['zero places', move(0), ['places']],
    ['negative places', move(-1), ['places']],
    ['fractional places', move(1.5), ['places']],
    ['a missing target', { fromUnitOrgId: 'lc-kaifaqu', places: 1 }, ['toUnitOrgId']],
  ])('answers 400 for %s', async (_label, body, paths) => {
    const res = await stack.call('POST', path, { token: admin, body });
    expectError(res, 400, 'validation_failed');
    expect(fieldPaths(res)).toEqual([...paths].sort());
  });

  it('answers 404 for an unknown programme', async () => {
    const res = await stack.call('POST', '/v1/programmes/no-such-programme/reallocations', {
      token: admin,
      body: move(1),
    });
    expectError(res, 404, 'not_found');
  });

  it('answers 409 quota_exceeded when the source would fall below its claimed places', async () => {
    const res = await stack.call('POST', path, { token: admin, body: move(4) });
    expectError(res, 409, 'quota_exceeded');
    expect((await unitOf(REALLOC, 'lc-kaifaqu')).unit).toMatchObject({ places: 4, claimed: 1 });
    expect((await unitOf(REALLOC, 'lc-chiping')).unit).toMatchObject({
      places: 1,
      claimed: 1,
      waitlisted: 4,
    });
  });

  it('moves places and promotes the target’s earliest waitlisted applicants in submission order', async () => {
    const res = await stack.call('POST', path, { token: admin, body: move(2) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ programmeId: REALLOC, ...move(2), promotedApplications: 2 });

    const { unit: from, totals } = await unitOf(REALLOC, 'lc-kaifaqu');
    expect(from).toMatchObject({ places: 2, claimed: 1, waitlisted: 0 });
    expect((await unitOf(REALLOC, 'lc-chiping')).unit).toMatchObject({
      places: 3,
      claimed: 3,
      waitlisted: 2,
    });
    expect(totals).toMatchObject({ places: 5, claimed: 4, waitlisted: 2 });
    // Funding follows the places (R6): 2 × 1000 元 from each funder for the source now.
    expect(from.funding).toContainEqual({ funderOrgId: 'sd', amountFen: 100000, totalFen: 200000 });

    const views = await Promise.all(target.map((app) => read(app)));
    expect(views.map((v) => v.quota.state)).toEqual([
      'claimed',
      'claimed',
      'claimed',
      'waitlisted',
      'waitlisted',
    ]);
    expect(views.map((v) => v.quota.waitlistPosition)).toEqual([undefined, undefined, undefined, 1, 2]);
    for (const v of views.slice(1, 3))
      expect(types(v.timeline)).toEqual(['created', 'submitted', 'promoted']);
    for (const v of views.slice(3)) expect(types(v.timeline)).not.toContain('promoted');
  });

  it('answers 409 quota_exceeded once the source has no free place left to give', async () => {
    expectError(await stack.call('POST', path, { token: admin, body: move(2) }), 409, 'quota_exceeded');
    const res = await stack.call('POST', path, { token: admin, body: move(1) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.promotedApplications).toBe(1);
    const views = await Promise.all(target.map((app) => read(app)));
    expect(views.map((v) => v.quota.waitlistPosition)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      1,
    ]);
    expectError(await stack.call('POST', path, { token: admin, body: move(1) }), 409, 'quota_exceeded');
    expect((await unitOf(REALLOC, 'lc-kaifaqu')).unit).toMatchObject({ places: 1, claimed: 1 });
  });
});
