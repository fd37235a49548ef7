import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

export type QueryInput = Omit<
  ConstructorParameters<typeof QueryCommand>[0],
  'TableName' | 'ExclusiveStartKey'
>;

/** Every item a query matches, following `LastEvaluatedKey` page after page. */
export async function queryAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  input: QueryInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await db.send(
      new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** How many items a query matches (`Select: 'COUNT'`), following `LastEvaluatedKey` page after page. */
export async function countAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  input: Omit<QueryInput, 'Select'>,
): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await db.send(
      new QueryCommand({ ...input, Select: 'COUNT', TableName: tableName, ExclusiveStartKey: startKey }),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}
