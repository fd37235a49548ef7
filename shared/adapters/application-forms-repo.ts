import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { endOfShanghaiDay } from '../domain/dates.ts';
import type { ApplicationFormRecord } from '../model/application.ts';
import { applicationFormKey } from './keys.ts';
import type { TransactItem } from './retry.ts';

/** The delete of a saved form, for the transaction that creates the draft it turns into. */
export function applicationFormDeleteItem(tableName: string, sub: string, programmeId: string): TransactItem {
  return { Delete: { TableName: tableName, Key: applicationFormKey(sub, programmeId) } };
}

/**
 * Application forms saved step by step before their draft exists (architecture.md §7): one item per
 * account and programme in the account's partition, removed by DynamoDB's TTL after `expiresOn`.
 */
export class ApplicationFormRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(sub: string, programmeId: string): Promise<ApplicationFormRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: applicationFormKey(sub, programmeId),
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, type: _type, expiresAt: _ttl, ...record } = out.Item;
    return record as ApplicationFormRecord;
  }

  /** Replaces the account's form for the programme. */
  async put(form: ApplicationFormRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...applicationFormKey(form.ownerSub, form.programmeId),
          type: 'application_form',
          ...form,
          expiresAt: Math.ceil(endOfShanghaiDay(form.expiresOn).getTime() / 1000),
        },
      }),
    );
  }

  async delete(sub: string, programmeId: string): Promise<boolean> {
    const out = await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: applicationFormKey(sub, programmeId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes !== undefined;
  }
}
