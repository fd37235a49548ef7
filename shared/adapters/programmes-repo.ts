import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Allocation, AllocationState, Programme, ProgrammeChanges } from '../model/programme.ts';
import { channelObserver, type Observer } from '../observer.ts';
import { updateExpression } from './expressions.ts';
import {
  ALLOCATION_PREFIX,
  allocationKey,
  programmeKey,
  programmeListIndex,
  programmePartition,
} from './keys.ts';
import { ItemAlreadyExists, ProgrammeChanged } from './persistence-errors.ts';
import { queryAll } from './query.ts';
import { transactIf, writeIf } from './writes.ts';

export interface ProgrammeWithAllocations {
  programme: Programme;
  allocations: AllocationState[];
  /** Bumped by every edit of the programme (optimistic locking); 0 as published. */
  revision: number;
  /** The programme calendar's running execution (architecture.md §4), once started. */
  calendarExecution: string | undefined;
}

/**
 * What a submit checks of a programme (R3, R4, R10): its window and terms, without its units. They
 * change only when an admin edits the programme, never in a rush.
 */
export type ProgrammeTerms = Omit<Programme, 'allocations'>;

/**
 * How old a programme's terms may be when a submit reads them from its container's memory
 * ({@link ProgrammeRepository.terms}): an edit made through another function reaches submits at most
 * this much later.
 */
export const PROGRAMME_TERMS_MAX_AGE_MS = 5_000;

/**
 * Programme terms this process has read, by table and programme id (per container in Lambda; the
 * local stack's one process shares it between its functions, so an edit there is seen at once). The
 * read is kept as a promise, so that submits arriving together in a cold process share one.
 */
const termsRead = new Map<string, { at: number; terms: Promise<ProgrammeTerms | undefined> }>();
const termsKey = (tableName: string, programmeId: string) => `${tableName}|${programmeId}`;

function rememberTerms(key: string, terms: Promise<ProgrammeTerms | undefined>): void {
  const entry = { at: performance.now(), terms };
  termsRead.set(key, entry);
  // Neither a failed read nor a programme not found is kept: the next submit reads again.
  const forget = () => {
    if (termsRead.get(key) === entry) termsRead.delete(key);
  };
  terms.then((found) => {
    if (!found) forget();
  }, forget);
}

