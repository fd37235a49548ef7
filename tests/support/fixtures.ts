import { addDays, addMonths, shanghaiDate } from '../../shared/domain/dates.ts';
import { makeResidentIdNumber } from '../../shared/domain/identity.ts';

/** A valid resident ID number for the n-th test person (distinct for every n < 10^6). */
export function idNumberFor(n: number): string {
  const birth = addDays('1985-01-01', n % 7000);
  return makeResidentIdNumber('371502', birth.replaceAll('-', ''), Math.floor(n / 7000) % 1000);
}

/** A Luhn-valid 16-digit bank card number. */
export function bankCardFor(n: number): string {
  const body = `622202${String(n).padStart(9, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** A complete, eligible draft body for a programme whose enrolment year is `enrolmentYear`. */
export function draftBody(
  n: number,
  options: {
    programmeId: string;
    employerOrgId: string;
    enrolmentYear: number;
    today?: Date;
    level?: string;
  },
) {
  const today = shanghaiDate(options.today ?? new Date());
  return {
    programmeId: options.programmeId,
    employerOrgId: options.employerOrgId,
    channel: 'app',
    applicant: {
      name: `职工${n}`,
      idNumber: idNumberFor(n),
      phone: `138${String(n).padStart(8, '0')}`,
      positionLevel: 'frontline',
      migrantWorker: n % 2 === 0,
    },
    enrolment: {
      institution: '聊城大学',
      major: '机械设计制造及其自动化',
      level: options.level ?? 'junior_college',
      enrolledOn: `${options.enrolmentYear}-03-01`,
    },
    chsiReport: {
      verificationCode: `A1B2C3D4${String(n).padStart(6, '0')}`,
      validUntil: addMonths(today, 12),
    },
    jobTitle: '数控车床操作工',
    relevance: '所学专业与数控加工岗位直接相关',
    payoutAccount: {
      kind: 'bank',
      bankName: '中国工商银行聊城分行',
      accountName: `职工${n}`,
      accountNumber: bankCardFor(n),
    },
  };
}

/**
 * A `POST /v1/programmes` body open today: applications from ten days ago to thirty days ahead, one
 * review batch `b1` open from five days ago to forty days ahead, both levels, 50 places in 东昌府区
 * funded by the province. Any field can be replaced.
 *
 * @example programmeBody({ id: 'p-1', allocations: [{ unitOrgId: 'lc-shizhi', places: 2, funding }] })
 */
export function programmeBody(overrides: { id: string } & Record<string, unknown>, now = new Date()) {
  const day = shanghaiDate(now);
  const opensOn = addDays(day, -10);
  return {
    title: `测试项目 ${overrides.id}`,
    ownerOrgId: 'lc',
    year: Number(opensOn.slice(0, 4)),
    enrolmentYear: Number(day.slice(0, 4)),
    applicationWindow: { opensOn, closesOn: addDays(day, 30) },
    reviewBatches: [{ id: 'b1', opensOn: addDays(day, -5), closesOn: addDays(day, 40) }],
    levels: ['junior_college', 'bachelor'],
    allocations: [
      { unitOrgId: 'lc-dongchangfu', places: 50, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
    ],
    ...overrides,
  };
}

/** Minimal files whose first bytes are what their type says. */
export const sampleFiles = {
  'image/jpeg': Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9,
  ]),
  'image/png': Buffer.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
  ]),
  'application/pdf': Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
} as const;

/** A presigned POST upload form as `POST /v1/applications/{id}/attachments` returns it. */
export interface UploadForm {
  url: string;
  fields: Record<string, string>;
}

/**
 * Uploads bytes through a presigned POST the way a browser form does: every field, then the file
 * last. The S3 emulator enforces no policy, so what it accepts is what a forger could send.
 */
export async function postUpload(
  upload: UploadForm,
  bytes: Uint8Array,
  contentType: string,
): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }));
  return fetch(upload.url, { method: 'POST', body: form });
}

/** The decoded policy document of a presigned POST (`Policy` is base64 JSON). */
export function uploadPolicy(fields: Record<string, string>): {
  expiration: string;
  conditions: unknown[];
} {
  const encoded = fields.Policy ?? fields.policy;
  if (!encoded) throw new Error('the upload form carries no Policy field');
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
}

/** Files that are not what an upload claims: a PDF, plain text, and a PNG header on an oversize body. */
export const forgedFiles = {
  plainText: Buffer.from('this is not a scan of anything\n'),
  /** A PNG signature followed by zeros up to `sizeBytes`. */
  pngOfSize: (sizeBytes: number) => {
    const bytes = Buffer.alloc(sizeBytes);
    sampleFiles['image/png'].copy(bytes, 0);
    return bytes;
  },
} as const;

/** Marks a path {@link withChanges} removes. */
export const REMOVE = Symbol('remove');

/**
 * A deep copy of a request body with some dotted paths set (or removed with {@link REMOVE}) — for
 * sending bodies the types would not allow.
 *
 * @example withChanges(draftBody(1, opts), { 'applicant.phone': '12345678901', jobTitle: REMOVE })
 */
export function withChanges(body: object, changes: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(body) as Record<string, unknown>;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    let node = copy;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    const last = keys.at(-1) as string;
    if (value === REMOVE) delete node[last];
    else node[last] = value;
  }
  return copy;
}
