import { describe, expect, it } from 'vitest';
import { seedOrgs } from '../../infra/seed/data.ts';
import { type WalletClient, WalletRail } from '../../shared/adapters/rails/wallet.ts';
import { attemptKey, payoutPlan } from '../../shared/domain/payout.ts';
import type { PlannedInstruction } from '../../shared/model/payout.ts';

/**
 * The wallet rail against a provider as its seam describes it (no provider is contracted, so this one
 * stands in): a repeated idempotency key is answered with its first result, whatever account the
 * wallet now has. A payment the provider refused can therefore only be paid under a key of its own.
 */
class Provider implements WalletClient {
  readonly first = new Map<string, { status: 'paid' | 'failed'; transferId: string; reason?: string }>();
  readonly credited: { key: string; amountFen: number }[] = [];
  closed = true;

  async credit(request: Parameters<WalletClient['credit']>[0]) {
    const seen = this.first.get(request.idempotencyKey);
    if (seen) return seen;
    const answer = this.closed
      ? { status: 'failed' as const, transferId: `t-${this.first.size}`, reason: '钱包账户已注销' }
      : { status: 'paid' as const, transferId: `t-${this.first.size}` };
    if (answer.status === 'paid')
      this.credited.push({ key: request.idempotencyKey, amountFen: request.amountFen });
    this.first.set(request.idempotencyKey, answer);
    return answer;
  }
}

const orgs = new Map(seedOrgs().map((o) => [o.id, o]));
const allocations = [
  { unitOrgId: 'lc-shizhi', places: 5, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
];
const programme = { id: 'p', ownerOrgId: 'lc' };
const apps = [{ id: 'a1', unitOrgId: 'lc-shizhi', employerOrgId: 'lc-sz-power', sequence: 1 }];

const send = (rail: WalletRail, i: PlannedInstruction, runId: string) =>
  rail.pay({ ...i, runId, programmeId: 'p', instructionSk: `${runId}#0` });

describe('a wallet payment the provider refused (R13)', () => {
  it('is paid by the next run under the next key, once, and never under the refused key', async () => {
    const provider = new Provider();
    const rail = new WalletRail(provider);
    const [payment] = payoutPlan(programme, allocations, apps, orgs).payments;
    if (!payment) throw new Error('nothing planned');
    expect(await send(rail, payment, 'run-1')).toMatchObject({ status: 'failed', reason: '钱包账户已注销' });

    // The worker opens a new wallet; the provider still answers the refused key with its refusal.
    provider.closed = false;
    expect(await send(rail, payment, 'run-2')).toMatchObject({ status: 'failed' });

    // The next plan knows the refusal: the same money, under the next key of the chain.
    const failed = new Set([payment.key]);
    const [retry] = payoutPlan(programme, allocations, apps, orgs, { held: new Set(), failed }).payments;
    expect(retry?.key).toBe(attemptKey(payment.key, failed));
    expect(retry?.key).not.toBe(payment.key);
    expect(retry?.amountFen).toBe(payment.amountFen);
    expect(await send(rail, retry as PlannedInstruction, 'run-2')).toMatchObject({ status: 'paid' });
    // Sent again (a lost answer), it pays nothing more.
    expect(await send(rail, retry as PlannedInstruction, 'run-3')).toMatchObject({ status: 'paid' });
    expect(provider.credited).toEqual([{ key: retry?.key, amountFen: 100_000 }]);
  });
});
