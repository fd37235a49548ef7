import * as z from 'zod/mini';
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
  z
    .enum(['frontline', 'team_leader', 'section_head', 'above_section'])
    .check(z.meta({ id: 'PositionLevel' })),
);
export type PositionLevel = z.infer<typeof PositionLevel>;

/** R9: the channel an application came through (齐鲁工惠 APP, 公众号, 网站). */
export const Channel = lazySchema(() => z.enum(['app', 'wechat', 'web']).check(z.meta({ id: 'Channel' })));

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
  z.strictObject({
    name: humanText({ label: '姓名', max: 40 }),
    // R8 compares people by this number: store only its normalised form.
    idNumber: z
      .pipe(
        z
          .string()
          .check(z.refine((v) => isResidentIdNumber(v), '身份证号无效：须为18位，校验码和出生日期正确')),
        z.transform(normaliseIdNumber),
      )
      .check(
        z.meta({
          description:
            'Resident ID number (GB 11643): 18 characters, a birth date that exists, the mod-11 check character',
          pattern: identityPatterns.idNumber,
          example: '11010519491231002X',
        }),
      ),
    phone: z
      .pipe(
        z.string().check(z.refine((v) => isMainlandMobile(v), '手机号无效：须为11位中国大陆手机号')),
        z.transform(normaliseMobile),
      )
      .check(
        z.meta({
          description: 'Mainland mobile number; spaces, dashes and a +86 prefix are accepted',
          pattern: identityPatterns.mobile,
          example: '13812345678',
        }),
      ),
    positionLevel: PositionLevel,
    migrantWorker: z.boolean(),
  }),
);

/**
 * R3/R4: 学历层次、院校、专业、入学日期. Either an offering of the programme's catalogue (issue 16:
 * institution, major and level then come from it; a level given must match), or — where the programme
 * allows it — another accredited institution declared by name, which reviewers see as 非合作院校.
 */
export const Enrolment = lazySchema(() =>
  z
    .strictObject({
      offeringId: z.optional(OfferingId),
      institution: z.optional(humanText({ label: '院校', max: 100 })),
      institutionCode: z.optional(InstitutionCode),
      major: z.optional(humanText({ label: '专业', max: 100 })),
      level: z.optional(Level),
      enrolledOn: CalendarDate,
    })
    .check(
      z.superRefine((e, ctx) => {
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
      }),
      z.meta({
        id: 'Enrolment',
        description:
          'Either offeringId (from GET /v1/programmes/{programmeId}/offerings; institution, major and level come from it, a level given must match) or institution, major and level of another accredited institution, where the programme allows it (shown to reviewers as 非合作院校)',
      }),
    ),
);
export type EnrolmentInput = z.output<typeof Enrolment>;

/** R3/R11: 学信网学籍在线验证报告. */
export const ChsiReport = lazySchema(() =>
  z.strictObject({
    verificationCode: z
      .string()
      .check(z.trim(), z.regex(/^[A-Za-z0-9]{8,32}$/, '在线验证码应为 8–32 位字母或数字')),
    validUntil: CalendarDate,
  }),
);

/** R13: 银行卡或齐鲁工惠钱包账号. */
export const PayoutAccount = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('bank'),
      bankName: humanText({ label: '开户行', max: 60 }),
      // The name the bank file carries (R13): what the bank sees must be what the reviewer saw.
      accountName: humanText({ label: '户名', max: 40 }),
      accountNumber: z
        .pipe(
          z.string().check(z.refine((v) => isBankCardNumber(v), '银行卡号无效：须为12–19位且通过校验')),
          z.transform(normaliseAccountNumber),
        )
        .check(
          z.meta({
            description: 'Bank card number: 12–19 digits (spaces accepted), Luhn-valid',
            pattern: identityPatterns.bankCard,
            example: '6222020000000000000',
          }),
        ),
    }),
    z.strictObject({
      kind: z.literal('wallet'),
      walletId: z.string().check(z.trim(), z.regex(/^[A-Za-z0-9_-]{6,40}$/, '钱包账号无效')),
    }),
  ]),
);

const JobTitle = lazySchema(() => humanText({ label: '岗位', max: 60 }));
const Relevance = lazySchema(() => humanText({ label: '专业与岗位关系说明', max: 1000 }));

export const CreateApplicationBody = lazySchema(() =>
  z
    .strictObject({
      programmeId: Slug,
      employerOrgId: Slug,
      channel: z._default(Channel, 'app'),
      applicant: Applicant,
      enrolment: Enrolment,
      chsiReport: ChsiReport,
      jobTitle: JobTitle,
      relevance: Relevance,
      payoutAccount: PayoutAccount,
    })
    .check(z.meta({ id: 'CreateApplication' })),
);
export type CreateApplicationBody = z.output<typeof CreateApplicationBody>;

