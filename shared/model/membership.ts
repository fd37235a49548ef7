/**
 * Who may act for an org (architecture.md §8): the platform's own membership data, never a token
 * claim. An account without any membership is a worker.
 */
import type { OrgKind } from './org.ts';

/** The roles a membership grants, lowest first (a worker holds no membership). */
export const memberRoles = ['reviewer', 'admin'] as const;
export type MemberRole = (typeof memberRoles)[number];

export interface Membership {
  sub: string;
  orgId: string;
  role: MemberRole;
  /** The account that granted it (`seed`, `dev-token` or an admin's `sub`). */
  grantedBy: string;
  grantedAt: string;
}

/** A union's request to join the tree under a parent (R12 组织注册), decided by the parent's admins. */
export const registrationStatuses = ['pending', 'approved', 'rejected'] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

export interface OrgRegistration {
  id: string;
  /** The id the org gets on approval. */
  orgId: string;
  name: string;
  kind: OrgKind;
  parentId: string;
  /** 统一社会信用代码 (GB 32100-2015) of the employer; required for enterprises. */
  creditCode?: string | undefined;
  contactName: string;
  /** Mainland mobile number, canonical form. */
  contactPhone: string;
  /** The account that registered it: the new org's first admin. */
  registrantSub: string;
  status: RegistrationStatus;
  createdAt: string;
  decidedAt?: string | undefined;
  decidedBy?: string | undefined;
  reason?: string | undefined;
}

/** One change of an org's people (architecture.md §8): every grant and removal is kept. */
export interface MemberAuditEvent {
  orgId: string;
  at: string;
  type: 'member_added' | 'member_removed' | 'org_registered';
  actor: string;
  sub: string;
  role?: MemberRole | undefined;
}
