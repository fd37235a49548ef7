/**
 * Key builders, one per access pattern (the key design is written down in `table.ts`).
 * Nothing else in the code spells a key.
 */

export const orgKey = (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'ORG' });
/** Children of an org, in id order (GET /orgs/{orgId}/children). */
export const orgChildrenIndex = (parentId: string, orgId?: string) => ({
  gsi1pk: `ORGCHILDREN#${parentId}`,
  ...(orgId === undefined ? {} : { gsi1sk: `ORG#${orgId}` }),
});

export const programmeKey = (programmeId: string) => ({ pk: `PROGRAMME#${programmeId}`, sk: 'PROGRAMME' });
/** All programmes, newest year first (GET /programmes). */
export const programmeListIndex = (year?: number, programmeId?: string) => ({
  gsi1pk: 'PROGRAMMES',
  ...(year === undefined || programmeId === undefined ? {} : { gsi1sk: `${year}#${programmeId}` }),
});
/** Everything of a programme in one partition: the programme item and its allocation units. */
export const programmePartition = (programmeId: string) => `PROGRAMME#${programmeId}`;
export const ALLOCATION_PREFIX = 'ALLOC#';
/** One allocation unit's place counters (R5): the item every place claim conditions on. */
export const allocationKey = (programmeId: string, unitOrgId: string) => ({
  pk: programmePartition(programmeId),
  sk: `${ALLOCATION_PREFIX}${unitOrgId}`,
});

/**
 * One shard of a sharded unit's places (architecture.md §3): shard 0 is the unit's allocation item
 * itself, shard k > 0 an item beside it.
 */
export const allocationShardKey = (programmeId: string, unitOrgId: string, shard: number) =>
  shard === 0
    ? allocationKey(programmeId, unitOrgId)
    : { pk: programmePartition(programmeId), sk: `${ALLOCATION_PREFIX}${unitOrgId}#${shard}` };

/**
 * The receipt counter of one allocation unit: submission order within the unit, where first come,
 * first served is decided (R8 先到先得). A partition of its own per unit, so that a programme's
 * submits are not funnelled through one item (architecture.md §3).
 */
export const receiptCounterKey = (programmeId: string, unitOrgId: string, shard?: number) => ({
  pk: `RECEIPTS#${programmeId}#${unitOrgId}${shard === undefined ? '' : `#${shard}`}`,
  sk: 'RECEIPTS',
});

/** An application and everything of it (documents, timeline) in one partition. */
export const applicationPartition = (applicationId: string) => `APP#${applicationId}`;
export const applicationKey = (applicationId: string) => ({
  pk: applicationPartition(applicationId),
  sk: 'APP',
});
export const attachmentKey = (applicationId: string, attachmentId: string) => ({
  pk: applicationPartition(applicationId),
  sk: `ATT#${attachmentId}`,
});
export const ATTACHMENT_PREFIX = 'ATT#';
/** Timeline events sort by time; the suffix keeps two events of one instant apart. */
export const eventKey = (applicationId: string, at: string, suffix: string) => ({
  pk: applicationPartition(applicationId),
  sk: `EVENT#${at}#${suffix}`,
});
export const EVENT_PREFIX = 'EVENT#';
/** A worker's own applications, newest first (GET /me/applications). */
export const workerApplicationsIndex = (sub: string, createdAt?: string, applicationId?: string) => ({
  gsi1pk: `WORKER#${sub}`,
  ...(createdAt === undefined ? {} : { gsi1sk: `${createdAt}#${applicationId}` }),
});

/** A worker's page's last evaluated key, besides its partition. */
export const WORKER_APPLICATIONS_CURSOR_KEYS = ['pk', 'sk', 'gsi1sk'] as const;

/**
 * R8: one live application per person (keyed hash of the ID number) and education level, ever. The
 * item names the application holding it and goes when that application stops being live (a rejected,
 * withdrawn or lapsed application has not used the person's chance).
 */
export const personLevelKey = (idHash: string, level: string) => ({
  pk: `PERSON#${idHash}`,
  sk: `LEVEL#${level}`,
});

