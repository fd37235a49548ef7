import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { channelObserver, type Observer } from '../../observer.ts';
import { BankFileRail } from './bank-file.ts';
import { type PaymentRail, type RailName, railNames } from './rail.ts';
import { SandboxRail, sandboxFaultsFromEnv } from './sandbox.ts';
import { WalletRail } from './wallet.ts';

export { railNames };

/**
 * The rail a run pays with, from the deployment's `PAYOUT_RAIL` (design §4): `sandbox` (the local
 * default, a ledger in the table), `bank_file` (batch files per payer, settled by the bank's result
 * import) or `wallet` (the seam; refuses until a provider is configured). Never a request field.
 * The sandbox marks payments paid without moving money: outside the local stack it needs a stage
 * explicitly marked for tests (`TEST_STAGE=true`), and is refused otherwise.
 */
export function defaultRailName(env: NodeJS.ProcessEnv): RailName {
  const name = env.PAYOUT_RAIL ?? (env.STAGE === 'local' ? 'sandbox' : 'bank_file');
  if (!(railNames as readonly string[]).includes(name)) {
    throw new Error(`PAYOUT_RAIL ${name} is not one of ${railNames.join(', ')}`);
  }
  if (name === 'sandbox' && env.STAGE !== 'local' && env.TEST_STAGE !== 'true') {
    throw new Error('PAYOUT_RAIL sandbox moves no money: only the local stack or a test stage may use it');
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
  observer: Observer = channelObserver,
): (name: RailName) => PaymentRail {
  const built = new Map<RailName, PaymentRail>();
  const build = (name: RailName): PaymentRail => {
    switch (name) {
      case 'sandbox':
        return new SandboxRail(db, tableName, sandboxFaultsFromEnv(env), observer);
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
