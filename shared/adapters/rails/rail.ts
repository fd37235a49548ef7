import type { FundingPart, InstructionKind, RailName } from '../../model/payout.ts';

// The rails' names are part of the model (a run records its rail); the deployment reads them here.
export { type RailName, railNames } from '../../model/payout.ts';

/** What a rail is asked to pay: one instruction, identified by its idempotency key. */
export interface RailInstruction {
  key: string;
  kind: InstructionKind;
  runId: string;
  payerOrgId: string;
  payeeOrgId?: string;
  applicationId?: string;
  amountFen: number;
  funding: FundingPart[];
  programmeId: string;
  /** Where the run keeps the instruction: a rail that answers later (bank_file) finds it again by this. */
  instructionSk: string;
}

export interface RailResult {
  /**
   * `submitted`: handed to a rail that answers later (bank_file: a line of the payer's batch file).
   * The instruction stays `sending` until the rail's result is recorded (the bank's result import).
   */
  status: 'paid' | 'failed' | 'submitted';
  /** The rail's own reference of the movement (ledger id, bank line, wallet transfer id). */
  reference: string;
  reason?: string;
}

/**
 * A payment rail (design §4, R13): sandbox, bank batch file, wallet. `pay` may be called twice with
 * one key — after a timeout, a lost answer or a crash before the answer was recorded — and must pay
 * once, answering the first outcome again. A thrown error means "unknown, try again".
 */
export interface PaymentRail {
  readonly name: RailName;
  pay(instruction: RailInstruction): Promise<RailResult>;
  /**
   * Optional: {@link pay} for many instructions at once (at most 100), one answer per instruction in
   * the order given; an `Error` answer means "unknown, try again" for that instruction only. The same
   * guarantee holds: each key pays once however often, and in whatever batches, it is sent.
   */
  payMany?(instructions: readonly RailInstruction[]): Promise<(RailResult | Error)[]>;
}

/** A rail's error that a retry may cure (the caller tries again with the same key). */
export class TransientRailError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientRailError';
  }
}
