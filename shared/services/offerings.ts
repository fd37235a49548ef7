import { actingOrg, type Caller } from '../domain/caller.ts';
import { levelLabels, majorKey, normaliseSearch, offeringIdFor } from '../domain/catalogue.ts';
import { mayActOn } from '../domain/orgs.ts';
import { AppError, type FieldError, forbidden, invalid, notFound } from '../errors.ts';
import { submittedStatuses } from '../model/application.ts';
import type { InstitutionRecord, OfferingRecord } from '../model/catalogue.ts';
import type {
  CreateInstitutionBody,
  CreateOfferingBody,
  OfferingListQuery,
  UpdateInstitutionBody,
  UpdateOfferingBody,
} from '../schemas/catalogue.ts';
import type { EnrolmentCounts, Institution, Offering } from '../schemas/views/catalogue.ts';
import type { Programme } from '../schemas/views/programmes.ts';
import { rethrowAsContract } from './contract-errors.ts';
import type { Deps } from './deps.ts';
import { encodePublicPageToken, openPublicPageCursor } from './page-cursors.ts';

/**
 * The catalogue of partner institutions and offerings (issue 16): who may list what, the Excel
 * import, the public list, an application's choice (R3/R4) and the counts per institution.
 */

function institutionView(i: InstitutionRecord, programmeIds?: string[]): Institution {
  const { version: _v, ...rest } = i;
  return { ...rest, kind: i.kind as Institution['kind'], ...(programmeIds ? { programmeIds } : {}) };
}

function offeringItemView(o: OfferingRecord) {
  return {
    offeringId: o.offeringId,
    institution: { id: o.institutionId, name: o.institutionName, code: o.institutionCode },
    major: o.major,
    level: o.level as Offering['level'],
    mode: o.mode as Offering['mode'],
    years: o.years,
    tuitionFen: o.tuitionFen,
    tags: o.tags,
    ...(o.unitOrgId ? { unitOrgId: o.unitOrgId } : {}),
  };
}

function offeringView(o: OfferingRecord): Offering {
  return {
    ...offeringItemView(o),
    programmeId: o.programmeId,
    status: o.status,
    addedByOrgId: o.addedByOrgId,
    createdAt: o.createdAt,
    ...(o.updatedAt ? { updatedAt: o.updatedAt } : {}),
    ...(o.retiredAt ? { retiredAt: o.retiredAt } : {}),
  };
}

export async function programmeOr404(deps: Deps, programmeId: string): Promise<Programme> {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw notFound('项目不存在');
  return found.programme;
}

/**
 * Who may list an offering (issue 16): the programme's own partners by an admin governing its owner
 * (the city for its programmes), a unit's local partners by an admin governing that unit (a county
 * adds only to its own unit; the city may too).
 */
export async function assertMayManage(
  deps: Deps,
  caller: Caller,
  programme: Programme,
  unitOrgId: string | undefined,
  path = 'unitOrgId',
): Promise<void> {
  const actor = actingOrg(caller);
  if (unitOrgId === undefined) {
    const owner = await deps.orgs.get(programme.ownerOrgId);
    if (!owner || !mayActOn(actor, owner)) {
      throw forbidden(
        '只有项目主办组织的管理员可以管理全项目的合作院校专业；县级工会请为本单位添加（unitOrgId）',
      );
    }
    return;
  }
  if (!programme.allocations.some((a) => a.unitOrgId === unitOrgId)) {
    throw invalid([{ path, message: '该单位不在本项目的名额分配中' }]);
  }
  const unit = await deps.orgs.get(unitOrgId);
  if (!unit || !mayActOn(actor, unit)) throw forbidden('只能为本组织管理范围内的单位添加合作院校专业');
}

/** `POST /institutions`: registers an institution by its 学校标识码; any admin may, its org keeps it. */
export async function createInstitution(
  deps: Deps,
  caller: Caller,
  body: CreateInstitutionBody,
  now: Date,
): Promise<Institution> {
  const record: InstitutionRecord = {
    id: body.code,
    code: body.code,
    name: body.name,
    kind: body.kind,
    ...(body.city ? { city: body.city } : {}),
    contacts: body.contacts ?? [],
    ownerOrgId: actingOrg(caller),
    createdAt: now.toISOString(),
    version: 0,
  };
  await deps.catalogue.createInstitution(record).catch(rethrowAsContract);
  return institutionView(record, []);
}

/** `PATCH /institutions/{id}`: the registering org's admins (or those above) correct it. */
export async function updateInstitution(
  deps: Deps,
  caller: Caller,
  institutionId: string,
  body: UpdateInstitutionBody,
  now: Date,
): Promise<Institution> {
  const current = await deps.catalogue.getInstitution(institutionId);
  if (!current) throw notFound('院校不存在');
  const owner = await deps.orgs.get(current.ownerOrgId);
  if (!owner || !mayActOn(actingOrg(caller), owner)) {
    throw forbidden('只有登记该院校的组织及其上级的管理员可以修改');
  }
  const edited: InstitutionRecord = {
    ...current,
    ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
    updatedAt: now.toISOString(),
  };
  await deps.catalogue.updateInstitution(edited, current.version).catch(rethrowAsContract);
  return institutionView({ ...edited, version: current.version + 1 });
}

