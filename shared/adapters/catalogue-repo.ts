import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { majorKey, OFFERING_ID_PATTERN, offeringSearchText } from '../domain/catalogue.ts';
import { cancellationReasons, isConditionFailed } from './errors.ts';
import {
  cataloguePartition,
  institutionKey,
  institutionOfferingsIndex,
  OFFERED_INDEX_ATTRIBUTES,
  OFFERING_PREFIX,
  offeredIndex,
  offeringKey,
} from './keys.ts';
import { queryAll } from './query.ts';
import { retryConflicts } from './retry.ts';

/** A partner institution as stored (合作院校); its id is its 学校标识码. */
export interface InstitutionRecord {
  id: string;
  code: string;
  name: string;
  kind: string;
  city?: string;
  contacts: { name: string; phone: string; role?: string }[];
  ownerOrgId: string;
  createdAt: string;
  updatedAt?: string;
  version: number;
}

/** An offering (专业) of a programme's catalogue as stored, with its institution's name and code. */
export interface OfferingRecord {
  offeringId: string;
  programmeId: string;
  institutionId: string;
  institutionName: string;
  institutionCode: string;
  major: string;
  level: string;
  mode: string;
  years: number;
  tuitionFen: number;
  tags: string[];
  unitOrgId?: string;
  addedByOrgId: string;
  status: 'offered' | 'retired';
  createdAt: string;
  updatedAt?: string;
  retiredAt?: string;
  version: number;
}

/** Filters of the public list: `prefix` is a key condition, the rest are filters on the page read. */
export interface OfferedFilter {
  level?: string | undefined;
  institutionId?: string | undefined;
  mode?: string | undefined;
  tag?: string | undefined;
  /** Normalised search text (`normaliseSearch`). */
  q?: string | undefined;
  unitOrgId?: string | undefined;
}

// Typed errors: the service maps each to the contract's answer.

/** An institution with that 学校标识码 is already registered. */
export class InstitutionExists extends Error {
  override readonly name = 'InstitutionExists';
}
/** The offering (same institution, major, level, mode and scope) is already in the catalogue. */
export class OfferingExists extends Error {
  override readonly name = 'OfferingExists';
}
/** The record changed (or went) since it was read: the caller should read it again. */
export class CatalogueChanged extends Error {
  override readonly name = 'CatalogueChanged';
}
/** A page cursor this list did not issue, or issued for other filters. */
export class InvalidCatalogueCursor extends Error {
  override readonly name = 'InvalidCatalogueCursor';
}

/** Transactions hold at most 100 writes (DynamoDB's limit). */
const TRANSACTION_ITEMS = 100;
/** Items read per query while filling one page of the public list; pages stop after a few such reads. */
const PAGE_READ = 100;
const MAX_PAGE_READS = 5;

