import * as z from 'zod';
import type * as model from '../model/org.ts';
import { orgKinds } from '../model/org.ts';
import type { Agrees, Assert } from './agreement.ts';
import { humanText, Slug } from './common.ts';

/** 组织层级: 省总工会 → 市总工会 → 县(市、区)/开发区/市直 → 乡镇(街道) → 企业. */
export const OrgKind = z.enum(orgKinds).meta({ id: 'OrgKind' });
export type OrgKind = z.infer<typeof OrgKind>;

export const Org = z
  .object({
    id: Slug,
    name: z.string(),
    kind: OrgKind,
    parentId: Slug.nullable(),
    /** Ancestor ids from the root down to and including this org. */
    path: z.array(Slug),
    /** A unit whose workers the city union reviews and pays directly (市直属单位, R7). */
    directToCity: z.boolean().optional(),
  })
  .meta({ id: 'Org' });
export type Org = z.infer<typeof Org>;
export type OrgAgrees = Assert<Agrees<Org, model.Org>>;

export const OrgIdParams = z.object({ orgId: Slug });

export const CreateOrgBody = z
  .object({
    id: Slug,
    name: humanText({ label: '名称', max: 100 }),
    kind: OrgKind,
    parentId: Slug,
    directToCity: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'CreateOrg' });
export type CreateOrgBody = z.infer<typeof CreateOrgBody>;

export const OrgChildren = z.object({ orgId: Slug, children: z.array(Org) }).meta({ id: 'OrgChildren' });

/** `GET /v1/programmes/{programmeId}/employers?q=`: part of an employer's (企业工会) name. */
export const EmployerSearchQuery = z.object({
  q: z.string().trim().min(1, '请输入单位名称').max(40, '单位名称不超过40个字'),
});

/** Enterprises inside a programme's units whose name holds the text, each with the unit it counts in. */
export const EmployerList = z
  .object({
    programmeId: Slug,
    items: z.array(z.object({ id: Slug, name: z.string(), unitOrgId: Slug, path: z.array(Slug) })),
  })
  .meta({ id: 'EmployerList' });
export type EmployerList = z.infer<typeof EmployerList>;
