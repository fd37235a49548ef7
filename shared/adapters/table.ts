/**
 * The one DynamoDB table (architecture.md §6). This definition is the single source for the CDK table and
 * for the table DynamoDB Local gets from `npm start` and the tests.
 *
 * Key design — every item's keys are built by a function in `keys.ts`, named after its access pattern:
 *
 * | item                   | pk                                | sk                      | gsi1 (pk / sk)                        |
 * |------------------------|-----------------------------------|-------------------------|---------------------------------------|
 * | organisation           | ORG#{orgId}                       | ORG                     | ORGCHILDREN#{parentId} / ORG#{orgId}  |
 * | programme              | PROGRAMME#{programmeId}           | PROGRAMME               | PROGRAMMES / {year}#{programmeId}     |
 * | allocation unit        | PROGRAMME#{programmeId}           | ALLOC#{unitOrgId}       |                                       |
 * | allocation shard k > 0 | PROGRAMME#{programmeId}           | ALLOC#{unitOrgId}#{k}   |                                       |
 * | receipt counter (unit) | RECEIPTS#{programmeId}#{unitOrgId}| RECEIPTS                |                                       |
 * | receipt counter shard  | RECEIPTS#{programmeId}#{unitOrgId}#{k} | RECEIPTS           |                                       |
 * | application            | APP#{applicationId}               | APP                     | WORKER#{sub} / {createdAt}#{id}       |
 * | attachment             | APP#{applicationId}               | ATT#{attachmentId}      |                                       |
 * | timeline event         | APP#{applicationId}               | EVENT#{at}#{n}          |                                       |
 * | person + level (R8)    | PERSON#{idHash}                   | LEVEL#{level}           |                                       |
 * | account + programme    | ACCOUNT#{sub}                     | PROGRAMME#{programmeId} |                                       |
 * | account's live drafts  | ACCOUNT#{sub}                     | DRAFTS                  |                                       |
 * | waitlist entry         | WAITLIST#{programmeId}#{unitOrgId}| {sequence, 12 digits}   |                                       |
 * | calendar transition    | PROGRAMME#{programmeId}           | CALENDAR#{transitionId} |                                       |
 * | batch report           | PROGRAMME#{programmeId}           | REPORT#{batchId}        |                                       |
 * | payout due             | PROGRAMME#{programmeId}           | PAYOUTDUE#{batchId}     |                                       |
 * | payout run             | RUN#{runId}                       | RUN                     | RUNS#{programmeId} / {createdAt}#{runId} |
 * | payout instruction     | RUN#{runId}                       | PAGE#{T|P}#{page}#{n}   |                                       |
 * | payout hold (a key a run holds or paid) | PAYOUTS#{programmeId} | HOLD#{key}   |                                       |
 * | programme's open run   | PAYOUTS#{programmeId}             | OPENRUN                 |                                       |
 * | worker payment (R14)   | APP#{applicationId}               | PAY#{key}               |                                       |
 * | bank file line         | RUN#{runId}                       | BANKLINE#{payerOrgId}#{key} |                                   |
 * | run audit (download)   | RUN#{runId}                       | AUDIT#{at}#{n}          |                                       |
 * | export audit (Excel)   | AUDIT#{orgId}                     | EXPORT#{at}#{n}         |                                       |
 * | sandbox rail ledger    | SANDBOX#{key}                     | LEDGER                  |                                       |
 * | notification           | NOTIFY#{orgId}                    | {programmeId}#{transId} | NOTIFY#pending / {createdAt}#… (unsent)|
 * | SMS outbox (worker)    | APP#{applicationId}               | NOTIFY#{notificationId} | OUTBOX#due / {dueAt}#{id} (deferred)  |
 * | SMS outbox (reviewer)  | ACCOUNT#{sub}                     | NOTIFY#{notificationId} | OUTBOX#due / {dueAt}#{id} (deferred)  |
 * | SMS daily count (cap)  | SMSCAP#{phoneHash}                | {day}                   |                                       |
 * | reviewer contact       | ACCOUNT#{sub}                     | CONTACT                 | ORGCONTACTS#{orgId} / {sub}           |
 * | reviewers' daily count | PROGRAMME#{programmeId}           | DAILYCOUNT#{day}#{orgId}|                                       |
 * | institution (合作院校)  | INSTITUTION#{code}                | INSTITUTION             |                                       |
 * | offering (专业)         | CATALOGUE#{programmeId}           | OFFERING#{offeringId}   | INSTOFFERINGS#{code} / {programmeId}#{offeringId} |
 * | membership (role in an org) | ACCOUNT#{sub}                | MEMBER#{orgId}          | ORGMEMBERS#{orgId} / MEMBER#{sub}     |
 * | account by verified phone | PHONE#{phoneHash}               | ACCOUNT                 |                                       |
 * | org registration (R12)  | ORGREG#{registrationId}          | ORGREG                  | ORGREGS#{parentId} / {status}#{createdAt}#{id} |
 * | credit code (统一社会信用代码) | CREDITCODE#{code}         | CREDITCODE              |                                       |
 * | org audit (people)      | ORG#{orgId}                       | AUDIT#{at}#{n}          |                                       |
 *
 * | (offering, cont.)     | gsi2: OFFERED#{programmeId} / {level}#{code}#{major}#{offeringId} — only while offered (not retired) |
 *
 * | (application, cont.)  | gsi2: REVIEW#{programmeId}#{currentOrgId} / {sequence} — only while awaiting that org |
 * | (application, cont.)  | gsi3: APPS#{programmeId}#{status} / {sequence} — every submitted application           |
 * | (SMS outbox, cont.)   | gsi3: NOTIFICATIONS#{programmeId} / {createdAt}#{id} — the admin's list of a programme |
 *
 * The waitlist lives in the base table, not an index: promotion must read the earliest waiting
 * applicant with a strongly consistent query, which a GSI cannot give. `gsi2` is the review queue
 * (sparse: an application leaves it when decided or returned); `gsi3` lists a programme's
 * applications by status (lapsing undecided ones, planning payouts, and the console's list of a
 * programme's applications: one query per status, merged in receipt order).
 * Offerings (issue 16) overload `gsi2` as the public catalogue list (sparse: retiring an offering
 * removes it) and `gsi1` as an institution's offerings; counts per institution and offering read `gsi3`.
 * Memberships (issue 12) live in the account's partition, so the one read a request acting for an org
 * pays is a query of `ACCOUNT#{sub}` / `MEMBER#`; `gsi1` lists an org's members and a parent's
 * registrations.
 * The SMS outbox (issue 17) is delivered from the table's stream (`stream`, new images): an outbox item
 * is written in the transaction of the event it tells of, so none is lost and none is sent for an event
 * that did not commit.
 */

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  globalSecondaryIndexes: IndexDefinition[];
  timeToLiveAttribute: string;
  /** The table's stream: the SMS outbox is delivered from it (architecture.md §9). */
  stream: 'NEW_IMAGE';
}

const gsi = (n: number): IndexDefinition => ({
  indexName: `gsi${n}`,
  partitionKey: { name: `gsi${n}pk`, type: 'S' },
  sortKey: { name: `gsi${n}sk`, type: 'S' },
});

export const tableDefinition: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [gsi(1), gsi(2), gsi(3)],
  timeToLiveAttribute: 'expiresAt',
  stream: 'NEW_IMAGE',
};

/**
 * The same definition as a `CreateTable` request, for DynamoDB Local. `stream: false` leaves the
 * stream out, for a local stack nothing reads it from: DynamoDB Local keeps every stream record of the
 * process and slows down as they pile up, even for tables already deleted.
 */
export function createTableInput(tableName: string, options: { stream?: boolean } = {}) {
  const attributes = new Map<string, KeyAttribute>();
  for (const key of [
    tableDefinition.partitionKey,
    tableDefinition.sortKey,
    ...tableDefinition.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]) {
    attributes.set(key.name, key);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    ...(options.stream === false
      ? {}
      : { StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream } }),
    AttributeDefinitions: [...attributes.values()].map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: tableDefinition.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey.name, KeyType: 'HASH' as const },
        { AttributeName: i.sortKey.name, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