/** Everything of one account (the token's `sub`) that limits what it may hold at once. */
export const accountPartition = (sub: string) => `ACCOUNT#${sub}`;
/**
 * One live application per account and programme (issue 10 point 8): written with the draft, named
 * after the application holding it, deleted when that application stops being live.
 */
export const accountProgrammeKey = (sub: string, programmeId: string) => ({
  pk: accountPartition(sub),
  sk: `PROGRAMME#${programmeId}`,
});
/**
 * The application form an account has filled in so far for a programme, before its draft exists
 * (architecture.md §7); deleted by the transaction that creates the draft.
 */
export const applicationFormKey = (sub: string, programmeId: string) => ({
  pk: accountPartition(sub),
  sk: `FORM#${programmeId}`,
});
/** How many live drafts an account holds (capped, issue 10 point 8). */
export const accountDraftsKey = (sub: string) => ({ pk: accountPartition(sub), sk: 'DRAFTS' });

/**
 * A unit's waitlist in submission order, kept in the base table so that the earliest waiting
 * applicant is read with a strongly consistent query when a place is released.
 */
export const waitlistPartition = (programmeId: string, unitOrgId: string) =>
  `WAITLIST#${programmeId}#${unitOrgId}`;
export const sequenceSortKey = (sequence: number) => sequence.toString().padStart(12, '0');
export const waitlistEntryKey = (programmeId: string, unitOrgId: string, sequence: number) => ({
  pk: waitlistPartition(programmeId, unitOrgId),
  sk: sequenceSortKey(sequence),
});

/**
 * A unit's join draws (architecture.md §3, "The sequencer"): draw n of the unit's allocation item has
 * one item here once settled — the join committed, or the draw voided (given back). A draw without one
 * is a join in flight, or one whose function stopped between the two writes (the repair pass's to void).
 * The item `REPAIR` holds how far the draws are known settled and the mark the next pass voids up to.
 */
export const joinDrawPartition = (programmeId: string, unitOrgId: string) =>
  `JOINS#${programmeId}#${unitOrgId}`;
export const joinDrawKey = (programmeId: string, unitOrgId: string, draw: number) => ({
  pk: joinDrawPartition(programmeId, unitOrgId),
  sk: sequenceSortKey(draw),
});
export const joinRepairKey = (programmeId: string, unitOrgId: string) => ({
  pk: joinDrawPartition(programmeId, unitOrgId),
  sk: 'REPAIR',
});

/**
 * The review queue (R12 逐级审核): applications awaiting a decision by one org, in submission order.
 * Set while an application is `in_review` at that org's step; removed otherwise.
 */
export const reviewQueueIndex = (programmeId: string, orgId: string, sequence?: number, unitOrgId = '') => ({
  gsi2pk: `REVIEW#${programmeId}#${orgId}`,
  ...(sequence === undefined ? {} : { gsi2sk: receiptOrderKey(sequence, unitOrgId) }),
});
/** The review-queue entry's attributes (an application leaves the queue by their removal). */
export const REVIEW_QUEUE_ATTRIBUTES = ['gsi2pk', 'gsi2sk'] as const;
/** A review-queue page's last evaluated key, besides its partition: the table key and the queue order. */
export const REVIEW_QUEUE_CURSOR_KEYS = ['pk', 'sk', 'gsi2sk'] as const;

/** A programme's submitted applications by review status, in submission order (lapse, payout planning). */
export const STATUS_INDEX_ATTRIBUTES = ['gsi3pk', 'gsi3sk'] as const;
export const statusIndex = (programmeId: string, status: string, sequence?: number, unitOrgId = '') => ({
  gsi3pk: `APPS#${programmeId}#${status}`,
  ...(sequence === undefined ? {} : { gsi3sk: receiptOrderKey(sequence, unitOrgId) }),
});

/**
 * An application's place in the programme-wide indexes: its receipt (twelve digits), then its unit.
 * Receipts are numbered per unit (architecture.md §3), so two units each have a receipt 1; the unit
 * makes the key unique, which a page that resumes after the last key it gave (`gsi3sk > :after`)
 * needs, and keeps every unit's own applications in receipt order.
 */
export const receiptOrderKey = (sequence: number, unitOrgId: string) =>
  `${sequenceSortKey(sequence)}#${unitOrgId}`;

