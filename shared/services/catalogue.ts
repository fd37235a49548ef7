import { childPath, mayActOn, parentKinds } from '../domain/orgs.ts';
import { programmeErrors, referencedOrgIds } from '../domain/programme.ts';
import { quotaBoard } from '../domain/quota.ts';
import { AppError, forbidden, invalid, notFound } from '../errors.ts';
import type { Caller } from '../http/auth.ts';
import { actingOrg } from '../http/auth.ts';
import type { CreateOrgBody, Org } from '../schemas/orgs.ts';
import type { Programme, ProgrammeInput, QuotaBoard } from '../schemas/programmes.ts';
import type { Deps } from './deps.ts';

export async function getOrg(deps: Deps, orgId: string): Promise<Org> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw notFound('组织不存在');
  return org;
}

export async function listOrgChildren(
  deps: Deps,
  orgId: string,
): Promise<{ orgId: string; children: Org[] }> {
  const [org, children] = await Promise.all([deps.orgs.get(orgId), deps.orgs.children(orgId)]);
  if (!org) throw notFound('组织不存在');
  return { orgId, children: children.sort((a, b) => a.id.localeCompare(b.id)) };
}

/**
 * R12 组织注册: an admin registers an org under one it governs; the kind must fit under the parent's
 * kind (a township under a unit, an enterprise under a unit or township).
 */
export async function registerOrg(deps: Deps, caller: Caller, input: CreateOrgBody): Promise<Org> {
  const parent = await deps.orgs.get(input.parentId);
  // An org outside the caller's subtree is reported as missing: never leak what exists elsewhere.
  if (!parent || !mayActOn(actingOrg(caller), parent)) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'parentId', message: '上级组织不存在或不在您的管理范围内' }],
    });
  }
  if (!parentKinds[input.kind].includes(parent.kind)) {
    throw invalid([{ path: 'kind', message: `${parent.name}之下不能注册此类组织` }]);
  }
  const org: Org = {
    id: input.id,
    name: input.name,
    kind: input.kind,
    parentId: parent.id,
    path: childPath(parent, input.id),
  };
  await deps.orgs.create(org);
  return org;
}

export async function listProgrammes(deps: Deps) {
  const programmes = await deps.programmes.list();
  return programmes.map(
    ({ allocations: _a, allocationPolicy: _p, contacts: _c, createdAt: _t, ...summary }) => summary,
  );
}

export async function getProgramme(deps: Deps, programmeId: string): Promise<Programme> {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw notFound('项目不存在');
  return found.programme;
}

/** R5: the live quota board, read with one query on the programme's partition. */
export async function getQuotaBoard(deps: Deps, programmeId: string): Promise<QuotaBoard> {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw notFound('项目不存在');
  const names = await deps.orgs.getMany(found.allocations.map((a) => a.unitOrgId));
  return quotaBoard(programmeId, found.allocations, (id) => names.get(id)?.name ?? id);
}

/** Publishes a programme after checking every rule of `programmeErrors`; only an admin governing the owner. */
export async function publishProgramme(
  deps: Deps,
  caller: Caller,
  input: ProgrammeInput,
  now: Date,
): Promise<Programme> {
  const orgs = await deps.orgs.getMany(referencedOrgIds(input));
  const owner = orgs.get(input.ownerOrgId);
  if (owner && !mayActOn(actingOrg(caller), owner)) throw forbidden('只有主办组织的管理员可以发布项目');
  const errors = programmeErrors(input, orgs);
  if (errors.length > 0) throw invalid(errors);
  const programme: Programme = { ...input, createdAt: now.toISOString() };
  await deps.programmes.create(programme);
  return programme;
}
