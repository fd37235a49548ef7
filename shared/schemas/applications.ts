import * as z from 'zod';
import { attachmentKinds, documentContentTypes, MAX_DOCUMENT_BYTES } from '../domain/documents.ts';
import {
  isBankCardNumber,
  isMainlandMobile,
  isResidentIdNumber,
  normaliseAccountNumber,
  normaliseIdNumber,
  normaliseMobile,
} from '../domain/identity.ts';
import { quotaStates, reviewStatuses } from '../model/application.ts';
import { InstitutionCode, OfferingId } from './catalogue.ts';
import { CalendarDate, Cursor, humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';
import { Level } from './programmes.ts';

/** R1: 车间(工段、科室)主任(含)或科级(含)以下; `above_section` is ineligible. */
export const PositionLevel = lazySchema(() =>
  z.enum(['frontline', 'team_leader', 'section_head', 'above_section']).meta({ id: 'PositionLevel' }),
);
export type PositionLevel = z.infer<typeof PositionLevel>;

/** R9: the channel an application came through (齐鲁工惠 APP, 公众号, 网站). */
export const Channel = lazySchema(() => z.enum(['app', 'wechat', 'web']).meta({ id: 'Channel' }));

/**
 * What the identity checks accept, as the API document's patterns (architecture.md §5): exactly the
 * shapes `domain/identity.ts` takes before its check characters, birth dates and Luhn sums, which a
 * pattern cannot say. Surrounding spaces (and a mobile number's spaces, dashes and `+86`) are
 * accepted because people type them; the server stores the normalised form.
 */
export const identityPatterns = {
  idNumber: '^\\s*[1-9]\\d{16}[\\dXx]\\s*$',
  mobile:
    '^[\\s-]*(?:(?:\\+[\\s-]*8[\\s-]*6|0[\\s-]*0[\\s-]*8[\\s-]*6|8[\\s-]*6)[\\s-]*)?1[\\s-]*[3-9](?:[\\s-]*\\d){9}[\\s-]*$',
  bankCard: '^\\s*(?:\\d\\s*){12,19}$',
} as const;

export const Applicant = lazySchema(() =>
  z
    .object({
      name: humanText({ label: '姓名', max: 40 }),
      // R8 compares people by this number: store only its normalised form.
      idNumber: z
        .string()
        .refine((v) => isResidentIdNumber(v), '身份证号无效：须为18位，校验码和出生日期正确')
        .transform(normaliseIdNumber)
        .meta({
          description:
            'Resident ID number (GB 11643): 18 characters, a birth date that exists, the mod-11 check character',
          pattern: identityPatterns.idNumber,
          example: '11010519491231002X',
        }),
      phone: z
        .string()
        .refine((v) => isMainlandMobile(v), '手机号无效：须为11位中国大陆手机号')
        .transform(normaliseMobile)
        .meta({
          description: 'Mainland mobile number; spaces, dashes and a +86 prefix are accepted',
          pattern: identityPatterns.mobile,
          example: '13812345678',
        }),
      positionLevel: PositionLevel,
      migrantWorker: z.boolean(),
    })
    .strict(),
);

/**
 * R3/R4: 学历层次、院校、专业、入学日期. Either an offering of the programme's catalogue (issue 16:
 * institution, major and level then come from it; a level given must match), or — where the programme
 * allows it — another accredited institution declared by name, which reviewers see as 非合作院校.
 */
export const Enrolment = lazySchema(() =>
  z
    .object({
      offeringId: OfferingId.optional(),
      institution: humanText({ label: '院校', max: 100 }).optional(),
      institutionCode: InstitutionCode.optional(),
      major: humanText({ label: '专业', max: 100 }).optional(),
      level: Level.optional(),
      enrolledOn: CalendarDate,
    })
    .strict()
    .superRefine((e, ctx) => {
      if (e.offeringId !== undefined) {
        for (const key of ['institution', 'institutionCode', 'major'] as const) {
          if (e[key] !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: '选择了专业目录中的专业时，院校和专业由目录确定，请勿另填',
            });
          }
        }
        return;
      }
      for (const [key, label] of [
        ['institution', '院校'],
        ['major', '专业'],
        ['level', '学历层次'],
      ] as const) {
        if (e[key] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `请从专业目录中选择专业（offeringId），或填写${label}`,
          });
        }
      }
    })
    .meta({
      id: 'Enrolment',
      description:
        'Either offeringId (from GET /v1/programmes/{programmeId}/offerings; institution, major and level come from it, a level given must match) or institution, major and level of another accredited institution, where the programme allows it (shown to reviewers as 非合作院校)',
    }),
);
export type EnrolmentInput = z.output<typeof Enrolment>;

/** R3/R11: 学信网学籍在线验证报告. */
export const ChsiReport = lazySchema(() =>
  z
    .object({
      verificationCode: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9]{8,32}$/, '在线验证码应为 8–32 位字母或数字'),
      validUntil: CalendarDate,
    })
    .strict(),
);

/** R13: 银行卡或齐鲁工惠钱包账号. */
export const PayoutAccount = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('bank'),
        bankName: humanText({ label: '开户行', max: 60 }),
        // The name the bank file carries (R13): what the bank sees must be what the reviewer saw.
        accountName: humanText({ label: '户名', max: 40 }),
        accountNumber: z
          .string()
          .refine((v) => isBankCardNumber(v), '银行卡号无效：须为12–19位且通过校验')
          .transform(normaliseAccountNumber)
          .meta({
            description: 'Bank card number: 12–19 digits (spaces accepted), Luhn-valid',
            pattern: identityPatterns.bankCard,
            example: '6222020000000000000',
          }),
      })
      .strict(),
    z
      .object({
        kind: z.literal('wallet'),
        walletId: z
          .string()
          .trim()
          .regex(/^[A-Za-z0-9_-]{6,40}$/, '钱包账号无效'),
      })
      .strict(),
  ]),
);