/** A receipt order key as the indexes' sort keys hold it. */
export const receiptOrderKeyPattern = /^\d{12}#[a-z0-9-]{0,64}$/;

/** The programme calendar: one item per transition carried out (architecture.md §4), in the programme's partition. */
export const CALENDAR_PREFIX = 'CALENDAR#';
export const calendarTransitionKey = (programmeId: string, transitionId: string) => ({
  pk: programmePartition(programmeId),
  sk: `${CALENDAR_PREFIX}${transitionId}`,
});
/** What a review batch's close found: counts per review status, lapsed and carried over. */
export const batchReportKey = (programmeId: string, batchId: string) => ({
  pk: programmePartition(programmeId),
  sk: `REPORT#${batchId}`,
});
/** A closed batch's payout run falling due (the payout run picks it up). */
export const payoutDueKey = (programmeId: string, batchId: string) => ({
  pk: programmePartition(programmeId),
  sk: `PAYOUTDUE#${batchId}`,
});

/** Notifications to an org (reminders before a batch closes), one per org, programme and transition. */
export const notificationKey = (orgId: string, programmeId: string, transitionId: string) => ({
  pk: `NOTIFY#${orgId}`,
  sk: `${programmeId}#${transitionId}`,
});
/** Notifications not yet sent, oldest first (the SMS sender's queue; removed once sent). */
export const pendingNotificationsIndex = (createdAt?: string, orgId?: string, transitionKey?: string) => ({
  gsi1pk: 'NOTIFY#pending',
  ...(createdAt === undefined ? {} : { gsi1sk: `${createdAt}#${orgId}#${transitionKey}` }),
});

/** A payout run (architecture.md §4): its record, and its instructions in page order (transfers, then payments). */
export const payoutRunPartition = (runId: string) => `RUN#${runId}`;
export const payoutRunKey = (runId: string) => ({ pk: payoutRunPartition(runId), sk: 'RUN' });
export type PayoutPhase = 'transfers' | 'payments';
const phaseTag = (phase: PayoutPhase) => (phase === 'transfers' ? 'T' : 'P');
/** The sort-key prefix of one page of a run's instructions (the Map item a page descriptor names). */
export const instructionPagePrefix = (phase: PayoutPhase, page: number) =>
  `PAGE#${phaseTag(phase)}#${page.toString().padStart(4, '0')}#`;
export const INSTRUCTION_PREFIX = 'PAGE#';
export const instructionKey = (runId: string, phase: PayoutPhase, page: number, index: number) => ({
  pk: payoutRunPartition(runId),
  sk: `${instructionPagePrefix(phase, page)}${index.toString().padStart(5, '0')}`,
});
/**
 * What runs hold of a programme's money (architecture.md §4): one item per worker-payment key and per
 * transfer-share key that a run has planned, is sending, awaits the bank for, or has paid — keyed by
 * what it pays for, never by the run. Planning reads this one partition and writes each hold with
 * a conditional put, so no two runs ever plan the same money.
 */
export const payoutKeyPartition = (programmeId: string) => `PAYOUTS#${programmeId}`;
export const PAYOUT_HOLD_PREFIX = 'HOLD#';
export const payoutHoldKey = (programmeId: string, key: string) => ({
  pk: payoutKeyPartition(programmeId),
  sk: `${PAYOUT_HOLD_PREFIX}${key}`,
});
/** The programme's open payout run, if any: at most one at a time, taken by a conditional put. */
export const openPayoutRunKey = (programmeId: string) => ({
  pk: payoutKeyPartition(programmeId),
  sk: 'OPENRUN',
});
/** A worker payment as the worker sees it (R14), kept in the application's partition. */
export const PAYMENT_PREFIX = 'PAY#';
export const applicationPaymentKey = (applicationId: string, key: string) => ({
  pk: applicationPartition(applicationId),
  sk: `${PAYMENT_PREFIX}${key}`,
});
/**
 * The bank_file rail (architecture.md §4): one line per instruction of a run, grouped by payer, so that one
 * payer's batch file is one query and an imported result line is found by its key.
 */
