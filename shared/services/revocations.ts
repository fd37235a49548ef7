import { actingOrg, type Caller } from '../domain/caller.ts';
import { mayActOn } from '../domain/orgs.ts';
import { mergeParts } from '../domain/payout.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import type { RevokeBody } from '../schemas/applications.ts';
import type { ApplicationView } from '../schemas/views/applications.ts';
import { getApplication } from './application-view.ts';
import type { Deps } from './deps.ts';

/**
 * `POST /applications/{id}/revoke`: after payment only an admin governing the application's unit can
 * undo it, and undoing it never frees the place: a paid place given to the next worker would pay two
 * subsidies for one place. The application becomes `revoked`, keeps its place, and records the money
 * paid to it per funder as a claw-back owed. Refused (409 `invalid_state`) unless it is approved and
 * paid, and while any payment to it is still in flight (a run holds it unsettled).
 */
export async function revokeApplication(
  deps: Deps,
  caller: Caller,
  applicationId: string,
  body: RevokeBody,
  now: Date,
): Promise<ApplicationView> {
  const bundle = await deps.applications.bundle(applicationId);
  const app = bundle?.application;
  const unit = app ? await deps.orgs.get(app.unitOrgId) : undefined;
  // Never leak an application to an admin outside its chain (architecture.md §5).
  if (!bundle || !app || !unit || app.status === 'draft' || !app.chain.includes(actingOrg(caller))) {
    throw notFound('申请不存在');
  }
  if (!mayActOn(actingOrg(caller), unit)) throw forbidden('只有申请所在单位或其上级工会的管理员可以撤销');
  const payments = bundle.payments ?? [];
  const paid = payments.filter((p) => p.status === 'paid');
  if (app.status !== 'approved' || paid.length === 0) {
    throw new AppError('invalid_state', {
      message: '只有已发放补助的申请可以撤销；未发放的申请请在审核中处理',
    });
  }
  if (payments.some((p) => p.status === 'pending')) {
    throw new AppError('invalid_state', { message: '补助正在发放中，请在本批发放结束后再撤销' });
  }
  const clawback = paid.reduce(
    (parts, p) => mergeParts(parts, p.funding),
    [] as { funderOrgId: string; amountFen: number }[],
  );
  const at = now.toISOString();
  const revocation = {
    reason: body.reason,
    revokedAt: at,
    clawbackFen: clawback.reduce((n, p) => n + p.amountFen, 0),
    clawback,
  };
  // Guarded on the payments as read: a run holding a new payment meanwhile makes this fail, not pass.
  const changed = await deps.applications.revoke(app, revocation, paid.length, {
    type: 'revoked',
    at,
    orgId: actingOrg(caller),
    actor: caller.sub,
    ...revocation,
  });
  if (!changed) throw new AppError('invalid_state', { message: '申请状态已变化，请刷新后重试' });
  return getApplication(deps, caller, applicationId);
}
