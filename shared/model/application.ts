/**
 * An application and what its partition keeps (architecture.md §2): the record every repository, service and
 * rule reads. Stored as is, with keys and index attributes derived from it by the adapters' mappers.
 */
import type { StoredEnrolment } from './catalogue.ts';
import type { NotificationRecord } from './notification.ts';
import type { FundingPart } from './payout.ts';

/**
 * Review status (architecture.md §2). `revoked`: an approved application an admin revoked after it was paid;
 * it keeps its place (the place was paid for and is never paid again) and owes the money back.
 */
export const reviewStatuses = [
  'draft',
  'in_review',
  'returned',
  'approved',
  'rejected',
  'withdrawn',
  'lapsed',
  'revoked',
] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** Every status a submitted application can be in: all but `draft`, which the status index (gsi3) never lists. */
export const submittedStatuses: readonly Exclude<ReviewStatus, 'draft'>[] = reviewStatuses.filter(
  (s): s is Exclude<ReviewStatus, 'draft'> => s !== 'draft',
);

/** Review statuses that hold a place or a waitlist position (architecture.md §2: live). */
export const liveStatuses = ['in_review', 'returned', 'approved'] as const;

/** Place (quota) state, a dimension of its own beside the review status (architecture.md §2). */
export const quotaStates = ['none', 'claimed', 'waitlisted', 'released'] as const;
export type QuotaState = (typeof quotaStates)[number];

/** Personal numbers as stored: ciphertext, a mask for display, never the plain value. */
export interface ProtectedNumber {
  cipher: string;
  masked: string;
}

export interface StoredApplicant {
  name: string;
  idNumber: ProtectedNumber;
  /** Encrypted like the ID number (issue 10 point 10); a plain string only on drafts stored before. */
  phone: ProtectedNumber | string;
  positionLevel: string;
  migrantWorker: boolean;
}

export type StoredPayoutAccount =
  | { kind: 'bank'; bankName: string; accountName: string; accountNumber: ProtectedNumber }
  | { kind: 'wallet'; walletId: ProtectedNumber };

/** One union's decision at its step of the review chain (R12). */
export interface ReviewDecision {
  orgId: string;
  decision: string;
  decidedAt: string;
  reason?: string;
}

/** What an admin's revocation recorded: why, when, and the money paid that is owed back per funder. */
export interface Revocation {
  reason: string;
  revokedAt: string;
  clawbackFen: number;
  clawback: FundingPart[];
  /**
   * The funders' shares a city → county transfer carried to the unit for this place (or carries:
   * it may still await the bank) that the worker was never paid, as the unit's payment failed: owed
   * back by the unit, per funder.
   */
  heldByUnit?: FundingPart[];
}

