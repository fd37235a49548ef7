import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Membership, OrgRegistration } from '../model/membership.ts';
import type { Org } from '../model/org.ts';
import { cancellationReasons } from './errors.ts';
import {
  creditCodeKey,
  orgChildrenIndex,
  orgKey,
  orgRegistrationKey,
  orgRegistrationsIndex,
} from './keys.ts';
import { memberAuditItem, membershipPutItem } from './memberships-repo.ts';
import { ItemAlreadyExists, RegistrationNotPending } from './persistence-errors.ts';
import { queryAll } from './query.ts';
import type { TransactItem } from './retry.ts';
import { transactWithRetry } from './retry.ts';

const registrationItem = (r: OrgRegistration) => ({
  ...orgRegistrationKey(r.id),
  ...orgRegistrationsIndex(r.parentId, { status: r.status, createdAt: r.createdAt, registrationId: r.id }),
  type: 'orgRegistration',
  ...r,
});

/**
 * Organisation registrations (R12 组织注册): a request under a parent, its uniqueness by credit code,
 * and the approval that creates the org and its first admin in one transaction.
 */
export class OrgRegistrationRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores a pending registration; with a credit code, the code's uniqueness item in the same
   * transaction ({@link ItemAlreadyExists} `credit_code` when another registration holds it).
   */
  async create(r: OrgRegistration): Promise<void> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: registrationItem(r),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    if (r.creditCode) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { ...creditCodeKey(r.creditCode), type: 'creditCode', registrationId: r.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await transactWithRetry(this.db, items);
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons?.[1] === 'ConditionalCheckFailed' && r.creditCode) {
        throw new ItemAlreadyExists('credit_code', r.creditCode, { cause: err });
      }
      throw err;
    }
  }

  async get(registrationId: string): Promise<OrgRegistration | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: orgRegistrationKey(registrationId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? toRegistration(out.Item) : undefined;
  }

  /** Registrations under a parent with a status, oldest first. */
  async underParent(parentId: string, status: OrgRegistration['status']): Promise<OrgRegistration[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :status)',
      ExpressionAttributeValues: { ':pk': orgRegistrationsIndex(parentId).gsi1pk, ':status': `${status}#` },
    });
    return items.map(toRegistration);
  }

  /**
   * Approval (R12): the registration leaves `pending`, the org is created (its id must be free) and
   * the registrant becomes its admin, audited — one transaction. {@link RegistrationNotPending} when
   * another decision came first, {@link ItemAlreadyExists} `org` when the id was taken meanwhile.
   */
  async approve(decided: OrgRegistration, org: Org, admin: Membership): Promise<void> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: registrationItem(decided),
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...orgKey(org.id),
            ...(org.parentId ? orgChildrenIndex(org.parentId, org.id) : {}),
            type: 'org',
            ...org,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      membershipPutItem(this.tableName, admin),
      memberAuditItem(this.tableName, {
        orgId: org.id,
        at: admin.grantedAt,
        type: 'org_registered',
        actor: decided.decidedBy ?? admin.grantedBy,
        sub: admin.sub,
        role: admin.role,
      }),
    ];
    try {
      await transactWithRetry(this.db, items);
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons?.[0] === 'ConditionalCheckFailed')
        throw new RegistrationNotPending(decided.id, { cause: err });
      if (reasons?.[1] === 'ConditionalCheckFailed')
        throw new ItemAlreadyExists('org', org.id, { cause: err });
      throw err;
    }
  }

  /** Rejection: the registration leaves `pending` and its credit code is free again. */
  async reject(decided: OrgRegistration): Promise<void> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: registrationItem(decided),
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        },
      },
    ];
    if (decided.creditCode) {
      items.push({ Delete: { TableName: this.tableName, Key: creditCodeKey(decided.creditCode) } });
    }
    try {
      await transactWithRetry(this.db, items);
    } catch (err) {
      if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') {
        throw new RegistrationNotPending(decided.id, { cause: err });
      }
      throw err;
    }
  }
}

function toRegistration(item: Record<string, unknown>): OrgRegistration {
  const optional = (key: string) => (typeof item[key] === 'string' ? { [key]: item[key] as string } : {});
  return {
    id: item.id as string,
    orgId: item.orgId as string,
    name: item.name as string,
    kind: item.kind as OrgRegistration['kind'],
    parentId: item.parentId as string,
    contactName: item.contactName as string,
    contactPhone: item.contactPhone as string,
    registrantSub: item.registrantSub as string,
    status: item.status as OrgRegistration['status'],
    createdAt: item.createdAt as string,
    ...optional('creditCode'),
    ...optional('decidedAt'),
    ...optional('decidedBy'),
    ...optional('reason'),
  };
}
