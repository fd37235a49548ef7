import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { MemberAuditEvent, MemberRole, Membership } from '../model/membership.ts';
import {
  MEMBERSHIP_PREFIX,
  membershipKey,
  ORG_AUDIT_PREFIX,
  orgAuditKey,
  orgMembersIndex,
  phoneAccountKey,
} from './keys.ts';
import { MembershipNotFound } from './persistence-errors.ts';
import { queryAll } from './query.ts';
import type { TransactItem } from './retry.ts';
import { transactIf, writeIf } from './writes.ts';

/** The audit item of one change of an org's people (architecture.md §8). */
export function memberAuditItem(tableName: string, event: MemberAuditEvent): TransactItem {
  const { type: change, ...rest } = event;
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...orgAuditKey(event.orgId, event.at, randomBytes(4).toString('hex')),
        type: 'orgAudit',
        change,
        ...rest,
      },
    },
  };
}

/** The put of a membership (a grant replaces the account's role in that org). */
export function membershipPutItem(tableName: string, m: Membership): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...membershipKey(m.sub, m.orgId),
        ...orgMembersIndex(m.orgId, m.sub),
        type: 'membership',
        ...m,
      },
    },
  };
}

/**
 * Who may act for which org (architecture.md §8): memberships in the account's partition, an org's
 * members through `gsi1`, accounts by verified phone, and the audit of every change.
 */
export class MembershipRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Every membership of an account: one strongly consistent query, so a grant or removal counts
   * from the next request on. The read a request acting for an org pays.
   */
  async forAccount(sub: string): Promise<Membership[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
        ExpressionAttributeValues: { ':pk': membershipKey(sub, '').pk, ':member': MEMBERSHIP_PREFIX },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map(toMembership);
  }

  /** An org's members, by account. */
  async ofOrg(orgId: string): Promise<Membership[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': orgMembersIndex(orgId).gsi1pk },
    });
    return items.map(toMembership);
  }

  /** Grants (or changes) a membership and records the change, in one transaction. */
  async grant(m: Membership): Promise<void> {
    await transactIf(this.db, [
      membershipPutItem(this.tableName, m),
      memberAuditItem(this.tableName, {
        orgId: m.orgId,
        at: m.grantedAt,
        type: 'member_added',
        actor: m.grantedBy,
        sub: m.sub,
        role: m.role,
      }),
    ]);
  }

  /** Seeds a membership unless the account already holds one in that org (restarts change nothing). */
  async seed(m: Membership): Promise<void> {
    await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: membershipPutItem(this.tableName, m).Put?.Item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** Removes a membership and records it; {@link MembershipNotFound} when there is none. */
  async revoke(sub: string, orgId: string, actor: string, at: string): Promise<MemberRole> {
    const existing = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: membershipKey(sub, orgId), ConsistentRead: true }),
    );
    const role = existing.Item?.role as MemberRole | undefined;
    if (!role) throw new MembershipNotFound(sub, orgId);
    const removed = await transactIf(this.db, [
      {
        Delete: {
          TableName: this.tableName,
          Key: membershipKey(sub, orgId),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      memberAuditItem(this.tableName, { orgId, at, type: 'member_removed', actor, sub, role }),
    ]);
    if (!removed) throw new MembershipNotFound(sub, orgId);
    return role;
  }

  /** An org's audit trail of people changes, oldest first. */
  async audit(orgId: string): Promise<MemberAuditEvent[]> {
    const items = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
      ExpressionAttributeValues: { ':pk': orgAuditKey(orgId, '', '').pk, ':audit': ORG_AUDIT_PREFIX },
    });
    return items.map((i) => ({
      orgId: i.orgId as string,
      at: i.at as string,
      type: i.change as MemberAuditEvent['type'],
      actor: i.actor as string,
      sub: i.sub as string,
      ...(i.role ? { role: i.role as MemberRole } : {}),
    }));
  }

  /** Remembers which account a verified mobile number (keyed hash) belongs to. */
  async recordPhone(phoneHash: string, sub: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...phoneAccountKey(phoneHash), type: 'phone', sub },
      }),
    );
  }

  async accountByPhone(phoneHash: string): Promise<string | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: phoneAccountKey(phoneHash) }),
    );
    return out.Item?.sub as string | undefined;
  }
}

function toMembership(item: Record<string, unknown>): Membership {
  return {
    sub: item.sub as string,
    orgId: item.orgId as string,
    role: item.role as MemberRole,
    grantedBy: item.grantedBy as string,
    grantedAt: item.grantedAt as string,
  };
}
