import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { channelObserver, type Observer } from '../../observer.ts';
import { batchGetAll } from '../batch.ts';
import { cancellationReasons } from '../errors.ts';
import { sandboxLedgerKey } from '../keys.ts';
import { inRounds, sleep, transactWithRetry } from '../retry.ts';
import { writeIf } from '../writes.ts';
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

/** Rounds of one `payMany` batch written together before the rest go one key at a time. */
const BATCH_ROUNDS = 3;

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
    private readonly observer: Observer = channelObserver,
  ) {
    this.random = faults.random ?? Math.random;
  }

  async pay(instruction: RailInstruction): Promise<RailResult> {
    this.observer.count('sandbox.calls');
    const fault = this.fault();
    if (fault) {
      if (fault === 'timeout') await sleep(this.faults.timeoutMs ?? 20);
      throw this.faultError(fault);
    }
    return this.write(instruction);
  }

  /**
   * Many calls at once: each instruction meets the same injected faults as a single call; the rest
   * are written as conditional puts in one transaction (a key already in the ledger fails its
   * condition, is answered with its first payment and left out of the next try), so a key still
   * pays once however it is batched. Anything left unsure falls back to one conditional put per key.
   */
  async payMany(instructions: readonly RailInstruction[]): Promise<(RailResult | Error)[]> {
    const answers: (RailResult | Error | undefined)[] = instructions.map(() => undefined);
    const seen = new Set<string>();
    const toWrite: number[] = [];
    const oneByOne: number[] = [];
    let timedOut = false;
    instructions.forEach((instruction, n) => {
      this.observer.count('sandbox.calls');
      const fault = this.fault();
      if (fault) {
        timedOut ||= fault === 'timeout';
        answers[n] = this.faultError(fault);
      } else if (seen.has(instruction.key)) {
        // The same key twice in one batch: a transaction takes an item once; it is a repeat anyway.
        oneByOne.push(n);
      } else {
        seen.add(instruction.key);
        toWrite.push(n);
      }
    });
    if (timedOut) await sleep(this.faults.timeoutMs ?? 20);

    // Keys found in the ledger already are answered and left out of the next round.
    const unsure = await inRounds(
      toWrite,
      BATCH_ROUNDS,
      (batch) => this.writeRound(instructions, batch, answers),
      {
        baseMs: 5,
        capMs: 50,
      },
    );
    oneByOne.push(...unsure);
    for (const n of oneByOne) {
      try {
        answers[n] = await this.write(instructions[n] as RailInstruction);
      } catch (err) {
        answers[n] = err instanceof Error ? err : new Error(String(err));
      }
    }
    return answers.map((a) => a ?? new TransientRailError('sandbox: no answer'));
  }

  /**
   * One round of a batch: the keys at `batch` as conditional puts in one transaction. Answers the
   * keys still to write: none when the round was written or its outcome is unknown (each key then
   * answers the error and is asked again by the caller); those not yet in the ledger when some were
   * (nothing was written: keys paid before answer their first payment).
   */
  private async writeRound(
    instructions: readonly RailInstruction[],
    batch: readonly number[],
    answers: (RailResult | Error | undefined)[],
  ): Promise<number[]> {
    const paidAt = new Date().toISOString();
    try {
      await transactWithRetry(
        this.db,
        batch.map((n) => ({
          Put: {
            TableName: this.tableName,
            Item: this.entry(instructions[n] as RailInstruction, paidAt),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
        this.observer,
      );
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons?.includes('ConditionalCheckFailed')) {
        for (const n of batch) answers[n] = err instanceof Error ? err : new Error(String(err));
        return [];
      }
      const repeats = batch.filter((_, k) => reasons[k] === 'ConditionalCheckFailed');
      const references = await this.references(repeats.map((n) => (instructions[n] as RailInstruction).key));
      for (const n of repeats) {
        const key = (instructions[n] as RailInstruction).key;
        this.observer.count('sandbox.repeats');
        answers[n] = { status: 'paid', reference: references.get(key) ?? referenceOf(key) };
      }
      return batch.filter((_, k) => reasons[k] !== 'ConditionalCheckFailed');
    }
    for (const n of batch) {
      this.observer.count('sandbox.paid');
      answers[n] = this.answer(instructions[n] as RailInstruction);
    }
    return [];
  }

  private fault(): 'transient' | 'timeout' | undefined {
    if (this.random() < (this.faults.transientRate ?? 0)) {
      this.observer.count('sandbox.transient');
      return 'transient';
    }
    if (this.random() < (this.faults.timeoutRate ?? 0)) {
      this.observer.count('sandbox.timeouts');
      return 'timeout';
    }
    return undefined;
  }

  private faultError(fault: 'transient' | 'timeout'): TransientRailError {
    return new TransientRailError(
      fault === 'transient' ? 'sandbox: injected transient error' : 'sandbox: injected timeout',
    );
  }

  private entry(instruction: RailInstruction, paidAt: string): Record<string, unknown> {
    return {
      ...sandboxLedgerKey(instruction.key),
      type: 'sandbox-ledger',
      key: instruction.key,
      reference: referenceOf(instruction.key),
      runId: instruction.runId,
      payerOrgId: instruction.payerOrgId,
      amountFen: instruction.amountFen,
      paidAt,
    };
  }

  /** The answer to a payment just written, unless the injected fault loses it (paid, answer lost). */
  private answer(instruction: RailInstruction): RailResult | Error {
    if (this.random() < (this.faults.lostAnswerRate ?? 0)) {
      this.observer.count('sandbox.lostAnswers');
      return new TransientRailError('sandbox: injected lost answer (paid, answer lost)');
    }
    return { status: 'paid', reference: referenceOf(instruction.key) };
  }

  /** One conditional put: pays the key, or answers the payment made under it before. */
  private async write(instruction: RailInstruction): Promise<RailResult> {
    const reference = referenceOf(instruction.key);
    const written = await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.entry(instruction, new Date().toISOString()),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!written) {
      // Paid before under this key: answer that payment again, never pay twice.
      this.observer.count('sandbox.repeats');
      const found = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: sandboxLedgerKey(instruction.key),
          ConsistentRead: true,
        }),
      );
      return { status: 'paid', reference: (found.Item?.reference as string | undefined) ?? reference };
    }
    this.observer.count('sandbox.paid');
    const answer = this.answer(instruction);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  /** The references the ledger holds for `keys` (strongly consistent). */
  private async references(keys: readonly string[]): Promise<Map<string, string>> {
    const items = await batchGetAll(this.db, this.tableName, keys.map(sandboxLedgerKey), {
      consistent: true,
    });
    return new Map(items.map((item) => [item.key as string, item.reference as string]));
  }
}

const referenceOf = (key: string) => `sbx-${key.slice(0, 16)}`;

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
