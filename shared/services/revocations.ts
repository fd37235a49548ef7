import { actingOrg, type Caller } from '../domain/caller.ts';
import { mayActOn } from '../domain/orgs.ts';
import { mergeParts } from '../domain/payout.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { currentPayments } from '../model/application.ts';
import type { FundingPart } from '../model/payout.ts';
import type { RevokeBody } from '../schemas/applications.ts';
import type { ApplicationView } from '../schemas/views/applications.ts';
import { getApplication } from './application-view.ts';
import type { Deps } from './deps.ts';

/**
 * `POST /applications/{id}/revoke`: after payment only an admin governing the application's unit can
 * undo it, and undoing it never frees the place: a paid place given to the next worker would pay two
 * subsidies for one place. The application becomes `revoked`, keeps its place, and records the money
 * paid to it per funder as a claw-back owed. Refused (409 `invalid_state`) unless it is approved and
 * its place was paid for, and while any payment to it is still in flight (a run holds it unsettled).
 *
 * Paid for includes a worker whose own payment failed after the city's transfer carried the funders'
 * shares for the place to the unit (`sharesHeld`): that worker can no longer withdraw, and a worker
 * who gives up would otherwise have every later run send the payment again. Revoked, no run plans it
 * again, and the shares the unit holds for the place are recorded as owed back (`heldByUnit`).
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
  const carried = (app.sharesHeld?.size ?? 0) > 0;
  if (app.status !== 'approved' || (paid.length === 0 && !carried)) {
    throw new AppError('invalid_state', {
      message: '只有已发放补助（或补助资金已拨付到县级工会）的申请可以撤销；未发放的申请请在审核中处理',
    });
  }
  const current = currentPayments(payments);
  if (current.some((p) => p.status === 'pending' || p.status === 'sending')) {
    throw new AppError('invalid_state', { message: '补助正在发放中，请在本批发放结束后再撤销' });
  }
  const clawback = paid.reduce((parts, p) => mergeParts(parts, p.funding), [] as FundingPart[]);
  // The unit's payment failed after the transfer carried the shares from above: the unit holds them.
  const heldByUnit = carried
    ? current
        .filter((p) => p.status === 'failed' && p.payerOrgId === app.unitOrgId)
        .reduce(
          (parts, p) =>
            mergeParts(
              parts,
              p.funding.filter((f) => f.funderOrgId !== app.unitOrgId),
            ),
          [] as FundingPart[],
        )
    : [];
  const at = now.toISOString();
  const revocation = {
    reason: body.reason,
    revokedAt: at,
    clawbackFen: clawback.reduce((n, p) => n + p.amountFen, 0),
    clawback,
    ...(heldByUnit.length > 0 ? { heldByUnit } : {}),
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
