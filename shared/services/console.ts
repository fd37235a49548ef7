import { actingOrg, type Caller } from '../domain/caller.ts';
import { enrolmentView } from '../domain/catalogue.ts';
import { isWithinWindow } from '../domain/dates.ts';
import { mayActOn } from '../domain/orgs.ts';
import { quotaBoard } from '../domain/quota.ts';
import { notFound } from '../errors.ts';
import { type ApplicationRecord, type ReviewStatus, submittedStatuses } from '../model/application.ts';
import type { ApplicationsQuery, ExportAuditBody } from '../schemas/console.ts';
import type { Dashboard } from '../schemas/views/console.ts';
import type { PayoutRunView } from '../schemas/views/payouts.ts';
import { rethrowAsContract } from './contract-errors.ts';
import type { Deps } from './deps.ts';
import { openPageCursor, sealPageToken } from './page-cursors.ts';
import { runView } from './payout-runs.ts';

/**
 * What the union console reads besides the review queue (architecture.md §7): the applications of a
 * programme on the caller org's chains, the programme's payout runs, the dashboard, and the audit
 * of each Excel export. Every read is an index query (never a scan); what a caller may see is what
 * the review routes let it see — applications whose review chain has its org.
 */

async function programmeOrNotFound(deps: Deps, programmeId: string) {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw notFound('项目不存在');
  return found;
}

/** `GET /programmes/{programmeId}/applications`: a page, in receipt order, with the filters asked for. */
export async function listApplications(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  query: ApplicationsQuery,
) {
  const org = actingOrg(caller);
  await programmeOrNotFound(deps, programmeId);
  const statuses: readonly ReviewStatus[] = query.status ? [query.status] : submittedStatuses;
  const after = query.cursor ? await openPageCursor(deps.cipher(), query.cursor) : undefined;
  const page = await deps.applications
    .programmeApplicationsPage(
      programmeId,
      statuses,
      {
        chainOrgId: org,
        unitOrgId: query.unitOrgId,
        employerOrgId: query.employerOrgId,
        quotaState: query.quotaState,
        search: query.q,
      },
      query.limit,
      after,
    )
    .catch(rethrowAsContract);
  const items = await Promise.all(page.items.map((app) => listItem(deps, app)));
  return {
    programmeId,
    items,
    ...(page.next ? { cursor: await sealPageToken(deps.cipher(), page.next) } : {}),
  };
}

/** A list row: what the queue shows, its status and step, and its waitlist position if waiting. */
export async function listItem(deps: Deps, app: ApplicationRecord) {
  const waitlistPosition =
    app.quotaState === 'waitlisted' && app.sequence !== undefined
      ? await deps.waitlist.position(app.programmeId, app.unitOrgId, app.sequence)
      : undefined;
  return {
    id: app.id,
    sequence: app.sequence ?? 0,
    submittedAt: app.submittedAt ?? app.createdAt,
    employerOrgId: app.employerOrgId,
    unitOrgId: app.unitOrgId,
    applicant: {
      name: app.applicant.name,
      idNumber: app.applicant.idNumber.masked,
      positionLevel: app.applicant.positionLevel,
      migrantWorker: app.applicant.migrantWorker,
    },
    enrolment: enrolmentView(app.enrolment),
    jobTitle: app.jobTitle,
    relevance: app.relevance,
    quota: { unitOrgId: app.unitOrgId, state: app.quotaState },
    status: app.status,
    currentOrgId: app.currentOrgId ?? null,
    ...(waitlistPosition ? { waitlistPosition } : {}),
  };
}

/** `GET /programmes/{programmeId}/payout-runs`: admins of the programme's owner or above; 404 otherwise. */
export async function listPayoutRuns(
  deps: Deps,
  caller: Caller,
  programmeId: string,
): Promise<{ items: PayoutRunView[] }> {
  const found = await programmeOrNotFound(deps, programmeId);
  const owner = await deps.orgs.get(found.programme.ownerOrgId);
  if (!owner || !mayActOn(actingOrg(caller), owner)) throw notFound('项目不存在');
  const runs = await deps.payouts.runsOf(programmeId);
  return { items: runs.map(runView) };
}

