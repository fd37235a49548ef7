import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from '../errors.ts';
import { sandboxLedgerKey } from '../keys.ts';
import { type PaymentRail, type RailInstruction, type RailResult, TransientRailError } from './rail.ts';

/** Faults the sandbox injects, each a probability per call (local tests and benchmarks only). */
export interface SandboxFaults {
  /** The call fails before anything is paid. */
  transientRate?: number;
  /** The call hangs for `timeoutMs`, then fails; nothing is paid. */
  timeoutRate?: number;
  timeoutMs?: number;
  /** The payment is made but the answer is lost: the call throws after the ledger write. */
  lostAnswerRate?: number;
  random?: () => number;
}

/** What the sandbox did in this process, read by tests and benchmarks. */
export const sandboxStats = { calls: 0, paid: 0, repeats: 0, transient: 0, timeouts: 0, lostAnswers: 0 };

/**
 * The local default rail: a ledger in the table, one item per idempotency key, written with a
 * conditional put, so a key pays once however often it is sent. A repeated key answers the first
 * payment's reference.
 */
export class SandboxRail implements PaymentRail {
  readonly name = 'sandbox';
  private readonly random: () => number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly faults: SandboxFaults = {},
  ) {
    this.random = faults.random ?? Math.random;
  }

  async pay(instruction: RailInstruction): Promise<RailResult> {
    sandboxStats.calls++;
    if (this.random() < (this.faults.transientRate ?? 0)) {
      sandboxStats.transient++;
      throw new TransientRailError('sandbox: injected transient error');
    }
    if (this.random() < (this.faults.timeoutRate ?? 0)) {
      sandboxStats.timeouts++;
      await new Promise((r) => setTimeout(r, this.faults.timeoutMs ?? 20));
      throw new TransientRailError('sandbox: injected timeout');
    }
    const reference = `sbx-${instruction.key.slice(0, 16)}`;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...sandboxLedgerKey(instruction.key),
            type: 'sandbox-ledger',
            key: instruction.key,
            reference,
            runId: instruction.runId,
            payerOrgId: instruction.payerOrgId,
            amountFen: instruction.amountFen,
            paidAt: new Date().toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      sandboxStats.paid++;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      // Paid before under this key: answer that payment again, never pay twice.
      sandboxStats.repeats++;
      const found = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: sandboxLedgerKey(instruction.key),
          ConsistentRead: true,
        }),
      );
      return { status: 'paid', reference: (found.Item?.reference as string | undefined) ?? reference };
    }
    if (this.random() < (this.faults.lostAnswerRate ?? 0)) {
      sandboxStats.lostAnswers++;
      throw new TransientRailError('sandbox: injected lost answer (paid, answer lost)');
    }
    return { status: 'paid', reference };
  }
}

/** Sandbox faults from the environment, local stage only (`SANDBOX_TRANSIENT_RATE` …). */
export function sandboxFaultsFromEnv(env: NodeJS.ProcessEnv): SandboxFaults {
  if (env.STAGE !== 'local') return {};
  const rate = (name: string) => Number(env[name] ?? 0) || 0;
  return {
    transientRate: rate('SANDBOX_TRANSIENT_RATE'),
    timeoutRate: rate('SANDBOX_TIMEOUT_RATE'),
    lostAnswerRate: rate('SANDBOX_LOST_ANSWER_RATE'),
  };
}
