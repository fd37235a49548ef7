/**
 * What the repositories refuse, as typed errors in the storage's own words: which item, which
 * condition, with the DynamoDB error kept as `cause`. They carry no HTTP status and no UI text:
 * `services/contract-errors.ts` turns each into the contract's code and Chinese message.
 * (The shape follows Powertools' `IdempotencyItemAlreadyExistsError` from `DynamoDBPersistenceLayer`.)
 */
export class PersistenceError extends Error {
  /** `name` is spelled out: bundles are minified, and logs and Step Functions read error names. */
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** A create whose id is taken (a conditional put on absence failed). */
export class ItemAlreadyExists extends PersistenceError {
  constructor(
    readonly entity: 'org' | 'programme' | 'institution' | 'offering' | 'credit_code',
    readonly id: string,
    options?: { cause?: unknown },
  ) {
    super('ItemAlreadyExists', `${entity} ${id} already exists`, options);
  }
}

/** The account already holds a live application in the programme (issue 10 point 8). */
export class AccountHoldsApplication extends PersistenceError {
  constructor(
    readonly sub: string,
    readonly programmeId: string,
    options?: { cause?: unknown },
  ) {
    super('AccountHoldsApplication', `account holds a live application in ${programmeId}`, options);
  }
}

/** The account holds as many live drafts as it may (issue 10 point 8). */
export class DraftLimitReached extends PersistenceError {
  constructor(
    readonly cap: number,
    options?: { cause?: unknown },
  ) {
    super('DraftLimitReached', `account holds ${cap} live drafts`, options);
  }
}

/** A draft edit whose draft is no longer editable or changed since it was read. */
export class DraftChanged extends PersistenceError {
  constructor(
    readonly applicationId: string,
    options?: { cause?: unknown },
  ) {
    super('DraftChanged', `draft ${applicationId} changed or is no longer a draft`, options);
  }
}

/** A submission whose draft was submitted meanwhile or changed since its checks ran. */
export class DraftNotSubmittable extends PersistenceError {
  constructor(
    readonly applicationId: string,
    options?: { cause?: unknown },
  ) {
    super('DraftNotSubmittable', `draft ${applicationId} was submitted or changed meanwhile`, options);
  }
}

/** R8: the person already holds a live application at this level. */
export class PersonLevelTaken extends PersistenceError {
  constructor(
    readonly level: string,
    options?: { cause?: unknown },
  ) {
    super('PersonLevelTaken', `person already holds an application at level ${level}`, options);
  }
}

/** The unit has no allocation item in the programme. */
export class UnitNotAllocated extends PersistenceError {
  constructor(
    readonly programmeId: string,
    readonly unitOrgId: string,
    options?: { cause?: unknown },
  ) {
    super('UnitNotAllocated', `unit ${unitOrgId} has no allocation in ${programmeId}`, options);
  }
}

/** A submission that kept losing its unit's race for every retry: the unit is too busy right now. */
/** A unit's shard count may only grow, up to MAX_SHARDS (architecture.md §3). */
export class ShardCountInvalid extends PersistenceError {
  constructor(
    readonly unitOrgId: string,
    readonly current: number,
    readonly requested: number,
  ) {
    super(
      'ShardCountInvalid',
      `${unitOrgId} has ${current} shards; ${requested} is not a count it can grow to`,
    );
  }
}

export class SubmitContention extends PersistenceError {
  constructor(
    readonly unitOrgId: string,
    options?: { cause?: unknown },
  ) {
    super('SubmitContention', `submission to ${unitOrgId} did not settle`, options);
  }
}

/**
 * A place could not be handed on yet: an earlier receipt's waitlist join is still being written (or
 * its function stopped, until the repair pass gives its slot back). Tried again; answered 429 when it
 * does not settle.
 */
export class JoinsInFlight extends PersistenceError {
  constructor(readonly unitOrgId: string) {
    super('JoinsInFlight', `a waitlist join of ${unitOrgId} is not settled yet`);
  }
}

export class ApplicationNotFound extends PersistenceError {
  constructor(readonly applicationId: string) {
    super('ApplicationNotFound', `application ${applicationId} not found`);
  }
}

/** The application is not in a state the release may start from (or no longer at the expected step). */
export class ApplicationNotInState extends PersistenceError {
  constructor(
    readonly applicationId: string,
    readonly status: string,
  ) {
    super('ApplicationNotInState', `application ${applicationId} is ${status}`);
  }
}

/** A run holds or has paid a payment of the application: its place is tied to it for good. */
export class PaymentsHeld extends PersistenceError {
  constructor(readonly applicationId: string) {
    super('PaymentsHeld', `application ${applicationId} has payments or transfers held`);
  }
}

/** R15: a reallocation would leave the source unit fewer places than it has holders. */
export class PlacesInUse extends PersistenceError {
  constructor(
    readonly unitOrgId: string,
    readonly places: number,
  ) {
    super('PlacesInUse', `unit ${unitOrgId} cannot give ${places} places`);
  }
}

/** An edit of a programme someone else edited since it was read (optimistic locking). */
export class ProgrammeChanged extends PersistenceError {
  constructor(
    readonly programmeId: string,
    options?: { cause?: unknown },
  ) {
    super('ProgrammeChanged', `programme ${programmeId} changed since it was read`, options);
  }
}

/** A page token that is not one this access pattern issued for this partition. */
export class InvalidPageToken extends PersistenceError {
  constructor() {
    super('InvalidPageToken', 'page token does not belong to this query');
  }
}

/** Why a run could not be recorded: another run of the programme is still open. */
export class PayoutRunOpen extends PersistenceError {
  constructor(readonly openRunId: string) {
    super('PayoutRunOpen', `payout run ${openRunId} is still open`);
  }
}

/**
 * A catalogue record (issue 16) someone else changed since it was read, or an import one of whose
 * offerings was created or changed meanwhile (optimistic locking).
 */
export class CatalogueChanged extends PersistenceError {
  constructor(
    readonly entity: 'institution' | 'offering' | 'import',
    readonly id: string,
    options?: { cause?: unknown },
  ) {
    super('CatalogueChanged', `${entity} ${id} changed since it was read`, options);
  }
}

/** A registration already decided (or never there) when a decision arrived. */
export class RegistrationNotPending extends PersistenceError {
  constructor(
    readonly registrationId: string,
    options?: { cause?: unknown },
  ) {
    super('RegistrationNotPending', `registration ${registrationId} is not pending`, options);
  }
}

/** A membership to remove that does not exist. */
export class MembershipNotFound extends PersistenceError {
  constructor(
    readonly sub: string,
    readonly orgId: string,
    options?: { cause?: unknown },
  ) {
    super('MembershipNotFound', `${sub} holds no membership of ${orgId}`, options);
  }
}