export interface ApplicationRecord {
  id: string;
  programmeId: string;
  employerOrgId: string;
  unitOrgId: string;
  ownerSub: string;
  channel: string;
  status: ReviewStatus;
  quotaState: QuotaState;
  /** The shard of a sharded unit whose place it holds (architecture.md §3); absent means shard 0. */
  quotaShard?: number;
  applicant: StoredApplicant;
  /** Keyed hash of the ID number (R8 lookups), never the number itself. */
  idHash: string;
  /** An offering of the catalogue with its snapshot, or a declared institution (issue 16). */
  enrolment: StoredEnrolment;
  chsiReport: { verificationCode: string; validUntil: string };
  jobTitle: string;
  relevance: string;
  payoutAccount: StoredPayoutAccount;
  chain: string[];
  currentOrgId: string | null;
  decisions: ReviewDecision[];
  sequence?: number;
  submittedAt?: string;
  digest?: string;
  approvedAt?: string;
  promotedAt?: string;
  /** Payments a run holds for it, in flight or paid (withdrawal is refused while any is). */
  paymentsHeld?: number;
  /**
   * Keys of its funders' shares that a city → unit transfer brings its unit, marked when a run holds
   * the payment handing them on: from then on that money is leaving (or has left) the funders for its
   * place, and withdrawal is refused while any key is here, also after that payment failed (as for
   * `paymentsHeld`). A key goes only when the transfer carrying it definitely failed.
   */
  sharesHeld?: ReadonlySet<string>;
  /** Set when an admin revoked it after payment. */
  revocation?: Revocation;
  /**
   * Counted in its account's live drafts at creation (issue 10 point 8): submitting or withdrawing
   * it gives the count back. Absent on drafts stored before the count existed.
   */
  draftCounted?: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * Whether money is held for the application's place: a payment to it, or its funders' shares a
 * transfer brings its unit, in flight or paid. Its place is then never released to the next worker.
 */
export const placePaidFor = (app: Pick<ApplicationRecord, 'paymentsHeld' | 'sharesHeld'>): boolean =>
  (app.paymentsHeld ?? 0) > 0 || (app.sharesHeld?.size ?? 0) > 0;

/**
 * A verified document pinned to its bytes: a copy under a key no presigned form names (at the version
 * the store gave it), the SHA-256 of what was verified, and which upload was verified, to tell that
 * upload's own late event from a replacement re-POSTed through the same form.
 */
export interface AttachmentPin {
  key: string;
  etag: string;
  versionId?: string;
  sha256: string;
  uploadEtag?: string;
  uploadVersionId?: string;
}

export interface AttachmentRecord {
  attachmentId: string;
  applicationId: string;
  kind: string;
  contentType: string;
  declaredBytes: number;
  key: string;
  status: 'pending' | 'verified' | 'rejected';
  sizeBytes?: number;
  reason?: string;
  createdAt: string;
  verifiedAt?: string;
  /** Where the verified bytes are kept; absent on documents verified before pinning existed. */
  pin?: AttachmentPin;
}

/** The server's verdict on an uploaded document, recorded once. */
export interface AttachmentVerdict {
  status: 'verified' | 'rejected';
  sizeBytes?: number;
  reason?: string;
  at: string;
  pin?: AttachmentPin;
}

/** One event of an application's timeline (R14): what happened, when, and whatever else it says. */
export interface TimelineRecord {
  type: string;
  at: string;
  [key: string]: unknown;
}

/** A worker payment as kept in the application's partition (what `payments` and the timeline show, R14). */
export interface ApplicationPaymentRecord {
  key: string;
  runId: string;
  payerOrgId: string;
  amountFen: number;
  funding: FundingPart[];
  status: 'pending' | 'sending' | 'paid' | 'failed';
  plannedAt: string;
  paidAt?: string;
  reason?: string;
}

/**
 * Each payer's latest attempt at paying the worker: a payment the rail definitely refused is planned
 * again under a new key (architecture.md §4), and only the latest attempt says where that money
 * stands. Earlier, refused attempts stay on the timeline (`payment_failed`).
 */
export function currentPayments<P extends Pick<ApplicationPaymentRecord, 'payerOrgId' | 'plannedAt' | 'key'>>(
  payments: readonly P[],
): P[] {
  const latest = new Map<string, P>();
  for (const p of payments) {
    const seen = latest.get(p.payerOrgId);
    if (!seen || p.plannedAt > seen.plannedAt || (p.plannedAt === seen.plannedAt && p.key > seen.key)) {
      latest.set(p.payerOrgId, p);
    }
  }
  return [...latest.values()];
}

export interface ApplicationBundle {
  application: ApplicationRecord;
  attachments: AttachmentRecord[];
  timeline: TimelineRecord[];
  /** Worker payments of payout runs (R14), kept in the application's partition. */
  payments?: ApplicationPaymentRecord[];
  /** The SMS outbox items of the application (issue 17), kept in its partition. */
  notifications?: NotificationRecord[];
}

/**
 * The application form as far as the worker has filled it, before the draft exists (architecture.md
 * §7): the sections of steps 0–2, personal numbers encrypted like an application's.
 */
export interface ApplicationFormRecord {
  ownerSub: string;
  programmeId: string;
  /** The step to resume at. */
  step: number;
  applicant?: StoredApplicant & { phone: ProtectedNumber };
  jobTitle?: string;
  employerOrgId?: string;
  enrolment?: {
    offeringId?: string;
    institution?: string;
    institutionCode?: string;
    major?: string;
    level?: string;
    enrolledOn: string;
  };
  /** The unit the employer counts in (R5): the catalogue a worker chooses from depends on it. */
  unitOrgId?: string;
  /** The enrolment as the catalogue resolved it, to show what was chosen when the form is resumed. */
  enrolmentShown?: { institution: string; major: string; level: string; mode?: string; years?: number };
  chsiReport?: { verificationCode: string; validUntil: string };
  relevance?: string;
  savedAt: string;
  /** Asia/Shanghai day after which the form is deleted. */
  expiresOn: string;
}