/** Partner institutions and programmes' catalogues of offerings. */
export class CatalogueRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getInstitution(institutionId: string): Promise<InstitutionRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: institutionKey(institutionId), ConsistentRead: true }),
    );
    return out.Item ? toInstitution(out.Item) : undefined;
  }

  /** Many institutions at once (BatchGet, unprocessed keys retried). */
  async institutions(institutionIds: readonly string[]): Promise<Map<string, InstitutionRecord>> {
    const found = new Map<string, InstitutionRecord>();
    const unique = [...new Set(institutionIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map(institutionKey);
      for (let attempt = 0; keys && keys.length > 0 && attempt < 8; attempt++) {
        const out: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const institution = toInstitution(item);
          found.set(institution.id, institution);
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
        if (keys && keys.length > 0) await new Promise((r) => setTimeout(r, 2 ** attempt * 20));
      }
    }
    return found;
  }

  /** @throws InstitutionExists when the code is registered already. */
  async createInstitution(institution: InstitutionRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: institutionItem(institution),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw new InstitutionExists(institution.id, { cause: err });
      throw err;
    }
  }

  /**
   * Saves a corrected institution if nobody changed it since it was read, then carries its name to
   * every offering listing it (the public list shows and searches the name without a second read).
   *
   * @throws CatalogueChanged when it changed meanwhile.
   */
  async updateInstitution(institution: InstitutionRecord, expectedVersion: number): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: institutionItem({ ...institution, version: expectedVersion + 1 }),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': expectedVersion },
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw new CatalogueChanged(institution.id, { cause: err });
      throw err;
    }
    for (const offering of await this.offeringsOfInstitution(institution.id)) {
      if (offering.institutionName === institution.name) continue;
      const renamed = { ...offering, institutionName: institution.name };
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: offeringKey(offering.programmeId, offering.offeringId),
          UpdateExpression: 'SET institutionName = :name, searchText = :search',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':name': institution.name, ':search': offeringSearchText(renamed) },
        }),
      );
    }
  }

  /** Every offering of an institution across programmes (gsi1): which programmes list it. */
  async offeringsOfInstitution(institutionId: string): Promise<OfferingRecord[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': institutionOfferingsIndex(institutionId).gsi1pk },
    });
    return items.map(toOffering);
  }

  async getOffering(programmeId: string, offeringId: string): Promise<OfferingRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: offeringKey(programmeId, offeringId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? toOffering(out.Item) : undefined;
  }

  /** Every offering of a programme's catalogue, offered or retired (strongly consistent). */
  async catalogue(programmeId: string): Promise<OfferingRecord[]> {
    const items = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': cataloguePartition(programmeId), ':prefix': OFFERING_PREFIX },
      ConsistentRead: true,
    });
    return items.map(toOffering);
  }

  /** @throws OfferingExists when the same offering is listed already. */
  async createOffering(offering: OfferingRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: offeringItem(offering),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw new OfferingExists(offering.offeringId, { cause: err });
      throw err;
    }
  }

  /**
   * Saves an edited offering (years, tuition, tags) if nobody changed it since it was read.
   *
   * @throws CatalogueChanged when it changed meanwhile.
   */
  async updateOffering(offering: OfferingRecord, expectedVersion: number): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: offeringItem({ ...offering, version: expectedVersion + 1 }),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': expectedVersion },
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw new CatalogueChanged(offering.offeringId, { cause: err });
      throw err;
    }
  }

  /**
   * Retires an offering: it leaves the public list and can no longer be chosen, while applications
   * naming it keep it (nothing an application points to is ever deleted). Retiring twice is a no-op.
   */
  async retireOffering(programmeId: string, offeringId: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: offeringKey(programmeId, offeringId),
          UpdateExpression: `SET #status = :retired, retiredAt = :at, updatedAt = :at ADD version :one REMOVE ${OFFERED_INDEX_ATTRIBUTES.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #status = :offered',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':retired': 'retired', ':offered': 'offered', ':at': at, ':one': 1 },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }

  /**
   * Writes an import checked whole beforehand: new institutions first (each put only if absent, so
   * two imports naming one new institution both succeed), then the offerings in transactions of 100,
   * each create conditional on absence and each update on the version read.
   *
   * @throws CatalogueChanged when an offering was created or changed by someone else meanwhile.
   */
  async writeImport(plan: {
    institutions: readonly InstitutionRecord[];
    creates: readonly OfferingRecord[];
    updates: readonly OfferingRecord[];
  }): Promise<void> {
    for (const institution of plan.institutions) {
      await this.createInstitution(institution).catch((err: unknown) => {
        if (!(err instanceof InstitutionExists)) throw err;
      });
    }
    const writes = [
      ...plan.creates.map((o) => ({
        Put: {
          TableName: this.tableName,
          Item: offeringItem(o),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
      ...plan.updates.map((o) => ({
        Put: {
          TableName: this.tableName,
          Item: offeringItem({ ...o, version: o.version + 1 }),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': o.version },
        },
      })),
    ];
    for (let i = 0; i < writes.length; i += TRANSACTION_ITEMS) {
      const chunk = writes.slice(i, i + TRANSACTION_ITEMS);
      try {
        await retryConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: chunk })));
      } catch (err) {
        if (cancellationReasons(err)?.includes('ConditionalCheckFailed')) {
          throw new CatalogueChanged('import', { cause: err });
        }
        throw err;
      }
    }
  }

  /**
   * One page of what a programme offers now, from the sparse offered index (never a scan): the level
   * and institution narrow the key range, the other filters apply to the items read. Reads at most a
   * few hundred items for a page; `next` is where the following page starts.
   */
  async offeredPage(
    programmeId: string,
    filter: OfferedFilter,
    limit: number,
    start: Record<string, string> | undefined,
  ): Promise<{ items: OfferingRecord[]; next: Record<string, string> | undefined }> {
    const prefix = offeredPrefix(filter);
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': offeredIndex(programmeId).gsi2pk };
    if (prefix) values[':prefix'] = prefix;
    if (filter.institutionId && !filter.level) {
      conditions.push('institutionId = :institution');
      values[':institution'] = filter.institutionId;
    }
    if (filter.mode) {
      conditions.push('#mode = :mode');
      names['#mode'] = 'mode';
      values[':mode'] = filter.mode;
    }
    if (filter.tag) {
      conditions.push('contains(tags, :tag)');
      values[':tag'] = filter.tag;
    }
    if (filter.q) {
      conditions.push('contains(searchText, :q)');
      values[':q'] = filter.q;
    }
    if (filter.unitOrgId) {
      conditions.push('(attribute_not_exists(unitOrgId) OR unitOrgId = :unit)');
      values[':unit'] = filter.unitOrgId;
    }
    const items: OfferingRecord[] = [];
    let startKey: Record<string, unknown> | undefined = start;
    for (let read = 0; read < MAX_PAGE_READS; read++) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: prefix ? 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)' : 'gsi2pk = :pk',
          ...(conditions.length > 0 ? { FilterExpression: conditions.join(' AND ') } : {}),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          Limit: PAGE_READ,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (items.length === limit) {
          // More matched than the page holds: the next page starts after the last one returned.
          const last = items[items.length - 1] as OfferingRecord;
          return { items, next: offeredKeyOf(last) };
        }
        items.push(toOffering(item));
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) return { items, next: undefined };
      if (items.length === limit) break;
    }
    const last = items[items.length - 1];
    // A page cut short by the read bound resumes where the reads stopped, not after the last match.
    return { items, next: last && items.length === limit ? offeredKeyOf(last) : stringKey(startKey) };
  }
}

/** The key-condition prefix of a filter: a level, or a level and an institution. */
export function offeredPrefix(filter: Pick<OfferedFilter, 'level' | 'institutionId'>): string {
  if (!filter.level) return '';
  return filter.institutionId ? `${filter.level}#${filter.institutionId}#` : `${filter.level}#`;
}

