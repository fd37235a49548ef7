/**
 * The union tree as the domain and the repositories see it (R12 组织注册). The HTTP contract
 * (`schemas/orgs.ts`) validates against these names and is checked to agree with this type.
 */

/** 组织层级: 省总工会 → 市总工会 → 县(市、区)/开发区/市直 → 乡镇(街道) → 企业. */
export const orgKinds = ['province', 'city', 'unit', 'township', 'enterprise'] as const;
export type OrgKind = (typeof orgKinds)[number];

export interface Org {
  id: string;
  name: string;
  kind: OrgKind;
  parentId: string | null;
  /** Ancestor ids from the root down to and including this org. */
  path: string[];
  /** A unit whose workers the city union reviews and pays directly (市直属单位, R7). */
  directToCity?: boolean | undefined;
}
