import * as z from 'zod/mini';
import { isUnifiedSocialCreditCode, normaliseCreditCode } from '../domain/credit-code.ts';
import { isMainlandMobile, normaliseMobile } from '../domain/identity.ts';
import { memberRoles, registrationStatuses } from '../model/membership.ts';
import { humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';
import { OrgKind } from './orgs.ts';

/** The roles a membership grants: 审核员 · 管理员. */
export const MemberRole = lazySchema(() => z.enum(memberRoles).check(z.meta({ id: 'MemberRole' })));

const Mobile = lazySchema(() =>
  z.pipe(
    z.string().check(z.refine((v) => isMainlandMobile(v), '手机号无效：须为11位中国大陆手机号')),
    z.transform(normaliseMobile),
  ),
);

/** An account id as the issuer gives it (`sub`). */
const Sub = lazySchema(() =>
  z.string().check(z.minLength(1), z.maxLength(128), z.meta({ description: 'Account id (the token’s sub)' })),
);

export const CreateOrgRegistrationBody = lazySchema(() =>
  z
    .strictObject({
      /** The id the org gets on approval; one is made from the parent's when absent. */
      orgId: z.optional(Slug),
      name: humanText({ label: '组织名称', max: 100 }),
      kind: OrgKind,
      parentId: Slug,
      creditCode: z
        .optional(
          z.pipe(
            z
              .string()
              .check(
                z.refine(
                  (v) => isUnifiedSocialCreditCode(v),
                  '统一社会信用代码无效：须为18位，校验码正确（GB 32100-2015）',
                ),
              ),
            z.transform(normaliseCreditCode),
          ),
        )
        .check(z.meta({ description: '统一社会信用代码 (GB 32100-2015); required for enterprises' })),
      contactName: humanText({ label: '联系人', max: 40 }),
      contactPhone: Mobile,
    })
    .check(
      z.refine((b) => b.kind !== 'enterprise' || b.creditCode !== undefined, {
        message: '企业工会须填写单位的统一社会信用代码',
        path: ['creditCode'],
      }),
      z.meta({ id: 'CreateOrgRegistration' }),
    ),
);
export type CreateOrgRegistrationBody = z.infer<typeof CreateOrgRegistrationBody>;

export const OrgRegistrationParams = lazySchema(() =>
  z.object({ registrationId: z.string().check(z.minLength(1), z.maxLength(64)) }),
);
export const OrgRegistrationQuery = lazySchema(() =>
  z.strictObject({
    parentId: z.optional(Slug).check(z.meta({ description: 'Default: the org the caller acts for' })),
    status: z._default(z.enum(registrationStatuses), 'pending'),
  }),
);
export const OrgRegistrationDecisionBody = lazySchema(() =>
  z
    .discriminatedUnion('decision', [
      z.strictObject({
        decision: z.literal('approve'),
        reason: z.optional(humanText({ label: '理由', min: 0, max: 500 })),
      }),
      z.strictObject({ decision: z.literal('reject'), reason: humanText({ label: '理由', max: 500 }) }),
    ])
    .check(z.meta({ id: 'OrgRegistrationDecision' })),
);
export type OrgRegistrationDecisionBody = z.infer<typeof OrgRegistrationDecisionBody>;

export const MemberParams = lazySchema(() => z.object({ orgId: Slug }));
export const MemberSubParams = lazySchema(() => z.object({ orgId: Slug, sub: Sub }));

export const AddMemberBody = lazySchema(() =>
  z.strictObject({ role: MemberRole, sub: z.optional(Sub), phone: z.optional(Mobile) }).check(
    z.refine((b) => (b.sub === undefined) !== (b.phone === undefined), {
      message: '请填写账号标识或手机号，二者选一',
      path: ['sub'],
    }),
    z.meta({ id: 'AddMember' }),
  ),
);
export type AddMemberBody = z.infer<typeof AddMemberBody>;
