import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A cold-start reference, not a product function: the least any function of this project loads at
 * init — the DynamoDB document client, built at module scope as `createDeps` builds it.
 */
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: process.env.AWS_REGION }));

export const handler = async () => ({ statusCode: 200, body: String(typeof db.send) });
