import type { Caller } from '../domain/caller.ts';
import { AppError } from '../errors.ts';
import { currentPayments } from '../model/application.ts';
import type { ChangePayoutAccountBody } from '../schemas/applications.ts';
import type { ApplicationView } from '../schemas/views/applications.ts';
import { getApplication } from './application-view.ts';
import type { Deps } from './deps.ts';
import { ownBundle, protectPayout } from './drafts.ts';

/**
 * `PUT /applications/{id}/payout-account` (R13): a payment to an approved application failed — the
 * bank refused the card, the account was closed — and every later run would send it to the same
 * account again. Its worker gives the account the next payment goes to; each payment is still paid
 * once (its next attempt under the next key of its chain, architecture.md §4), only to the account
 * the application holds when a run sends it.
 *
 * Refused (409 `invalid_state`) unless the application is approved and a payer's latest attempt failed,
 * and while any payment to it is on its way: a run that holds a payment may already have handed the
 * old account to the rail (a bank file line), so the account changes only between runs. The write is
 * guarded on the payments as read, so a run holding a payment meanwhile makes it fail, not pass.
 * Drafts and returned applications correct their account with `PATCH /applications/{id}`.
 */
export async function changePayoutAccount(
  deps: Deps,
  caller: Caller,
  applicationId: string,
  body: ChangePayoutAccountBody,
  now: Date,
): Promise<ApplicationView> {
  const { application: app, payments = [] } = await ownBundle(deps, caller, applicationId);
  const current = currentPayments(payments);
  if (app.status !== 'approved') {
    throw new AppError('invalid_state', {
      message: '只有已批准且补助发放未成功的申请可以修改收款账户；草稿和退回修改的申请请在申请中修改',
    });
  }
  if (current.some((p) => p.status === 'pending' || p.status === 'sending')) {
    throw new AppError('invalid_state', { message: '补助正在发放中，请在本批发放结束后再修改收款账户' });
  }
  if (!current.some((p) => p.status === 'failed')) {
    throw new AppError('invalid_state', { message: '补助发放未成功时才能修改收款账户' });
  }
  const payoutAccount = await protectPayout(deps, body.payoutAccount);
  const at = now.toISOString();
  const changed = await deps.applications.changePayoutAccount(
    app,
    payoutAccount,
    payments.filter((p) => p.status === 'paid').length,
    {
      type: 'payout_account_changed',
      at,
      orgId: app.unitOrgId,
      actor: caller.sub,
      // What the unions' reviewers see of it: the kind and the masked number, never the number.
      accountKind: payoutAccount.kind,
      accountMasked:
        payoutAccount.kind === 'bank' ? payoutAccount.accountNumber.masked : payoutAccount.walletId.masked,
    },
  );
  if (!changed) throw new AppError('invalid_state', { message: '申请状态已变化，请刷新后重试' });
  return getApplication(deps, caller, applicationId);
}