function offeredKeyOf(o: OfferingRecord): Record<string, string> {
  return {
    ...offeringKey(o.programmeId, o.offeringId),
    ...(offeredIndex(o.programmeId, {
      level: o.level,
      institutionId: o.institutionId,
      majorKey: majorKey(o.major),
      offeringId: o.offeringId,
    }) as { gsi2pk: string; gsi2sk: string }),
  };
}

function stringKey(key: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!key) return undefined;
  return Object.fromEntries(Object.entries(key).map(([k, v]) => [k, String(v)]));
}

/**
 * The public list's cursor: where the next page starts in the offered index — the offering and its
 * index sort key, base64url JSON. It is not signed (the public function holds no key, and keeps its
 * cold start free of KMS): the partition is rebuilt from the path, so a cursor can only move within
 * the programme's public list, and it is accepted only in the shape this list issues.
 */
export function encodeOfferedCursor(key: Record<string, string>): string {
  const offeringId = key.sk?.slice(OFFERING_PREFIX.length) ?? '';
  return Buffer.from(JSON.stringify({ o: offeringId, s: key.gsi2sk ?? '' })).toString('base64url');
}

/**
 * Reads a cursor back into the start key of a page of `programmeId`'s list with `filter`.
 *
 * @throws InvalidCatalogueCursor for anything {@link encodeOfferedCursor} did not write for this list
 *   (a start key outside the query's key range would be refused by DynamoDB).
 */
export function decodeOfferedCursor(
  programmeId: string,
  cursor: string,
  filter: Pick<OfferedFilter, 'level' | 'institutionId'>,
): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]{1,1400}$/.test(cursor)
      ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
      : undefined;
  } catch {
    parsed = undefined;
  }
  const { o, s } = (parsed ?? {}) as { o?: unknown; s?: unknown };
  const valid =
    typeof o === 'string' &&
    typeof s === 'string' &&
    OFFERING_ID_PATTERN.test(o) &&
    s.length <= 400 &&
    s.isWellFormed() &&
    s.endsWith(`#${o}`) &&
    /^(?:junior_college|bachelor)#\d{10}#/.test(s) &&
    s.startsWith(offeredPrefix(filter));
  if (!valid) throw new InvalidCatalogueCursor('invalid cursor');
  return {
    ...offeringKey(programmeId, o),
    gsi2pk: offeredIndex(programmeId).gsi2pk,
    gsi2sk: s,
  };
}

function institutionItem(i: InstitutionRecord) {
  return { ...institutionKey(i.id), type: 'institution', ...i };
}

function offeringItem(o: OfferingRecord) {
  return {
    ...offeringKey(o.programmeId, o.offeringId),
    ...institutionOfferingsIndex(o.institutionId, o.programmeId, o.offeringId),
    // Sparse: only an offering still offered is in the public list.
    ...(o.status === 'offered'
      ? offeredIndex(o.programmeId, {
          level: o.level,
          institutionId: o.institutionId,
          majorKey: majorKey(o.major),
          offeringId: o.offeringId,
        })
      : {}),
    type: 'offering',
    searchText: offeringSearchText(o),
    ...o,
  };
}

function toInstitution(item: Record<string, unknown>): InstitutionRecord {
  return {
    id: item.id as string,
    code: item.code as string,
    name: item.name as string,
    kind: item.kind as string,
    ...(typeof item.city === 'string' ? { city: item.city } : {}),
    contacts: (item.contacts as InstitutionRecord['contacts'] | undefined) ?? [],
    ownerOrgId: item.ownerOrgId as string,
    createdAt: item.createdAt as string,
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    version: (item.version as number | undefined) ?? 0,
  };
}

function toOffering(item: Record<string, unknown>): OfferingRecord {
  return {
    offeringId: item.offeringId as string,
    programmeId: item.programmeId as string,
    institutionId: item.institutionId as string,
    institutionName: item.institutionName as string,
    institutionCode: item.institutionCode as string,
    major: item.major as string,
    level: item.level as string,
    mode: item.mode as string,
    years: item.years as number,
    tuitionFen: item.tuitionFen as number,
    tags: (item.tags as string[] | undefined) ?? [],
    ...(typeof item.unitOrgId === 'string' ? { unitOrgId: item.unitOrgId } : {}),
    addedByOrgId: item.addedByOrgId as string,
    status: item.status === 'retired' ? 'retired' : 'offered',
    createdAt: item.createdAt as string,
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    ...(typeof item.retiredAt === 'string' ? { retiredAt: item.retiredAt } : {}),
    version: (item.version as number | undefined) ?? 0,
  };
}
