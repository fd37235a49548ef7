import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Org } from '../model/org.ts';
import { batchGetAll } from './batch.ts';
import { orgChildrenIndex, orgKey } from './keys.ts';
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
