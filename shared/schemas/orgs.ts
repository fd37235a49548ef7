import * as z from 'zod/mini';
import { orgKinds } from '../model/org.ts';
import { humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';

/** 组织层级: 省总工会 → 市总工会 → 县(市、区)/开发区/市直 → 乡镇(街道) → 企业. */
export const OrgKind = lazySchema(() => z.enum(orgKinds).check(z.meta({ id: 'OrgKind' })));
export type OrgKind = z.infer<typeof OrgKind>;

export const OrgIdParams = lazySchema(() => z.object({ orgId: Slug }));

export const CreateOrgBody = lazySchema(() =>
  z
    .strictObject({
      id: Slug,
      name: humanText({ label: '名称', max: 100 }),
      kind: OrgKind,
      parentId: Slug,
      directToCity: z.optional(z.boolean()),
    })
    .check(z.meta({ id: 'CreateOrg' })),
);
export type CreateOrgBody = z.infer<typeof CreateOrgBody>;

/** `GET /v1/programmes/{programmeId}/employers?q=`: part of an employer's (企业工会) name. */
export const EmployerSearchQuery = lazySchema(() =>
  z.object({
    q: z.string().check(z.trim(), z.minLength(1, '请输入单位名称'), z.maxLength(40, '单位名称不超过40个字')),
  }),
);
