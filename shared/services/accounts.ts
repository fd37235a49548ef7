import { randomBytes } from 'node:crypto';
import { PHONE_HASH_PURPOSE } from '../domain/account.ts';
import { actingOrg, type Caller } from '../domain/caller.ts';
import { maskPhone, normaliseMobile } from '../domain/identity.ts';
import { mayGrant } from '../domain/members.ts';
import { childPath, mayActOn, parentKinds } from '../domain/orgs.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { MemberRole, Membership, OrgRegistration } from '../model/membership.ts';
import type { Org } from '../model/org.ts';
import type {
  AddMemberBody,
  CreateOrgRegistrationBody,
  OrgRegistrationDecisionBody,
} from '../schemas/accounts.ts';
import { rethrowAsContract } from './contract-errors.ts';
import type { Deps } from './deps.ts';

/**
 * `GET /me` (architecture.md §8): who the token says the caller is, and every org the account may act
 * for. A verified phone number is remembered, so admins can add the account by it.
 */
export async function me(deps: Deps, caller: Caller) {
  const memberships = await deps.memberships.forAccount(caller.sub);
  if (caller.phone) await recordVerifiedPhone(deps, caller.sub, caller.phone, memberships, caller.name);
  const orgs = await deps.orgs.getMany(memberships.map((m) => m.orgId));
  return {
    sub: caller.sub,
    name: caller.verifiedName ?? caller.name ?? '',
    memberships: memberships.map((m) => ({
      orgId: m.orgId,
      orgName: orgs.get(m.orgId)?.name ?? m.orgId,
      role: m.role,
    })),
  };
}

/**
 * A verified mobile number: admins can add the account by it, and an account reviewing for an org gets
 * that org's SMS (architecture.md §9: the reviewer contact, encrypted like applicants' numbers).
 */
export async function recordVerifiedPhone(
  deps: Deps,
  sub: string,
  phone: string,
  memberships: readonly Membership[],
  name?: string,
): Promise<void> {
  const mobile = normaliseMobile(phone);
  const cipher = deps.cipher();
  await deps.memberships.recordPhone(await cipher.lookupHash(mobile, PHONE_HASH_PURPOSE), sub);
  const reviewing = memberships.find((m) => m.role === 'reviewer') ?? memberships[0];
  if (!reviewing) return;
  await deps.outbox.putContact({
    sub,
    orgId: reviewing.orgId,
    ...(name ? { name } : {}),
    phone: { cipher: await cipher.encrypt(mobile), masked: maskPhone(mobile) },
  });
}

/** An org the caller governs (it or one above it), else 404 — never say what exists elsewhere. */
async function governedOrg(deps: Deps, caller: Caller, orgId: string): Promise<Org> {
  const org = await deps.orgs.get(orgId);
  if (!org || !mayActOn(actingOrg(caller), org)) throw notFound('组织不存在或不在您的管理范围内');
  return org;
}

function registrationView(r: OrgRegistration, caller: Caller) {
  return { ...r, contactPhone: r.registrantSub === caller.sub ? r.contactPhone : maskPhone(r.contactPhone) };
}

/** A free id for a registered org, made from its parent's (slugs stay ≤ 64 characters). */
function newOrgId(parentId: string): string {
  return `${parentId.slice(0, 55)}-${randomBytes(4).toString('hex')}`;
}

/**
 * R12 组织注册: a signed-in person asks to register a union under a parent; the parent's admins (or
 * admins above) decide. An enterprise names its employer's 统一社会信用代码, which may be registered
 * once (the uniqueness item's conditional put).
 */
export async function registerOrganisation(
  deps: Deps,
  caller: Caller,
  body: CreateOrgRegistrationBody,
  now: Date,
) {
  const parent = await deps.orgs.get(body.parentId);
  if (!parent) throw invalid([{ path: 'parentId', message: '上级组织不存在' }]);
  if (!parentKinds[body.kind].includes(parent.kind)) {
    throw invalid([{ path: 'kind', message: `${parent.name}之下不能注册此类组织` }]);
  }
  const orgId = body.orgId ?? newOrgId(parent.id);
  if (await deps.orgs.get(orgId)) {
    throw new AppError('already_exists', {
      fields: [{ path: 'orgId', message: `组织编号 ${orgId} 已存在` }],
    });
  }
  const registration: OrgRegistration = {
    id: randomBytes(8).toString('hex'),
    orgId,
    name: body.name,
    kind: body.kind,
    parentId: parent.id,
    ...(body.creditCode ? { creditCode: body.creditCode } : {}),
    contactName: body.contactName,
    contactPhone: body.contactPhone,
    registrantSub: caller.sub,
    status: 'pending',
    createdAt: now.toISOString(),
  };
  await deps.registrations.create(registration).catch(rethrowAsContract);
  return registrationView(registration, caller);
}

