import * as z from 'zod';
import { isUnifiedSocialCreditCode, normaliseCreditCode } from '../domain/credit-code.ts';
import { isMainlandMobile, normaliseMobile } from '../domain/identity.ts';
import { memberRoles, registrationStatuses } from '../model/membership.ts';
import { humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';
import { OrgKind } from './orgs.ts';

/** The roles a membership grants: 审核员 · 管理员. */
export const MemberRole = lazySchema(() => z.enum(memberRoles).meta({ id: 'MemberRole' }));

const Mobile = lazySchema(() =>
  z
    .string()
    .refine((v) => isMainlandMobile(v), '手机号无效：须为11位中国大陆手机号')
    .transform(normaliseMobile),
);

/** An account id as the issuer gives it (`sub`). */
const Sub = lazySchema(() =>
  z.string().min(1).max(128).meta({ description: 'Account id (the token’s sub)' }),
);

export const CreateOrgRegistrationBody = lazySchema(() =>
  z
    .object({
      /** The id the org gets on approval; one is made from the parent's when absent. */
      orgId: Slug.optional(),
      name: humanText({ label: '组织名称', max: 100 }),
      kind: OrgKind,
      parentId: Slug,
      creditCode: z
        .string()
        .refine(
          (v) => isUnifiedSocialCreditCode(v),
          '统一社会信用代码无效：须为18位，校验码正确（GB 32100-2015）',
        )
        .transform(normaliseCreditCode)
        .optional()
        .meta({ description: '统一社会信用代码 (GB 32100-2015); required for enterprises' }),
      contactName: humanText({ label: '联系人', max: 40 }),
      contactPhone: Mobile,
    })
    .strict()
    .refine((b) => b.kind !== 'enterprise' || b.creditCode !== undefined, {
      message: '企业工会须填写单位的统一社会信用代码',
      path: ['creditCode'],
    })
    .meta({ id: 'CreateOrgRegistration' }),
);
export type CreateOrgRegistrationBody = z.infer<typeof CreateOrgRegistrationBody>;

export const OrgRegistrationParams = lazySchema(() =>
  z.object({ registrationId: z.string().min(1).max(64) }),
);
export const OrgRegistrationQuery = lazySchema(() =>
  z
    .object({
      parentId: Slug.optional().meta({ description: 'Default: the org the caller acts for' }),
      status: z.enum(registrationStatuses).default('pending'),
    })
    .strict(),
);
export const OrgRegistrationDecisionBody = lazySchema(() =>
  z
    .discriminatedUnion('decision', [
      z
        .object({
          decision: z.literal('approve'),
          reason: humanText({ label: '理由', min: 0, max: 500 }).optional(),
        })
        .strict(),
      z.object({ decision: z.literal('reject'), reason: humanText({ label: '理由', max: 500 }) }).strict(),
    ])
    .meta({ id: 'OrgRegistrationDecision' }),
);
export type OrgRegistrationDecisionBody = z.infer<typeof OrgRegistrationDecisionBody>;

export const MemberParams = lazySchema(() => z.object({ orgId: Slug }));
export const MemberSubParams = lazySchema(() => z.object({ orgId: Slug, sub: Sub }));

export const AddMemberBody = lazySchema(() =>
  z
    .object({ role: MemberRole, sub: Sub.optional(), phone: Mobile.optional() })
    .strict()
    .refine((b) => (b.sub === undefined) !== (b.phone === undefined), {
      message: '请填写账号标识或手机号，二者选一',
      path: ['sub'],
    })
    .meta({ id: 'AddMember' }),
);
export type AddMemberBody = z.infer<typeof AddMemberBody>;