export const BANK_LINE_PREFIX = 'BANKLINE#';
export const bankLinePrefix = (payerOrgId: string) => `${BANK_LINE_PREFIX}${payerOrgId}#`;
export const bankLineKey = (runId: string, payerOrgId: string, key: string) => ({
  pk: payoutRunPartition(runId),
  sk: `${bankLinePrefix(payerOrgId)}${key}`,
});
/**
 * A programme's payout runs, newest first (the console's 补助发放 list): `gsi1` on the run item,
 * written with the run and never changed.
 */
export const programmeRunsIndex = (programmeId: string, createdAt?: string, runId?: string) => ({
  gsi1pk: `RUNS#${programmeId}`,
  ...(createdAt === undefined ? {} : { gsi1sk: `${createdAt}#${runId ?? ''}` }),
});

/** An org's audit trail of Excel exports (architecture.md §7): who exported which list, when, how many rows. */
export const exportAuditKey = (orgId: string, at: string, suffix: string) => ({
  pk: `AUDIT#${orgId}`,
  sk: `EXPORT#${at}#${suffix}`,
});

/** A run's audit trail (each bank file download), in time order. */
export const runAuditKey = (runId: string, at: string, suffix: string) => ({
  pk: payoutRunPartition(runId),
  sk: `AUDIT#${at}#${suffix}`,
});
/** The sandbox rail's ledger: one item per idempotency key ever paid. */
export const sandboxLedgerKey = (key: string) => ({ pk: `SANDBOX#${key}`, sk: 'LEDGER' });

// ── Catalogue: partner institutions and their offerings (issue 16) ──────────────────────────────

/** A partner institution (合作院校), keyed by its 学校标识码: one record whoever lists it. */
export const institutionKey = (institutionId: string) => ({
  pk: `INSTITUTION#${institutionId}`,
  sk: 'INSTITUTION',
});
/** A programme's catalogue: every offering it lists, offered or retired, in one partition. */
export const cataloguePartition = (programmeId: string) => `CATALOGUE#${programmeId}`;
export const OFFERING_PREFIX = 'OFFERING#';
export const offeringKey = (programmeId: string, offeringId: string) => ({
  pk: cataloguePartition(programmeId),
  sk: `${OFFERING_PREFIX}${offeringId}`,
});
/**
 * What a programme offers now (the public list, architecture.md §5), by level, institution and major
 * (sparse: a retired offering leaves it). `prefix` narrows to a level, or a level and an institution.
 */
export const offeredIndex = (
  programmeId: string,
  at?: { level: string; institutionId: string; majorKey: string; offeringId: string },
) => ({
  gsi2pk: `OFFERED#${programmeId}`,
  ...(at ? { gsi2sk: `${at.level}#${at.institutionId}#${at.majorKey}#${at.offeringId}` } : {}),
});
export const offeredIndexPrefix = (level?: string, institutionId?: string) =>
  level === undefined ? '' : institutionId === undefined ? `${level}#` : `${level}#${institutionId}#`;
export const OFFERED_INDEX_ATTRIBUTES = ['gsi2pk', 'gsi2sk'] as const;
/** An institution's offerings across programmes (which programmes list it; its renames reach them). */
export const institutionOfferingsIndex = (
  institutionId: string,
  programmeId?: string,
  offeringId?: string,
) => ({
  gsi1pk: `INSTOFFERINGS#${institutionId}`,
  ...(programmeId === undefined ? {} : { gsi1sk: `${programmeId}#${offeringId}` }),
});

// ── Accounts, memberships and organisation registration (issue 12, architecture.md §8) ──────────

/**
 * An account's membership of an org (reviewer or admin): in the account's partition, so one query
 * reads everything an account may act for; `gsi1` lists an org's people.
 */
export const MEMBERSHIP_PREFIX = 'MEMBER#';
export const membershipKey = (sub: string, orgId: string) => ({
  pk: accountPartition(sub),
  sk: `${MEMBERSHIP_PREFIX}${orgId}`,
});
/** An org's members, by account (GET /orgs/{orgId}/members). */
export const orgMembersIndex = (orgId: string, sub?: string) => ({
  gsi1pk: `ORGMEMBERS#${orgId}`,
  ...(sub === undefined ? {} : { gsi1sk: `${MEMBERSHIP_PREFIX}${sub}` }),
});
/** The account a verified mobile number belongs to (keyed hash of the number): admins add people by phone. */
export const phoneAccountKey = (phoneHash: string) => ({ pk: `PHONE#${phoneHash}`, sk: 'ACCOUNT' });