/** Programmes and their allocation units, kept together in one partition. */
export class ProgrammeRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly observer: Observer = channelObserver,
  ) {}

  /** The programme and the live counters of every unit, in one query. */
  async get(programmeId: string): Promise<ProgrammeWithAllocations | undefined> {
    const items = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': programmePartition(programmeId) },
      ConsistentRead: true,
    });
    const head = items.find((i) => i.sk === programmeKey(programmeId).sk);
    if (!head) return undefined;
    const allocationItems = items.filter(
      (i) => typeof i.sk === 'string' && i.sk.startsWith(ALLOCATION_PREFIX),
    );
    // A sharded unit's other shards (architecture.md §3) fold into it: the unit is one.
    const shards = allocationItems.filter((i) => i.type === 'allocation_shard');
    const allocations = allocationItems
      .filter((i) => i.type !== 'allocation_shard')
      .sort((a, b) => (a.order as number) - (b.order as number))
      .map((i) => toAllocationState(i, shards));
    const programme = toProgramme(head, allocations);
    rememberTerms(termsKey(this.tableName, programmeId), Promise.resolve(withoutUnits(programme)));
    return {
      programme,
      allocations,
      revision: (head.revision as number | undefined) ?? 0,
      calendarExecution: (head.calendarExecution as string | undefined) ?? undefined,
    };
  }

  /**
   * The programme's terms as a submit checks them, from this container's memory when they were read
   * less than `maxAgeMs` ago ({@link PROGRAMME_TERMS_MAX_AGE_MS}), else from the programme's own item.
   * No unit counter is in them: a rush of submits reads each its own unit's allocation item instead of
   * the programme's whole partition (architecture.md §3), which would cap a programme at what one
   * partition serves.
   */
  async terms(
    programmeId: string,
    maxAgeMs = PROGRAMME_TERMS_MAX_AGE_MS,
  ): Promise<ProgrammeTerms | undefined> {
    const key = termsKey(this.tableName, programmeId);
    const held = termsRead.get(key);
    if (held && performance.now() - held.at < maxAgeMs) return held.terms;
    const read = this.db
      .send(
        new GetCommand({ TableName: this.tableName, Key: programmeKey(programmeId), ConsistentRead: true }),
      )
      .then((out) => (out.Item ? withoutUnits(toProgramme(out.Item, [])) : undefined));
    rememberTerms(key, read);
    return read;
  }

  async list(): Promise<Programme[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': programmeListIndex().gsi1pk },
      ScanIndexForward: false,
    });
    return items.map((i) => toProgramme(i, []));
  }

  /** Publishes a programme and its allocation units atomically; {@link ItemAlreadyExists} on a taken id. */
  async create(programme: Programme): Promise<void> {
    const { allocations, ...head } = programme;
    const created = await transactIf(
      this.db,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...programmeKey(programme.id),
              ...programmeListIndex(programme.year, programme.id),
              type: 'programme',
              ...head,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...allocations.map((allocation, order) => ({
          Put: {
            TableName: this.tableName,
            Item: {
              ...allocationKey(programme.id, allocation.unitOrgId),
              type: 'allocation',
              programmeId: programme.id,
              order,
              ...allocation,
              claimed: 0,
              waitlisted: 0,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
      ],
      this.observer,
    );
    termsRead.delete(termsKey(this.tableName, programme.id));
    if (!created) throw new ItemAlreadyExists('programme', programme.id);
  }

  /** R6: replaces the funding shares of one unit's allocation (the unit's place counters stay as they are). */
  async setFunding(programmeId: string, unitOrgId: string, funding: Allocation['funding']): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: allocationKey(programmeId, unitOrgId),
        UpdateExpression: 'SET funding = :funding',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':funding': funding },
      }),
    );
  }

  /**
   * Saves an edit of the programme if nobody else edited it since `expectedRevision` was read
   * ({@link ProgrammeChanged} otherwise) and returns the new revision.
   */
  async update(programmeId: string, changes: ProgrammeChanges, expectedRevision: number, at: string) {
    const saved = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: programmeKey(programmeId),
          ...updateExpression(
            { set: { ...changes, updatedAt: at, revision: expectedRevision + 1 } },
            {
              condition:
                expectedRevision === 0
                  ? 'attribute_exists(pk) AND (attribute_not_exists(#revision) OR #revision = :expected)'
                  : 'attribute_exists(pk) AND #revision = :expected',
              names: { '#revision': 'revision' },
              values: { ':expected': expectedRevision },
            },
          ),
        }),
      ),
    );
    termsRead.delete(termsKey(this.tableName, programmeId));
    if (!saved) throw new ProgrammeChanged(programmeId);
    return expectedRevision + 1;
  }

  /** Records the calendar execution that now runs for the programme. */
  async setCalendarExecution(programmeId: string, executionId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: programmeKey(programmeId),
        UpdateExpression: 'SET calendarExecution = :id',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':id': executionId },
      }),
    );
  }

  /**
   * Hands the calendar from one execution to its successor, unless the programme has meanwhile
   * moved on to another one (an edit restarted it): returns whether the hand-over was recorded.
   */
  async replaceCalendarExecution(programmeId: string, from: string, to: string): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: programmeKey(programmeId),
          UpdateExpression: 'SET calendarExecution = :to',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(calendarExecution) OR calendarExecution IN (:from, :to))',
          ExpressionAttributeValues: { ':from': from, ':to': to },
        }),
      ),
    );
  }
}

function toAllocationState(
  item: Record<string, unknown>,
  shards: Record<string, unknown>[],
): AllocationState {
  const mine = shards.filter((s) => s.unitOrgId === item.unitOrgId);
  const sum = (key: 'places' | 'claimed') =>
    mine.reduce((n, s) => n + (s[key] as number), item[key] as number);
  return {
    programmeId: item.programmeId as string,
    unitOrgId: item.unitOrgId as string,
    places: sum('places'),
    funding: item.funding as Allocation['funding'],
    claimed: sum('claimed'),
    waitlisted: item.waitlisted as number,
    ...(typeof item.shards === 'number' && item.shards > 1 ? { shards: item.shards } : {}),
  };
}

function withoutUnits(programme: Programme): ProgrammeTerms {
  const { allocations: _units, ...terms } = programme;
  return terms;
}

function toProgramme(item: Record<string, unknown>, allocations: AllocationState[]): Programme {
  return {
    id: item.id as string,
    title: item.title as string,
    ownerOrgId: item.ownerOrgId as string,
    year: item.year as number,
    enrolmentYear: item.enrolmentYear as number,
    applicationWindow: item.applicationWindow as Programme['applicationWindow'],
    reviewBatches: item.reviewBatches as Programme['reviewBatches'],
    levels: item.levels as Programme['levels'],
    allocations: allocations.map(({ unitOrgId, places, funding }) => ({ unitOrgId, places, funding })),
    allocationPolicy: (item.allocationPolicy as Programme['allocationPolicy']) ?? 'first_come_first_served',
    ...(Array.isArray(item.topUps) ? { topUps: item.topUps as NonNullable<Programme['topUps']> } : {}),
    ...(item.contacts ? { contacts: item.contacts as NonNullable<Programme['contacts']> } : {}),
    ...(typeof item.catalogueRequired === 'boolean' ? { catalogueRequired: item.catalogueRequired } : {}),
    createdAt: item.createdAt as string,
  };
}
