import type { MemberRole } from '../model/membership.ts';
import type { Org } from '../model/org.ts';
import { mayActOn } from './orgs.ts';

const rank: Record<MemberRole, number> = { reviewer: 1, admin: 2 };

/**
 * Whether a caller acting for `granterOrgId` with `granterRole` may grant (or take away) `role` in
 * `target` (R12 各级工会按权限): only admins govern people, only in their own org and below, and
 * never a role above their own.
 *
 * @example mayGrant({ role: 'admin', orgId: 'lc' }, { path: ['sd', 'lc', 'lc-chiping'] }, 'reviewer') // true
 */
export function mayGrant(
  granter: { role: string; orgId: string | undefined },
  target: Pick<Org, 'path'>,
  role: MemberRole,
): boolean {
  if (granter.role !== 'admin' || !granter.orgId) return false;
  if (rank[role] > rank[granter.role]) return false;
  return mayActOn(granter.orgId, target);
}