/** An org's registration request (R12 组织注册), pending until the parent's admins decide. */
export const orgRegistrationKey = (registrationId: string) => ({
  pk: `ORGREG#${registrationId}`,
  sk: 'ORGREG',
});
/** Registrations under a parent, by status and age (the parent's admins' list). */
export const orgRegistrationsIndex = (
  parentId: string,
  at?: { status: string; createdAt: string; registrationId: string },
) => ({
  gsi1pk: `ORGREGS#${parentId}`,
  ...(at ? { gsi1sk: `${at.status}#${at.createdAt}#${at.registrationId}` } : {}),
});
/** One registration (pending or approved) per 统一社会信用代码: the conditional item that refuses a duplicate. */
export const creditCodeKey = (creditCode: string) => ({ pk: `CREDITCODE#${creditCode}`, sk: 'CREDITCODE' });
/** Changes of an org's people, in time order (every grant and removal is an audit event). */
export const orgAuditKey = (orgId: string, at: string, suffix: string) => ({
  pk: `ORG#${orgId}`,
  sk: `AUDIT#${at}#${suffix}`,
});
export const ORG_AUDIT_PREFIX = 'AUDIT#';
// ── The SMS outbox (issue 17, architecture.md §9) ──────────────────────────────────────────────

/** An outbox item's sort key: in its application's partition (the timeline reads it) or its account's. */
export const OUTBOX_PREFIX = 'NOTIFY#';
export const applicationNotificationKey = (applicationId: string, notificationId: string) => ({
  pk: applicationPartition(applicationId),
  sk: `${OUTBOX_PREFIX}${notificationId}`,
});
export const accountNotificationKey = (sub: string, notificationId: string) => ({
  pk: accountPartition(sub),
  sk: `${OUTBOX_PREFIX}${notificationId}`,
});
/** A programme's notifications, newest first (`GET /programmes/{id}/notifications`), on gsi3. */
export const programmeNotificationsIndex = (
  programmeId: string,
  createdAt?: string,
  notificationId?: string,
) => ({
  gsi3pk: `NOTIFICATIONS#${programmeId}`,
  ...(createdAt === undefined ? {} : { gsi3sk: `${createdAt}#${notificationId}` }),
});
export const PROGRAMME_NOTIFICATIONS_CURSOR_KEYS = ['pk', 'sk', 'gsi3sk'] as const;
/**
 * Notifications waiting for a later instant (quiet hours, a phone's daily cap), by due time, on gsi1
 * (sparse: set while deferred, removed when taken). The scheduled re-drive reads those due.
 */
export const dueNotificationsIndex = (dueAt?: string, notificationId?: string) => ({
  gsi1pk: 'OUTBOX#due',
  ...(dueAt === undefined ? {} : { gsi1sk: `${dueAt}#${notificationId}` }),
});
export const DUE_INDEX_ATTRIBUTES = ['gsi1pk', 'gsi1sk'] as const;
/** How many SMS one phone (keyed hash) got on one Shanghai day (the daily cap). */
export const smsDailyCountKey = (phoneHash: string, day: string) => ({ pk: `SMSCAP#${phoneHash}`, sk: day });
/** A reviewer account's phone for SMS, listed per org on gsi1 (until issue 12's memberships hold it). */
export const accountContactKey = (sub: string) => ({ pk: accountPartition(sub), sk: 'CONTACT' });
export const orgContactsIndex = (orgId: string, sub?: string) => ({
  gsi1pk: `ORGCONTACTS#${orgId}`,
  ...(sub === undefined ? {} : { gsi1sk: sub }),
});
/** One daily count per org and programme and day: its notifications are written once. */
export const dailyCountKey = (programmeId: string, day: string, orgId: string) => ({
  pk: programmePartition(programmeId),
  sk: `DAILYCOUNT#${day}#${orgId}`,
});
