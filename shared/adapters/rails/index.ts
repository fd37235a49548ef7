import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BankFileRail } from './bank-file.ts';
import { type PaymentRail, type RailName, railNames } from './rail.ts';
import { SandboxRail, sandboxFaultsFromEnv } from './sandbox.ts';
import { WalletRail } from './wallet.ts';

export { railNames };

/**
 * The rail a run pays with when its start names none, from `PAYOUT_RAIL` (design §4): `sandbox` (the
 * default, a ledger in the table), `bank_file` (batch files per payer, settled by the bank's result
 * import) or `wallet` (the seam; refuses until a provider is configured).
 */
export function defaultRailName(env: NodeJS.ProcessEnv): RailName {
  const name = env.PAYOUT_RAIL ?? 'sandbox';
  if (!(railNames as readonly string[]).includes(name)) {
    throw new Error(`PAYOUT_RAIL ${name} is not one of ${railNames.join(', ')}`);
  }
  return name as RailName;
}

/**
 * The rails the `payouts` function pays with, each built on first use; a run names its rail (its
 * page descriptors carry it), runs recorded before rails were chosen per run pay with the sandbox.
 */
export function paymentRails(
  db: DynamoDBDocumentClient,
  tableName: string,
  env: NodeJS.ProcessEnv,
): (name: RailName) => PaymentRail {
  const built = new Map<RailName, PaymentRail>();
  const build = (name: RailName): PaymentRail => {
    switch (name) {
      case 'sandbox':
        return new SandboxRail(db, tableName, sandboxFaultsFromEnv(env));
      case 'bank_file':
        return new BankFileRail(db, tableName);
      case 'wallet':
        return new WalletRail();
    }
  };
  return (name) => {
    let rail = built.get(name);
    if (!rail) {
      rail = build(name);
      built.set(name, rail);
    }
    return rail;
  };
}
