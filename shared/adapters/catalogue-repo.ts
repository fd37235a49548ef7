import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { majorKey, OFFERING_ID_PATTERN, offeringSearchText } from '../domain/catalogue.ts';
import type { InstitutionRecord, OfferingRecord } from '../model/catalogue.ts';
import { channelObserver, type Observer } from '../observer.ts';
import { batchGetAll, chunks } from './batch.ts';
import { isAnyConditionFailed } from './errors.ts';
import { updateExpression } from './expressions.ts';
import {
  cataloguePartition,
  institutionKey,
  institutionOfferingsIndex,
  OFFERED_INDEX_ATTRIBUTES,
  OFFERING_PREFIX,
  offeredIndex,
  offeringKey,
} from './keys.ts';
import type { PageToken } from './page.ts';
import { CatalogueChanged, InvalidPageToken, ItemAlreadyExists } from './persistence-errors.ts';
import { queryAll } from './query.ts';
import { transactWithRetry } from './retry.ts';
import { writeIf } from './writes.ts';

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

/** Items read per query while filling one page of the public list; pages stop after a few such reads. */
const PAGE_READ = 100;
const MAX_PAGE_READS = 5;

/** Partner institutions and programmes' catalogues of offerings. */
export class CatalogueRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly observer: Observer = channelObserver,
  ) {}

  async getInstitution(institutionId: string): Promise<InstitutionRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: institutionKey(institutionId), ConsistentRead: true }),
    );
    return out.Item ? toInstitution(out.Item) : undefined;
  }

  /** Many institutions at once (BatchGet, unprocessed keys retried). */
  async institutions(institutionIds: readonly string[]): Promise<Map<string, InstitutionRecord>> {
    const items = await batchGetAll(this.db, this.tableName, institutionIds.map(institutionKey), {
      consistent: true,
    });
    return new Map(items.map((item) => [item.id as string, toInstitution(item)]));
  }

  /** @throws ItemAlreadyExists when the code is registered already. */
  async createInstitution(institution: InstitutionRecord): Promise<void> {
    const created = await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: institutionItem(institution),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!created) throw new ItemAlreadyExists('institution', institution.id);
  }

  /**
   * Saves a corrected institution if nobody changed it since it was read, then carries its name to
   * every offering listing it (the public list shows and searches the name without a second read).
   *
   * @throws CatalogueChanged when it changed meanwhile.
   */
  async updateInstitution(institution: InstitutionRecord, expectedVersion: number): Promise<void> {
    const saved = await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: institutionItem({ ...institution, version: expectedVersion + 1 }),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': expectedVersion },
        }),
      ),
    );
    if (!saved) throw new CatalogueChanged('institution', institution.id);
    for (const offering of await this.offeringsOfInstitution(institution.id)) {
      if (offering.institutionName === institution.name) continue;
      const renamed = { ...offering, institutionName: institution.name };
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: offeringKey(offering.programmeId, offering.offeringId),
          ...updateExpression(
            { set: { institutionName: institution.name, searchText: offeringSearchText(renamed) } },
            { condition: 'attribute_exists(pk)' },
          ),
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

  /** @throws ItemAlreadyExists when the same offering is listed already. */
  async createOffering(offering: OfferingRecord): Promise<void> {
    const created = await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: offeringItem(offering),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!created) throw new ItemAlreadyExists('offering', offering.offeringId);
  }

  /**
   * Saves an edited offering (years, tuition, tags) if nobody changed it since it was read.
   *
   * @throws CatalogueChanged when it changed meanwhile.
   */
  async updateOffering(offering: OfferingRecord, expectedVersion: number): Promise<void> {
    const saved = await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: offeringItem({ ...offering, version: expectedVersion + 1 }),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': expectedVersion },
        }),
      ),
    );
    if (!saved) throw new CatalogueChanged('offering', offering.offeringId);
  }

  /**
   * Retires an offering: it leaves the public list and can no longer be chosen, while applications
   * naming it keep it (nothing an application points to is ever deleted). Retiring twice is a no-op.
   */
  async retireOffering(programmeId: string, offeringId: string, at: string): Promise<void> {
    // A failed condition is an offering retired already (or none): nothing to do.
    await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: offeringKey(programmeId, offeringId),
          ...updateExpression(
            {
              set: { status: 'retired', retiredAt: at, updatedAt: at },
              add: { version: 1 },
              remove: OFFERED_INDEX_ATTRIBUTES,
            },
            {
              condition: 'attribute_exists(pk) AND #offeringStatus = :offered',
              names: { '#offeringStatus': 'status' },
              values: { ':offered': 'offered' },
            },
          ),
        }),
      ),
    );
  }

  /**
   * Writes an import checked whole beforehand: new institutions first (each put only if absent, so
   * two imports naming one new institution both succeed), then the offerings in transactions of 100,
   * each create conditional on absence and each update on the version read.
   *
   * @throws CatalogueChanged when an offering was created or changed by someone else meanwhile.
   */
  async writeImport(plan: {
    programmeId: string;
    institutions: readonly InstitutionRecord[];
    creates: readonly OfferingRecord[];
    updates: readonly OfferingRecord[];
  }): Promise<void> {
    for (const institution of plan.institutions) {
      await this.createInstitution(institution).catch((err: unknown) => {
        if (!(err instanceof ItemAlreadyExists)) throw err;
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
    for (const chunk of chunks(writes, () => 1)) {
      try {
        await transactWithRetry(this.db, chunk, this.observer);
      } catch (err) {
        if (isAnyConditionFailed(err)) throw new CatalogueChanged('import', plan.programmeId, { cause: err });
        throw err;
      }
    }
  }

  /**
   * One page of what a programme offers now, from the sparse offered index (never a scan): the level
   * and institution narrow the key range, the other filters apply to the items read. Reads at most a
   * few hundred items for a page; `next` is the token of where the following page starts.
   *
   * @throws InvalidPageToken for an `after` this list did not issue for this programme and filter.
   */
  async offeredPage(
    programmeId: string,
    filter: OfferedFilter,
    limit: number,
    after?: unknown,
  ): Promise<{ items: OfferingRecord[]; next: PageToken | undefined }> {
    const start = after === undefined ? undefined : offeredStartKey(programmeId, after, filter);
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
          return { items, next: offeredTokenOf(last) };
        }
        items.push(toOffering(item));
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) return { items, next: undefined };
      if (items.length === limit) break;
    }
    const last = items[items.length - 1];
    // A page cut short by the read bound resumes where the reads stopped, not after the last match.
    return { items, next: last && items.length === limit ? offeredTokenOf(last) : tokenOfStartKey(startKey) };
  }
}