/** Draft corrections: any top-level section, each replaced whole. */
export const UpdateApplicationBody = lazySchema(() =>
  z
    .strictObject({
      employerOrgId: z.optional(Slug),
      channel: z.optional(Channel),
      applicant: z.optional(Applicant),
      enrolment: z.optional(Enrolment),
      chsiReport: z.optional(ChsiReport),
      jobTitle: z.optional(JobTitle),
      relevance: z.optional(Relevance),
      payoutAccount: z.optional(PayoutAccount),
    })
    .check(
      z.refine((b) => Object.keys(b).length > 0, '至少修改一项'),
      z.meta({ id: 'UpdateApplication' }),
    ),
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
    .strictObject({
      step: z
        .number()
        .check(
          z.int(),
          z.gte(0),
          z.lte(3),
          z.meta({ description: 'The step to resume at: 0 基本信息 · 1 工作单位 · 2 报读信息 · 3 收款账户' }),
        ),
      applicant: z.optional(Applicant),
      jobTitle: z.optional(JobTitle),
      employerOrgId: z.optional(Slug),
      enrolment: z.optional(Enrolment),
      chsiReport: z.optional(ChsiReport),
      relevance: z.optional(Relevance),
    })
    .check(z.meta({ id: 'SaveApplicationForm' })),
);
export type SaveApplicationFormBody = z.output<typeof SaveApplicationFormBody>;

/** The last step of the saved form: 收款账户, which turns it into the draft application. */
export const ApplicationFromFormBody = lazySchema(() =>
  z
    .strictObject({ channel: z._default(Channel, 'app'), payoutAccount: PayoutAccount })
    .check(z.meta({ id: 'ApplicationFromForm' })),
);
export type ApplicationFromFormBody = z.output<typeof ApplicationFromFormBody>;

/**
 * `PUT /applications/{id}/payout-account`: the account an approved application's next payment goes to,
 * given by its worker after a payment failed (R13), checked as the draft's is.
 */
export const ChangePayoutAccountBody = lazySchema(() =>
  z.strictObject({ payoutAccount: PayoutAccount }).check(z.meta({ id: 'ChangePayoutAccount' })),
);
export type ChangePayoutAccountBody = z.output<typeof ChangePayoutAccountBody>;

export const ApplicationIdParams = lazySchema(() =>
  z.object({
    id: z.string().check(z.regex(/^[a-z0-9]{8,40}$/, '申请编号无效')),
  }),
);

export const AttachmentKind = lazySchema(() =>
  z.enum(attachmentKinds).check(z.meta({ id: 'AttachmentKind' })),
);
export const DocumentContentType = lazySchema(() =>
  z.enum(documentContentTypes).check(z.meta({ id: 'DocumentContentType' })),
);

export const CreateAttachmentBody = lazySchema(() =>
  z
    .strictObject({
      kind: AttachmentKind,
      contentType: DocumentContentType,
      sizeBytes: z
        .number()
        .check(
          z.int('文件大小须为整数字节'),
          z.positive('文件不能为空'),
          z.lte(MAX_DOCUMENT_BYTES, '文件不能超过 10 MB'),
        ),
    })
    .check(z.meta({ id: 'CreateAttachment' })),
);

/**
 * `revoked`: an approved application an admin revoked after it was paid; it keeps its place (the
 * place was paid for and is never paid again) and owes the money back (a claw-back).
 */
export const ReviewStatus = lazySchema(() => z.enum(reviewStatuses).check(z.meta({ id: 'ReviewStatus' })));
export type ReviewStatus = z.infer<typeof ReviewStatus>;

export const QuotaState = lazySchema(() => z.enum(quotaStates).check(z.meta({ id: 'QuotaState' })));
export type QuotaState = z.infer<typeof QuotaState>;

export const NotificationListQuery = lazySchema(() =>
  z.object({
    cursor: z.optional(Cursor),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  }),
);

/** `POST /applications/{id}/revoke`: an admin's revocation of a paid application; the reason is required. */
export const RevokeBody = lazySchema(() =>
  z
    .strictObject({ reason: z.string().check(z.trim(), z.minLength(1, '撤销须填写理由'), z.maxLength(500)) })
    .check(z.meta({ id: 'RevokeRequest' })),
);
export type RevokeBody = z.infer<typeof RevokeBody>;

export const ReallocationBody = lazySchema(() =>
  z
    .strictObject({
      fromUnitOrgId: Slug,
      toUnitOrgId: Slug,
      places: z.number().check(z.int('名额必须是正整数'), z.positive('名额必须是正整数'), z.lte(100_000)),
    })
    .check(
      z.refine((b) => b.fromUnitOrgId !== b.toUnitOrgId, {
        message: '调出和调入单位不能相同',
        path: ['toUnitOrgId'],
      }),
      z.meta({ id: 'Reallocation' }),
    ),
);
export type ReallocationBody = z.output<typeof ReallocationBody>;
