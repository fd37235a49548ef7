import type { PaymentRail, RailInstruction, RailResult } from './rail.ts';

/** The wallet provider's HTTP API as the wallet rail would call it (R13 钱包): the seam, not a client. */
export interface WalletClient {
  /** Credits a wallet; the provider must treat `idempotencyKey` as unique and answer a repeat with the first result. */
  credit(request: {
    idempotencyKey: string;
    walletApplicationId: string;
    amountFen: number;
    memo: string;
  }): Promise<{ status: 'paid' | 'failed'; transferId: string; reason?: string }>;
}

export class WalletNotConfiguredError extends Error {
  constructor() {
    super('wallet rail: no wallet provider is configured');
    this.name = 'WalletNotConfiguredError';
  }
}

/**
 * The wallet rail (R13): pays a worker's in-app wallet through the provider's idempotent credit call.
 * No provider is contracted yet, so without a client it refuses every payment.
 */
export class WalletRail implements PaymentRail {
  readonly name = 'wallet';

  constructor(private readonly client?: WalletClient) {}

  async pay(instruction: RailInstruction): Promise<RailResult> {
    if (!this.client) throw new WalletNotConfiguredError();
    if (instruction.kind !== 'payment' || !instruction.applicationId) {
      return { status: 'failed', reference: '', reason: 'wallet rail pays workers only' };
    }
    const out = await this.client.credit({
      idempotencyKey: instruction.key,
      walletApplicationId: instruction.applicationId,
      amountFen: instruction.amountFen,
      memo: `求学圆梦补助 ${instruction.runId}`,
    });
    return { status: out.status, reference: out.transferId, ...(out.reason ? { reason: out.reason } : {}) };
  }
}