/** The key-condition prefix of a filter: a level, or a level and an institution. */
export function offeredPrefix(filter: Pick<OfferedFilter, 'level' | 'institutionId'>): string {
  if (!filter.level) return '';
  return filter.institutionId ? `${filter.level}#${filter.institutionId}#` : `${filter.level}#`;
}

/**
 * The public list's page token: where the next page starts in the offered index — the offering and
 * its index sort key. The partition is rebuilt from the programme asked for, so a token can only move
 * within that programme's public list.
 */
function offeredTokenOf(o: OfferingRecord): PageToken {
  return {
    offeringId: o.offeringId,
    gsi2sk: offeredIndex(o.programmeId, {
      level: o.level,
      institutionId: o.institutionId,
      majorKey: majorKey(o.major),
      offeringId: o.offeringId,
    }).gsi2sk as string,
  };
}

function tokenOfStartKey(key: Record<string, unknown> | undefined): PageToken | undefined {
  if (!key) return undefined;
  const sk = typeof key.sk === 'string' ? key.sk : '';
  return { offeringId: sk.slice(OFFERING_PREFIX.length), gsi2sk: String(key.gsi2sk ?? '') };
}

/**
 * Reads a token back into the start key of a page of `programmeId`'s list with `filter`: only in the
 * shape {@link offeredTokenOf} writes, with a sort key inside the filter's key range (a start key
 * outside it would be refused by DynamoDB, a 500).
 */
function offeredStartKey(
  programmeId: string,
  token: unknown,
  filter: Pick<OfferedFilter, 'level' | 'institutionId'>,
): Record<string, string> {
  const { offeringId: o, gsi2sk: s, ...rest } = (token ?? {}) as { offeringId?: unknown; gsi2sk?: unknown };
  const valid =
    typeof token === 'object' &&
    !Array.isArray(token) &&
    Object.keys(rest).length === 0 &&
    typeof o === 'string' &&
    typeof s === 'string' &&
    OFFERING_ID_PATTERN.test(o) &&
    s.length <= 400 &&
    s.isWellFormed() &&
    s.endsWith(`#${o}`) &&
    /^(?:junior_college|bachelor)#\d{10}#/.test(s) &&
    s.startsWith(offeredPrefix(filter));
  if (!valid) throw new InvalidPageToken();
  return {
    ...offeringKey(programmeId, o),
    gsi2pk: offeredIndex(programmeId).gsi2pk as string,
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
