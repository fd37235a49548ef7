/**
 * Payout runs as the domain plans them and the repositories keep them (architecture.md §4, R6, R7, R13):
 * instructions, runs, holds, bank file lines. One home for the stored-record types, so the run
 * repositories, the rails and the services share them without importing one another.
 */

/** One funder's part of an amount (R7: each funder's share is tracked on every payment). */
export interface FundingPart {
  funderOrgId: string;
  amountFen: number;
}

export type InstructionKind = 'transfer' | 'payment';

/** One movement of money, identified by a deterministic idempotency key. */
export interface PlannedInstruction {
  key: string;
  kind: InstructionKind;
  payerOrgId: string;
  /** A transfer's receiving union. */
  payeeOrgId?: string;
  /** A payment's application (the worker's account is read from it when paying). */
  applicationId?: string;
  amountFen: number;
  funding: FundingPart[];
  /** A transfer: the applications whose shares it carries (they are not transferred again). */
  applicationIds?: string[];
  /** A transfer: the key of each funder's share it carries, one per application, funder and payer. */
  shareKeys?: string[];
  /** A payment by a unit: the key of the transfer that brought the unit the money. */
  dependsOn?: string;
  /**
   * A payment by a unit: the keys of the funders' shares in it that a city → unit transfer brings
   * (the transfer's `shareKeys` for this application). Holding the payment marks the application
   * with them (`sharesHeld`).
   */
  carriedShares?: string[];
}

/** The rails a run may pay with (`wallet` only by environment until a provider is contracted). */
export const railNames = ['sandbox', 'bank_file', 'wallet'] as const;
export type RailName = (typeof railNames)[number];

/** A run pays union transfers first, then workers (R7). */
export type PayoutPhase = 'transfers' | 'payments';

export type InstructionStatus = 'pending' | 'sending' | 'paid' | 'failed';

/** One instruction as stored under its run (architecture.md §4): `pending → sending → paid | failed`. */
export interface InstructionRecord extends PlannedInstruction {
  /** Where the run keeps it: instructions are addressed by their table key. */
  pk: string;
  sk: string;
  runId: string;
  programmeId: string;
  phase: PayoutPhase;
  page: number;
  status: InstructionStatus;
  attempts: number;
  /** The sort key of the transfer this payment waits for. */
  dependsOnSk?: string;
  reference?: string;
  reason?: string;
  paidAt?: string;
  failedAt?: string;
  /** A rail that answers later (bank_file) took it: `sending` until its result is recorded. */
  submittedAt?: string;
}

/**
 * An instruction as planning places it: its run, page and position on the page, and for a payment
 * the key of the transfer it waits for. The repository derives where it is stored from that.
 */
export type PlacedInstruction = Omit<InstructionRecord, 'pk' | 'sk' | 'dependsOnSk'> & { index: number };

/** A rail's final answer for a `sending` instruction, to be recorded. */
export interface Settlement {
  i: InstructionRecord;
  outcome: { status: 'paid' | 'failed'; reference: string; reason?: string };
}

export type PayoutRunStatus = 'running' | 'paying' | 'awaiting_bank' | 'succeeded' | 'failed';

/** A payer's written batch file, as the run records it. */
export interface BankFileSummary {
  payerOrgId: string;
  objectKey: string;
  lines: number;
  totalFen: number;
  writtenAt: string;
}

export interface PayoutRunRecord {
  runId: string;
  programmeId: string;
  batchId?: string;
  requestedBy: string;
  /** The rail the run pays with; absent on runs recorded before rails were chosen per run (sandbox). */
  rail?: RailName;
  status: PayoutRunStatus;
  createdAt: string;
  updatedAt: string;
  planned?: number;
  paidCount?: number;
  failedCount?: number;
  pages?: { transfers: number; payments: number };
  totals?: { funderOrgId: string; totalFen: number }[];
  failures?: { key: string; kind: string; payerOrgId: string; applicationId?: string; reason: string }[];
  problems?: string[];
  endedAt?: string;
  /** bank_file: the batch files written, one per paying org. */
  bankFiles?: BankFileSummary[];
  /** bank_file: lines whose result has not been imported yet. */
  awaitingBank?: number;
  /** bank_file: each funder's money that reached workers so far, by imported results. */
  bankPaidByFunder?: Record<string, number>;
  /** Planning has taken the run's holds: a retried Plan places exactly those. */
  holdsTaken?: boolean;
  /** Instructions of the plan stored so far, in the plan's order (a retried Plan goes on from there). */
  planWritten?: number;
  /** The Plan attempt that may write the run's plan (a token of its own) and until when (ISO). */
  planLeaseToken?: string;
  planLeaseUntil?: string;
}

/**
 * A run's hold on one worker payment or one union transfer (architecture.md §4): what the run will pay, kept
 * under its key in the programme's payout partition while the run plans, sends or awaits the bank
 * (`held`) and after it is paid (`paid`); deleted when the payment definitely failed, which releases
 * its money to a later run. A transfer's hold lists the shares it carries (`shareKeys`).
 */
export interface PayoutHoldRecord extends PlannedInstruction {
  programmeId: string;
  runId: string;
  /**
   * `failed`: the rail definitely refused it. The hold stays, so its key is never sent again: the next
   * attempt at the same money goes under a key of its own (`attemptKey` in domain/payout.ts).
   */
  state: 'held' | 'paid' | 'failed';
  heldAt: string;
  paidAt?: string;
  failedAt?: string;
  /** The run that held it before this one adopted it (its outcome was unknown). */
  adoptedFrom?: string;
}

/** One line of a payer's batch file as kept in the table: the account number only as ciphertext. */
export interface BankLineRecord {
  key: string;
  runId: string;
  programmeId: string;
  payerOrgId: string;
  kind: InstructionKind;
  /** The instruction this line pays (the result import settles it). */
  instructionSk: string;
  amountFen: number;
  payeeName: string;
  /** `app:{applicationId}` or `org:{orgId}`. */
  payeeRef: string;
  bankName: string;
  /** For logs and consoles: `6222 **** **** 1234`. */
  accountMasked: string;
  /** The field cipher's ciphertext of the card number (PIPL): decrypted only to write the file. */
  accountCipher?: string;
  purpose: string;
  reference: string;
  createdAt: string;
}
