/** What the programme calendar records (design §4): its history, batch reports and reminders. */

export const transitionKinds = [
  'batch_open',
  'reminder',
  'batch_close',
  'applications_close',
  'payout_due',
] as const;
export type TransitionKind = (typeof transitionKinds)[number];

/** A transition as recorded once carried out: the programme's calendar history. */
export interface CalendarRecord {
  programmeId: string;
  transitionId: string;
  kind: TransitionKind;
  batchId?: string;
  /** When it was due. */
  at: string;
  /** When it was carried out. */
  appliedAt: string;
}

export interface BatchReport {
  programmeId: string;
  batchId: string;
  closedAt: string;
  /** The last batch lapses undecided applications; earlier batches carry them over. */
  lastBatch: boolean;
  /** Submitted applications by review status once the batch had closed. */
  counts: Record<string, number>;
  /** Undecided applications that move on to the next batch (0 for the last batch). */
  carriedOver: number;
  lapsed: number;
}

export interface ReviewReminder {
  orgId: string;
  programmeId: string;
  batchId: string;
  transitionId: string;
  /** Applications awaiting the org's decision when the reminder was written. */
  pending: number;
  createdAt: string;
}
