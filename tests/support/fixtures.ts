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