/** `GET /institutions/{id}` (public): the institution and the programmes listing it. */
export async function getInstitution(deps: Deps, institutionId: string): Promise<Institution> {
  const [institution, offerings] = await Promise.all([
    deps.catalogue.getInstitution(institutionId),
    deps.catalogue.offeringsOfInstitution(institutionId),
  ]);
  if (!institution) throw notFound('院校不存在');
  const programmeIds = [
    ...new Set(offerings.filter((o) => o.status === 'offered').map((o) => o.programmeId)),
  ].sort();
  return institutionView(institution, programmeIds);
}

/** `POST /programmes/{id}/offerings`: lists one offering, for the programme or for one unit. */
export async function createOffering(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  body: CreateOfferingBody,
  now: Date,
): Promise<Offering> {
  const programme = await programmeOr404(deps, programmeId);
  await assertMayManage(deps, caller, programme, body.unitOrgId);
  const institution = await deps.catalogue.getInstitution(body.institutionId);
  const problems: FieldError[] = [];
  if (!institution) problems.push({ path: 'institutionId', message: '院校未登记，请先登记院校' });
  if (!programme.levels.includes(body.level)) {
    problems.push({ path: 'level', message: `本项目不补助${levelLabels[body.level]}层次（R4）` });
  }
  if (!institution || problems.length > 0) throw invalid(problems);
  const record = newOffering(programmeId, caller, institution, body, now);
  await deps.catalogue.createOffering(record).catch(rethrowAsContract);
  return offeringView(record);
}

export function newOffering(
  programmeId: string,
  caller: Caller,
  institution: Pick<InstitutionRecord, 'id' | 'name' | 'code'>,
  o: Pick<OfferingRecord, 'major' | 'level' | 'mode' | 'years' | 'tuitionFen' | 'tags'> & {
    unitOrgId?: string | undefined;
  },
  now: Date,
): OfferingRecord {
  return {
    offeringId: offeringIdFor({ programmeId, unitOrgId: o.unitOrgId, institutionId: institution.id, ...o }),
    programmeId,
    institutionId: institution.id,
    institutionName: institution.name,
    institutionCode: institution.code,
    major: o.major,
    level: o.level,
    mode: o.mode,
    years: o.years,
    tuitionFen: o.tuitionFen,
    tags: o.tags,
    ...(o.unitOrgId ? { unitOrgId: o.unitOrgId } : {}),
    addedByOrgId: actingOrg(caller),
    status: 'offered',
    createdAt: now.toISOString(),
    version: 0,
  };
}

async function manageableOffering(deps: Deps, caller: Caller, programmeId: string, offeringId: string) {
  const [programme, offering] = await Promise.all([
    programmeOr404(deps, programmeId),
    deps.catalogue.getOffering(programmeId, offeringId),
  ]);
  if (!offering) throw notFound('专业不存在');
  await assertMayManage(deps, caller, programme, offering.unitOrgId);
  return offering;
}

/** `PATCH /programmes/{id}/offerings/{offeringId}`: years, tuition and tags; what identifies it stays. */
export async function updateOffering(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  offeringId: string,
  body: UpdateOfferingBody,
  now: Date,
): Promise<Offering> {
  const current = await manageableOffering(deps, caller, programmeId, offeringId);
  if (current.status === 'retired') throw new AppError('invalid_state', { message: '已停招的专业不能修改' });
  const edited: OfferingRecord = {
    ...current,
    ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
    updatedAt: now.toISOString(),
  };
  await deps.catalogue.updateOffering(edited, current.version).catch(rethrowAsContract);
  return offeringView(edited);
}

/**
 * `POST /programmes/{id}/offerings/{offeringId}/retire`: no longer offered (it leaves the public list
 * and cannot be chosen), never deleted: the applications naming it keep it.
 */
export async function retireOffering(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  offeringId: string,
  now: Date,
): Promise<Offering> {
  await manageableOffering(deps, caller, programmeId, offeringId);
  await deps.catalogue.retireOffering(programmeId, offeringId, now.toISOString());
  const retired = await deps.catalogue.getOffering(programmeId, offeringId);
  if (!retired) throw notFound('专业不存在');
  return offeringView(retired);
}

/**
 * `GET /programmes/{id}/offerings` (public): what the programme offers now, filterable by level,
 * mode, institution, tag, unit and a text search, a page at a time from the programme's offered index.
 */
