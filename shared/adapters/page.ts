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
    /** Narrows the page (a DynamoDB filter on the index query): it still holds `limit` items if there are. */
    filter?: QueryFilter | undefined;
  },
) {
  const [[attribute, value] = []] = Object.entries(page.partition);
  const items: Record<string, unknown>[] = [];
  let consumedCapacity = 0;
  let start = page.after === undefined ? undefined : startKeyOf(page.after, page.partition, page.keys);
  // Unfiltered, one query is the page. Filtered, DynamoDB's Limit counts the items read before the
  // filter, so read on until the page is full or the partition ends, and resume after the last item
  // handed out, not after the last one read.
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: page.indexName,
        KeyConditionExpression: '#pk = :pk',
        ...(page.filter ? { FilterExpression: page.filter.expression } : {}),
        ExpressionAttributeNames: { '#pk': attribute as string, ...page.filter?.names },
        ExpressionAttributeValues: { ':pk': value, ...page.filter?.values },
        ScanIndexForward: page.forward,
        Limit: page.filter ? Math.max(page.limit, 100) : page.limit,
        ExclusiveStartKey: start,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    consumedCapacity += out.ConsumedCapacity?.CapacityUnits ?? 0;
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey as Record<string, string> | undefined;
  } while (page.filter && start && items.length < page.limit);
  if (!page.filter) return { items, next: tokenOf(start), consumedCapacity };
  const handedOut = items.slice(0, page.limit);
  const last = handedOut.at(-1);
  const more = items.length > page.limit || (start !== undefined && items.length === page.limit);
  const next =
    more && last
      ? tokenOf(Object.fromEntries([...Object.keys(page.partition), ...page.keys].map((k) => [k, last[k]])))
      : undefined;
  return { items: handedOut, next, consumedCapacity };
}

/** A DynamoDB filter expression with its names and values. */
export interface QueryFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}
