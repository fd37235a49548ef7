import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Org } from '../model/org.ts';
import { duplicateAsConflict } from './errors.ts';
import { orgChildrenIndex, orgKey } from './keys.ts';
import { queryAll } from './query.ts';

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

  /** Loads many orgs at once (BatchGet, 100 keys a request, unprocessed keys retried). */
  async getMany(orgIds: readonly string[]): Promise<Map<string, Org>> {
    const found = new Map<string, Org>();
    const unique = [...new Set(orgIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map(orgKey);
      for (let attempt = 0; keys && keys.length > 0 && attempt < 8; attempt++) {
        const out: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const org = toOrg(item);
          found.set(org.id, org);
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
        if (keys && keys.length > 0) await new Promise((r) => setTimeout(r, 2 ** attempt * 20));
      }
    }
    return found;
  }

  async children(parentId: string): Promise<Org[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': orgChildrenIndex(parentId).gsi1pk },
    });
    return items.map(toOrg);
  }

  /** Stores a new org; 409 `already_exists` when the id is taken. */
  async create(org: Org): Promise<void> {
    await this.db
      .send(
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
      )
      .catch((err: unknown) => duplicateAsConflict(err, `组织编号 ${org.id} 已存在`));
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
