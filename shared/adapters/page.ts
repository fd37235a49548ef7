import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidPageToken } from './persistence-errors.ts';

/**
 * Pages of a query as the repositories hand them out: the next page's start is an opaque
 * {@link PageToken} (DynamoDB's last evaluated key). Only the repository that issued it knows its
 * shape; it takes a token back only for the partition and index it pages. Signing tokens into
 * cursors a client may hold is the services' job (`services/page-cursors.ts`).
 */
declare const pageToken: unique symbol;
export type PageToken = Readonly<Record<string, string>> & { readonly [pageToken]?: never };

/** The start key of the next page, if there is one, as a token. */
export function tokenOf(lastEvaluatedKey: Record<string, unknown> | undefined): PageToken | undefined {
  return lastEvaluatedKey as PageToken | undefined;
}

/**
 * Reads a token back as the start key of a page of `partition`: it must hold exactly the partition's
 * attributes with their values and the `keys` of the index it pages, each a non-empty string.
 * Anything else — another queue's or worker's token, an altered one — is {@link InvalidPageToken},
 * never a start key DynamoDB would reject (a 500) or a read of someone else's page.
 */
export function startKeyOf(
  token: unknown,
  partition: Record<string, string>,
  keys: readonly string[],
): Record<string, string> {
  const valid =
    token !== null &&
    typeof token === 'object' &&
    !Array.isArray(token) &&
    Object.values(token).every((v) => typeof v === 'string' && v.length > 0) &&
    Object.keys(token).length === Object.keys(partition).length + keys.length &&
    keys.every((k) => Object.hasOwn(token, k)) &&
    Object.entries(partition).every(([k, v]) => (token as Record<string, unknown>)[k] === v);
  if (!valid) throw new InvalidPageToken();
  return token as Record<string, string>;
}

/**
 * One page of a named access pattern on an index: the items of `partition` (its one partition-key
 * attribute and value) from the start `after` names, and the token of the next page. `keys` are the
 * attributes of the index's page tokens besides the partition (the table key and the index sort key).
 */
export async function queryPage(
  db: DynamoDBDocumentClient,
  tableName: string,
  page: {
    indexName: string;
    partition: Record<string, string>;
    keys: readonly string[];
    limit: number;
    after: unknown;
    forward: boolean;
  },
) {
  const [[attribute, value] = []] = Object.entries(page.partition);
  const out = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: page.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': attribute as string },
      ExpressionAttributeValues: { ':pk': value },
      ScanIndexForward: page.forward,
      Limit: page.limit,
      ExclusiveStartKey:
        page.after === undefined ? undefined : startKeyOf(page.after, page.partition, page.keys),
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return {
    items: out.Items ?? [],
    next: tokenOf(out.LastEvaluatedKey),
    consumedCapacity: out.ConsumedCapacity?.CapacityUnits ?? 0,
  };
}