/** The registrations under a parent the caller governs (default: the org it acts for), by status. */
export async function listRegistrations(
  deps: Deps,
  caller: Caller,
  query: { parentId?: string | undefined; status: OrgRegistration['status'] },
) {
  const parent = await governedOrg(deps, caller, query.parentId ?? actingOrg(caller));
  const items = await deps.registrations.underParent(parent.id, query.status);
  return { items: items.map((r) => registrationView(r, caller)) };
}

/**
 * The parent's admins (or admins above) approve — the org is created and the registrant becomes its
 * admin, in one transaction — or reject with a reason, which frees the credit code.
 */
export async function decideRegistration(
  deps: Deps,
  caller: Caller,
  registrationId: string,
  body: OrgRegistrationDecisionBody,
  now: Date,
) {
  const registration = await deps.registrations.get(registrationId);
  if (!registration) throw notFound('组织注册申请不存在');
  const parent = await deps.orgs.get(registration.parentId);
  if (!parent || !mayActOn(actingOrg(caller), parent)) throw notFound('组织注册申请不存在');
  if (registration.status !== 'pending') {
    throw new AppError('invalid_state', { message: '该组织注册申请已处理' });
  }
  const at = now.toISOString();
  const decided: OrgRegistration = {
    ...registration,
    status: body.decision === 'approve' ? 'approved' : 'rejected',
    decidedAt: at,
    decidedBy: caller.sub,
    ...(body.reason ? { reason: body.reason } : {}),
  };
  if (body.decision === 'reject') {
    await deps.registrations.reject(decided).catch(rethrowAsContract);
  } else {
    const org: Org = {
      id: registration.orgId,
      name: registration.name,
      kind: registration.kind,
      parentId: parent.id,
      path: childPath(parent, registration.orgId),
    };
    const admin: Membership = {
      sub: registration.registrantSub,
      orgId: org.id,
      role: 'admin',
      grantedBy: caller.sub,
      grantedAt: at,
    };
    await deps.registrations.approve(decided, org, admin).catch(rethrowAsContract);
  }
  return registrationView(decided, caller);
}

/** The people of an org the caller governs. */
export async function listMembers(deps: Deps, caller: Caller, orgId: string) {
  const org = await governedOrg(deps, caller, orgId);
  return { orgId: org.id, items: await deps.memberships.ofOrg(org.id) };
}

function assertMayGrant(caller: Caller, org: Org, role: MemberRole) {
  if (!mayGrant({ role: caller.role, orgId: caller.org }, org, role)) {
    throw new AppError('forbidden', { message: '只能在本组织及下级组织中授予不高于自己的角色' });
  }
}

/**
 * An admin adds someone (by account or verified phone) as reviewer or admin of its org or one below
 * (R12); nobody grants above their own role or outside their subtree. Audited.
 */
export async function addMember(deps: Deps, caller: Caller, orgId: string, body: AddMemberBody, now: Date) {
  const org = await deps.orgs.get(orgId);
  if (!org) throw notFound('组织不存在');
  assertMayGrant(caller, org, body.role);
  let sub = body.sub;
  if (sub === undefined && body.phone !== undefined) {
    sub = await deps.memberships.accountByPhone(
      await deps.cipher().lookupHash(body.phone, PHONE_HASH_PURPOSE),
    );
    if (!sub) throw notFound('没有用此手机号登录过的账号：请对方先登录一次，或按账号标识添加');
  }
  if (sub === undefined) throw invalid([{ path: 'sub', message: '请填写账号标识或手机号' }]);
  const membership: Membership = {
    sub,
    orgId: org.id,
    role: body.role,
    grantedBy: caller.sub,
    grantedAt: now.toISOString(),
  };
  await deps.memberships.grant(membership);
  return membership;
}

/** An admin removes someone from its org or one below; audited. */
export async function removeMember(deps: Deps, caller: Caller, orgId: string, sub: string, now: Date) {
  const org = await deps.orgs.get(orgId);
  if (!org) throw notFound('组织不存在');
  // Removing is governed like granting the highest role: an admin of the org or above.
  assertMayGrant(caller, org, 'reviewer');
  const role = await deps.memberships
    .revoke(sub, org.id, caller.sub, now.toISOString())
    .catch(rethrowAsContract);
  return { orgId: org.id, sub, role };
}