const JobTitle = lazySchema(() => humanText({ label: '岗位', max: 60 }));
const Relevance = lazySchema(() => humanText({ label: '专业与岗位关系说明', max: 1000 }));

export const CreateApplicationBody = lazySchema(() =>
  z
    .object({
      programmeId: Slug,
      employerOrgId: Slug,
      channel: Channel.default('app'),
      applicant: Applicant,
      enrolment: Enrolment,
      chsiReport: ChsiReport,
      jobTitle: JobTitle,
      relevance: Relevance,
      payoutAccount: PayoutAccount,
    })
    .strict()
    .meta({ id: 'CreateApplication' }),
);
export type CreateApplicationBody = z.output<typeof CreateApplicationBody>;

/** Draft corrections: any top-level section, each replaced whole. */
export const UpdateApplicationBody = lazySchema(() =>
  z
    .object({
      employerOrgId: Slug.optional(),
      channel: Channel.optional(),
      applicant: Applicant.optional(),
      enrolment: Enrolment.optional(),
      chsiReport: ChsiReport.optional(),
      jobTitle: JobTitle.optional(),
      relevance: Relevance.optional(),
      payoutAccount: PayoutAccount.optional(),
    })
    .strict()
    .refine((b) => Object.keys(b).length > 0, '至少修改一项')
    .meta({ id: 'UpdateApplication' }),
);
export type UpdateApplicationBody = z.output<typeof UpdateApplicationBody>;

/**
 * The application form as far as the worker has filled it (architecture.md §7), kept on the server
 * before the draft application exists: each step saves its sections (each section given replaces the
 * saved one, the others are kept), so a worker who closes WeChat resumes where they were. Every
 * section given is checked with the draft's own schema.
 */
export const SaveApplicationFormBody = lazySchema(() =>
  z
    .object({
      step: z
        .number()
        .int()
        .min(0)
        .max(3)
        .meta({ description: 'The step to resume at: 0 基本信息 · 1 工作单位 · 2 报读信息 · 3 收款账户' }),
      applicant: Applicant.optional(),
      jobTitle: JobTitle.optional(),
      employerOrgId: Slug.optional(),
      enrolment: Enrolment.optional(),
      chsiReport: ChsiReport.optional(),
      relevance: Relevance.optional(),
    })
    .strict()
    .meta({ id: 'SaveApplicationForm' }),
);
export type SaveApplicationFormBody = z.output<typeof SaveApplicationFormBody>;

/** The last step of the saved form: 收款账户, which turns it into the draft application. */
export const ApplicationFromFormBody = lazySchema(() =>
  z
    .object({ channel: Channel.default('app'), payoutAccount: PayoutAccount })
    .strict()
    .meta({ id: 'ApplicationFromForm' }),
);
export type ApplicationFromFormBody = z.output<typeof ApplicationFromFormBody>;

export const ApplicationIdParams = lazySchema(() =>
  z.object({
    id: z.string().regex(/^[a-z0-9]{8,40}$/, '申请编号无效'),
  }),
);

export const AttachmentKind = lazySchema(() => z.enum(attachmentKinds).meta({ id: 'AttachmentKind' }));
export const DocumentContentType = lazySchema(() =>
  z.enum(documentContentTypes).meta({ id: 'DocumentContentType' }),
);

export const CreateAttachmentBody = lazySchema(() =>
  z
    .object({
      kind: AttachmentKind,
      contentType: DocumentContentType,
      sizeBytes: z
        .number()
        .int('文件大小须为整数字节')
        .positive('文件不能为空')
        .max(MAX_DOCUMENT_BYTES, '文件不能超过 10 MB'),
    })
    .strict()
    .meta({ id: 'CreateAttachment' }),
);

/**
 * `revoked`: an approved application an admin revoked after it was paid; it keeps its place (the
 * place was paid for and is never paid again) and owes the money back (a claw-back).
 */
export const ReviewStatus = lazySchema(() => z.enum(reviewStatuses).meta({ id: 'ReviewStatus' }));
export type ReviewStatus = z.infer<typeof ReviewStatus>;

export const QuotaState = lazySchema(() => z.enum(quotaStates).meta({ id: 'QuotaState' }));
export type QuotaState = z.infer<typeof QuotaState>;

export const NotificationListQuery = lazySchema(() =>
  z.object({
    cursor: Cursor.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  }),
);

/** `POST /applications/{id}/revoke`: an admin's revocation of a paid application; the reason is required. */
export const RevokeBody = lazySchema(() =>
  z
    .object({ reason: z.string().trim().min(1, '撤销须填写理由').max(500) })
    .strict()
    .meta({ id: 'RevokeRequest' }),
);
export type RevokeBody = z.infer<typeof RevokeBody>;

export const ReallocationBody = lazySchema(() =>
  z
    .object({
      fromUnitOrgId: Slug,
      toUnitOrgId: Slug,
      places: z.number().int('名额必须是正整数').positive('名额必须是正整数').max(100_000),
    })
    .strict()
    .refine((b) => b.fromUnitOrgId !== b.toUnitOrgId, {
      message: '调出和调入单位不能相同',
      path: ['toUnitOrgId'],
    })
    .meta({ id: 'Reallocation' }),
);
export type ReallocationBody = z.output<typeof ReallocationBody>;
