import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PaymentRail } from './rail.ts';
import { SandboxRail, sandboxFaultsFromEnv } from './sandbox.ts';
import { WalletRail } from './wallet.ts';

export const railNames = ['sandbox', 'wallet'] as const;

/**
 * The rail the `payouts` function pays with, from `PAYMENT_RAIL` (design §4): `sandbox` (the default,
 * a ledger in the table) or `wallet` (the seam; refuses until a provider is configured).
 */
export function paymentRail(
  db: DynamoDBDocumentClient,
  tableName: string,
  env: NodeJS.ProcessEnv,
): PaymentRail {
  const name = env.PAYMENT_RAIL ?? 'sandbox';
  switch (name) {
    case 'sandbox':
      return new SandboxRail(db, tableName, sandboxFaultsFromEnv(env));
    case 'wallet':
      return new WalletRail();
    default:
      throw new Error(`PAYMENT_RAIL ${name} is not one of ${railNames.join(', ')}`);
  }
}