/**
 * `GET /programmes/{programmeId}/dashboard` (统计): counts per status and per unit of the applications
 * on the caller org's chains, the places board, the approvals the caller's org gave per review batch,
 * and money planned per funder — and paid, for admins who may see the payout runs.
 */
export async function dashboard(deps: Deps, caller: Caller, programmeId: string): Promise<Dashboard> {
  const org = actingOrg(caller);
  const found = await programmeOrNotFound(deps, programmeId);
  const { programme } = found;
  const perStatus = await Promise.all(
    submittedStatuses.map(async (status) => ({
      status,
      rows: await deps.applications.summariesByStatus(programmeId, status, org),
    })),
  );
  const names = await deps.orgs.getMany(found.allocations.map((a) => a.unitOrgId));
  const board = quotaBoard(programmeId, found.allocations, (id) => names.get(id)?.name ?? id);

  const approvals = new Map(programme.reviewBatches.map((b) => [b.id, 0]));
  for (const { rows } of perStatus) {
    for (const row of rows) {
      for (const d of row.decisions) {
        if (d.orgId !== org || d.decision !== 'approve') continue;
        const batch = programme.reviewBatches.find((b) => isWithinWindow(new Date(d.decidedAt), b));
        if (batch) approvals.set(batch.id, (approvals.get(batch.id) ?? 0) + 1);
      }
    }
  }

  const owner = await deps.orgs.get(programme.ownerOrgId);
  let paid: { funderOrgId: string; totalFen: number }[] | undefined;
  if (caller.role === 'admin' && owner && mayActOn(org, owner)) {
    const sums = new Map<string, number>();
    for (const run of await deps.payouts.runsOf(programmeId)) {
      for (const t of runView(run).totals)
        sums.set(t.funderOrgId, (sums.get(t.funderOrgId) ?? 0) + t.totalFen);
    }
    paid = [...sums].map(([funderOrgId, totalFen]) => ({ funderOrgId, totalFen }));
  }

  const count = (rows: { unitOrgId: string }[], unit?: string) =>
    unit === undefined ? rows.length : rows.filter((r) => r.unitOrgId === unit).length;
  const units = board.units
    .map((u) => {
      const byStatus = perStatus.map(({ status, rows }) => ({ status, count: count(rows, u.unitOrgId) }));
      return {
        unitOrgId: u.unitOrgId,
        name: u.name,
        places: u.places,
        claimed: u.claimed,
        waitlisted: u.waitlisted,
        applications: byStatus.reduce((n, s) => n + s.count, 0),
        byStatus,
      };
    })
    // A reviewer sees the units its org has applications from, or its own unit; an admin all.
    .filter((u) => caller.role === 'admin' || u.applications > 0 || u.unitOrgId === org);
  return {
    programmeId,
    orgId: org,
    byStatus: perStatus.map(({ status, rows }) => ({ status, count: rows.length })),
    units,
    approvalsByBatch: [...approvals].map(([batchId, n]) => ({ batchId, approvals: n })),
    money: { planned: board.totals.funding, ...(paid ? { paid } : {}) },
  };
}

/** `POST /audit/exports`: records an Excel export in the caller org's audit trail. */
export async function recordExport(deps: Deps, caller: Caller, body: ExportAuditBody, now: Date) {
  const org = actingOrg(caller);
  if (body.programmeId) await programmeOrNotFound(deps, body.programmeId);
  const at = now.toISOString();
  const auditId = await deps.orgs.appendExportAudit(org, {
    at,
    actor: caller.sub,
    list: body.list,
    rows: body.rows,
    ...(body.programmeId ? { programmeId: body.programmeId } : {}),
  });
  return { auditId, at };
}
