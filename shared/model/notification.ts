/**
 * The SMS outbox (architecture.md §9): one record per notification, written in the same transaction as the
 * event that causes it and delivered from the table's stream.
 */
/** Personal numbers as stored (as in `application.ts`): ciphertext and a mask. */
interface ProtectedNumber {
  cipher: string;
  masked: string;
}

export type NotificationEventName =
  | 'submitted'
  | 'promoted'
  | 'returned'
  | 'approved'
  | 'rejected'
  | 'paid'
  | 'lapsed'
  | 'review_daily'
  | 'review_reminder';

export type NotificationStatusName = 'queued' | 'sending' | 'sent' | 'failed';

/** Who gets it: the application's applicant (phone read at delivery), or a reviewer account's contact. */
export type NotificationRecipient =
  | { kind: 'applicant'; applicationId: string }
  | { kind: 'account'; sub: string; orgId: string };

export interface NotificationRecord {
  /** Unique and stable: the idempotency key of its delivery. */
  notificationId: string;
  event: NotificationEventName;
  programmeId: string;
  recipient: NotificationRecipient;
  /**
   * What the event knew, as strings: the template's variables, less those filled in at delivery
   * (`link`, `place` from the waitlist, a reviewer's `orgName`).
   */
  facts: Record<string, string>;
  status: NotificationStatusName;
  createdAt: string;
  /** Set while it waits for a later instant (quiet hours, the daily cap): the re-drive's index. */
  dueAt?: string;
  attempts?: number;
  /** The phone masked, once delivery read it (the admin list shows it). */
  to?: string;
  sentAt?: string;
  failedAt?: string;
  /** The provider's code of a refusal, or the last transient error's. */
  code?: string;
  message?: string;
  providerMessageId?: string;
  /** Variables as sent (no personal numbers in any template). */
  params?: Record<string, string>;
}

/** A reviewer's phone for SMS, kept per account until the identity work's account store holds it. */
export interface AccountContact {
  sub: string;
  orgId: string;
  name?: string;
  phone: ProtectedNumber;
}
