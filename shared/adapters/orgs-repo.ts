import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Org } from '../model/org.ts';
import { batchGetAll } from './batch.ts';
import { exportAuditKey, orgChildrenIndex, orgKey } from './keys.ts';
import { ItemAlreadyExists } from './persistence-errors.ts';
import { queryAll } from './query.ts';
import { writeIf } from './writes.ts';

/** Organisations of the union tree, each stored with its materialised path. */
export class OrgRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orgId: string): Promise<Org | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: orgKey(orgId) }));
    return out.Item ? toOrg(out.Item) : undefined;
  }

  /** Loads many orgs at once (BatchGet); ids without an org are absent from the map. */
  async getMany(orgIds: readonly string[]): Promise<Map<string, Org>> {
    const items = await batchGetAll(this.db, this.tableName, orgIds.map(orgKey));
    return new Map(items.map(toOrg).map((org) => [org.id, org]));
  }

  async children(parentId: string): Promise<Org[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': orgChildrenIndex(parentId).gsi1pk },
    });
    return items.map(toOrg);
  }

  /** Records an Excel export in the exporting org's audit trail (architecture.md §7); answers its id. */
  async appendExportAudit(
    orgId: string,
    event: { at: string; actor: string; list: string; rows: number; programmeId?: string },
  ): Promise<string> {
    const suffix = randomUUID().slice(0, 8);
    const key = exportAuditKey(orgId, event.at, suffix);
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...key, type: 'export-audit', orgId, ...event },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return `${event.at}#${suffix}`;
  }

  /** An org's export audit trail, newest first. */
  async exportAudits(orgId: string, limit = 50): Promise<Record<string, unknown>[]> {
    const items = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': `AUDIT#${orgId}`, ':p': 'EXPORT#' },
      ScanIndexForward: false,
    });
    return items.slice(0, limit).map(({ pk: _pk, sk: _sk, type: _t, ...rest }) => rest);
  }

  /** Stores a new org; {@link ItemAlreadyExists} when the id is taken. */
  async create(org: Org): Promise<void> {
    const created = await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...orgKey(org.id),
            ...(org.parentId ? orgChildrenIndex(org.parentId, org.id) : {}),
            type: 'org',
            ...org,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!created) throw new ItemAlreadyExists('org', org.id);
  }
}

function toOrg(item: Record<string, unknown>): Org {
  return {
    id: item.id as string,
    name: item.name as string,
    kind: item.kind as Org['kind'],
    parentId: (item.parentId as string | null | undefined) ?? null,
    path: item.path as string[],
    ...(item.directToCity === true ? { directToCity: true } : {}),
  };
}