export async function listOfferings(deps: Deps, programmeId: string, query: OfferingListQuery) {
  const filter = {
    level: query.level,
    institutionId: query.institutionId,
    mode: query.mode,
    tag: query.tag,
    q: query.q ? normaliseSearch(query.q) || undefined : undefined,
    unitOrgId: query.unitOrgId,
  };
  const after = query.cursor === undefined ? undefined : openPublicPageCursor(query.cursor);
  const page = await deps.catalogue
    .offeredPage(programmeId, filter, query.limit, after)
    .catch(rethrowAsContract);
  // Only an empty first page costs the programme's read: an unknown programme is 404, not an empty list.
  if (page.items.length === 0 && after === undefined) await programmeOr404(deps, programmeId);
  return {
    items: page.items.map(offeringItemView),
    ...(page.next ? { cursor: encodePublicPageToken(page.next) } : {}),
  };
}

const approvedStatuses = new Set(['approved', 'revoked']);

/**
 * `GET /programmes/{id}/enrolment-counts`: applications, approvals and payments per institution and
 * offering, read from the programme's status index (gsi3, one query per status — never a scan) and
 * the programme's payout holds (what is paid). The owner's admins count every unit; a county's admin
 * counts its own unit. Declared institutions are counted apart, as 非合作院校.
 */
export async function enrolmentCounts(
  deps: Deps,
  caller: Caller,
  programmeId: string,
): Promise<EnrolmentCounts> {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw notFound('项目不存在');
  const actor = actingOrg(caller);
  const unitIds = found.allocations.map((a) => a.unitOrgId);
  const orgs = await deps.orgs.getMany([found.programme.ownerOrgId, ...unitIds]);
  const owner = orgs.get(found.programme.ownerOrgId);
  const counted =
    owner && mayActOn(actor, owner)
      ? unitIds
      : unitIds.filter((id) => {
          const unit = orgs.get(id);
          return unit !== undefined && mayActOn(actor, unit);
        });
  if (counted.length === 0) throw forbidden('只有项目主办组织或名额分配单位的管理员可以查看统计');
  const inScope = new Set(counted);

  const [byStatus, holds] = await Promise.all([
    Promise.all(submittedStatuses.map((s) => deps.applications.listByStatus(programmeId, s))),
    deps.holds.ofProgramme(programmeId),
  ]);
  const paidFen = new Map<string, number>();
  for (const hold of holds) {
    if (hold.kind !== 'payment' || hold.state !== 'paid' || !hold.applicationId) continue;
    paidFen.set(hold.applicationId, (paidFen.get(hold.applicationId) ?? 0) + hold.amountFen);
  }

  type Tally = { applications: number; approved: number; paid: number; paidFen: number };
  const zero = (): Tally => ({ applications: 0, approved: 0, paid: 0, paidFen: 0 });
  const add = (t: Tally, approved: boolean, fen: number) => {
    t.applications++;
    if (approved) t.approved++;
    if (fen > 0) {
      t.paid++;
      t.paidFen += fen;
    }
  };
  const institutions = new Map<
    string,
    EnrolmentCounts['institutions'][number] & {
      byOffering: Map<string, EnrolmentCounts['institutions'][number]['offerings'][number]>;
    }
  >();
  const totals = zero();
  for (const app of byStatus.flat()) {
    if (!inScope.has(app.unitOrgId)) continue;
    const e = app.enrolment;
    const approved = approvedStatuses.has(app.status);
    const fen = paidFen.get(app.id) ?? 0;
    const partner = e.offeringId !== undefined;
    const instKey = partner ? `id:${e.institutionId}` : `name:${e.institutionCode ?? ''}:${e.institution}`;
    let inst = institutions.get(instKey);
    if (!inst) {
      inst = {
        institution: {
          ...(partner && e.institutionId ? { id: e.institutionId } : {}),
          name: e.institution,
          ...(e.institutionCode ? { code: e.institutionCode } : {}),
        },
        partner,
        ...zero(),
        offerings: [],
        byOffering: new Map(),
      };
      institutions.set(instKey, inst);
    }
    const offKey = e.offeringId ?? `${majorKey(e.major)}|${e.level}`;
    let offering = inst.byOffering.get(offKey);
    if (!offering) {
      offering = {
        ...(e.offeringId ? { offeringId: e.offeringId } : {}),
        major: e.major,
        level: e.level as 'junior_college' | 'bachelor',
        ...(e.mode ? { mode: e.mode as 'correspondence' | 'spare_time' | 'online' } : {}),
        ...zero(),
      };
      inst.byOffering.set(offKey, offering);
      inst.offerings.push(offering);
    }
    add(inst, approved, fen);
    add(offering, approved, fen);
    add(totals, approved, fen);
  }
  const list = [...institutions.values()]
    .map(({ byOffering: _b, ...i }) => ({
      ...i,
      offerings: i.offerings.sort(
        (a, b) => b.applications - a.applications || a.major.localeCompare(b.major),
      ),
    }))
    // Partners first, most applications first.
    .sort((a, b) => Number(b.partner) - Number(a.partner) || b.applications - a.applications);
  return { programmeId, unitOrgIds: counted, institutions: list, totals };
}
