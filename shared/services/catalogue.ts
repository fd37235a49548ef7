import { pastBoundaryChanges } from '../domain/calendar.ts';
import { actingOrg, type Caller } from '../domain/caller.ts';
import { type FundingChange, fundingNotGoverned, fundingOf } from '../domain/funding.ts';
import { childPath, mayActOn, parentKinds } from '../domain/orgs.ts';
import { programmeErrors, referencedOrgIds } from '../domain/programme.ts';
import { quotaBoard } from '../domain/quota.ts';
import { AppError, forbidden, invalid, notFound } from '../errors.ts';
import type { CreateOrgBody } from '../schemas/orgs.ts';
import type { FundingShareBody, ProgrammeInput, UpdateProgrammeBody } from '../schemas/programmes.ts';
import type { EmployerList, Org } from '../schemas/views/orgs.ts';
import type { Programme, QuotaBoard } from '../schemas/views/programmes.ts';
import { restartCalendar, startCalendarSafely } from './calendar.ts';
import { rethrowAsContract } from './contract-errors.ts';
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

/** Most employers one search answers: a worker refines a longer list by typing more. */
export const MAX_EMPLOYER_MATCHES = 50;

/**
 * The employers (企业工会) a worker may name in a programme whose name holds `q`: the enterprises
 * registered under the programme's units, directly or under a township (the shapes the org tree
 * allows, R12), in name order. The worker pages' employer search (architecture.md §7).
 */
export async function searchEmployers(deps: Deps, programmeId: string, q: string): Promise<EmployerList> {
  const programme = await getProgramme(deps, programmeId);
  const units = new Set(programme.allocations.map((a) => a.unitOrgId));
  const underUnits = (await Promise.all([...units].map((u) => deps.orgs.children(u)))).flat();
  const townships = underUnits.filter((o) => o.kind === 'township');
  const underTownships = (await Promise.all(townships.map((t) => deps.orgs.children(t.id)))).flat();
  const needle = q.trim();
  const items = [...underUnits, ...underTownships]
    .filter((o) => o.kind === 'enterprise' && o.name.includes(needle))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.id.localeCompare(b.id))
    .slice(0, MAX_EMPLOYER_MATCHES)
    .map((o) => ({
      id: o.id,
      name: o.name,
      unitOrgId: o.path.find((id) => units.has(id)) ?? '',
      path: o.path,
    }));
  return { programmeId, items };
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
  await deps.orgs.create(org).catch(rethrowAsContract);
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
  assertMayCommit(caller, fundingOf(input), orgs);
  const errors = programmeErrors(input, orgs);
  if (errors.length > 0) throw invalid(errors);
  const programme: Programme = { ...input, createdAt: now.toISOString() };
  await deps.programmes.create(programme).catch(rethrowAsContract);
  // Design §4: one calendar execution per published programme.
  await startCalendarSafely(deps, programme.id);
  return programme;
}

/** R6: refuses (403) a share or top-up whose funder the caller does not govern, naming each one. */
function assertMayCommit(caller: Caller, changes: FundingChange[], orgs: ReadonlyMap<string, Org>): void {
  const fields = fundingNotGoverned(actingOrg(caller), changes, orgs);
  if (fields.length > 0) {
    throw new AppError('forbidden', { message: '只有资助方或其上级工会的管理员可以承诺其资金', fields });
  }
}

/**
 * `PUT /programmes/{programmeId}/allocations/{unitOrgId}/funding/{funderOrgId}` (R6): the funder's
 * admin (or an admin above it) adds or changes the funder's share of one unit — the province's share
 * of a city's programme, a county's own share of its unit. Checked by the same rules as publishing.
 */
export async function setFundingShare(
  deps: Deps,
  caller: Caller,
  params: { programmeId: string; unitOrgId: string; funderOrgId: string },
  body: FundingShareBody,
): Promise<Programme> {
  const found = await deps.programmes.get(params.programmeId);
  const owner = found ? await deps.orgs.get(found.programme.ownerOrgId) : undefined;
  const index = found?.programme.allocations.findIndex((a) => a.unitOrgId === params.unitOrgId) ?? -1;
  const allocation = found?.programme.allocations[index];
  if (!found || !owner || !allocation) throw notFound('项目或名额分配单位不存在');
  const funder = await deps.orgs.get(params.funderOrgId);
  if (!funder) throw notFound('资助方不存在');
  const path = `allocations.${index}.funding`;
  assertMayCommit(
    caller,
    [{ path: `${path}.funderOrgId`, funderOrgId: funder.id }],
    new Map([[funder.id, funder]]),
  );
  const share = {
    funderOrgId: funder.id,
    amountFen: body.amountFen,
    ...(body.places ? { places: body.places } : {}),
  };
  const funding = [...allocation.funding.filter((s) => s.funderOrgId !== funder.id), share];
  const { createdAt: _createdAt, ...stored } = found.programme;
  const edited: ProgrammeInput = {
    ...stored,
    allocations: stored.allocations.map((a, i) => (i === index ? { ...a, funding } : a)),
  };
  const errors = programmeErrors(edited, await deps.orgs.getMany(referencedOrgIds(edited)));
  if (errors.length > 0) throw invalid(errors);
  await deps.programmes.setFunding(params.programmeId, params.unitOrgId, funding);
  return { ...found.programme, allocations: edited.allocations };
}

/**
 * `PATCH /programmes/{programmeId}`: corrects a published programme's title, contacts or dates,
 * checked by the same rules as publishing. Dates that have passed stay as they were and none may
 * move into the past (409 `invalid_state`): the calendar has acted on them. New dates restart the
 * programme's calendar.
 */
export async function updateProgramme(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  changes: UpdateProgrammeBody,
  now: Date,
): Promise<Programme> {
  const found = await deps.programmes.get(programmeId);
  const owner = found ? await deps.orgs.get(found.programme.ownerOrgId) : undefined;
  if (!found || !owner) throw notFound('项目不存在');
  if (!mayActOn(actingOrg(caller), owner)) throw forbidden('只有主办组织的管理员可以修改项目');
  const { createdAt: _createdAt, ...stored } = found.programme;
  const edited: ProgrammeInput = { ...stored, ...changes };
  const errors = programmeErrors(edited, await deps.orgs.getMany(referencedOrgIds(edited)));
  if (errors.length > 0) throw invalid(errors);
  const moved = pastBoundaryChanges(found.programme, edited, now);
  if (moved.length > 0) {
    throw new AppError('invalid_state', {
      message: '已经过去的日期不能修改，日期也不能改到过去',
      fields: moved,
    });
  }
  await deps.programmes
    .update(programmeId, changes, found.revision, now.toISOString())
    .catch(rethrowAsContract);
  const datesChanged =
    JSON.stringify([found.programme.applicationWindow, found.programme.reviewBatches]) !==
    JSON.stringify([edited.applicationWindow, edited.reviewBatches]);
  const status = found.calendarExecution ? await deps.workflows().status(found.calendarExecution) : undefined;
  // New dates restart the calendar; so does an edit of a programme whose calendar has died.
  if (datesChanged || (status !== 'RUNNING' && status !== 'SUCCEEDED')) {
    await restartCalendar(deps, programmeId, found.calendarExecution);
  }
  return { ...found.programme, ...changes };
}
