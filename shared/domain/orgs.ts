import type { Org, OrgKind } from '../model/org.ts';

/**
 * R12 组织注册: each kind of org registers under the kinds above it. A township is optional, so an
 * enterprise may sit directly under a unit.
 */
export const parentKinds: Record<OrgKind, readonly OrgKind[]> = {
  province: [],
  city: ['province'],
  unit: ['city'],
  township: ['unit'],
  enterprise: ['unit', 'township'],
};

/**
 * May an account of `actorOrgId` act on `target`? R12 各级工会按权限: an org acts on itself and on
 * everything registered below it, never sideways or upwards.
 *
 * @example mayActOn('lc', { path: ['sd', 'lc', 'lc-chiping'] }) // true
 */
export function mayActOn(actorOrgId: string, target: Pick<Org, 'path'>): boolean {
  return target.path.includes(actorOrgId);
}

/** The allocation unit (county, district, zone or the city-direct group) an org belongs to, if any. */
export function unitOf(
  org: Pick<Org, 'path' | 'kind'>,
  kindOf: (orgId: string) => OrgKind | undefined,
): string | undefined {
  return org.path.find((id) => kindOf(id) === 'unit');
}

/** Builds a new org's materialised path from its parent's. */
export function childPath(parent: Pick<Org, 'path'>, childId: string): string[] {
  return [...parent.path, childId];
}
