import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Allocation, Programme } from '../schemas/programmes.ts';
import { duplicateAsConflict } from './errors.ts';
import {
  ALLOCATION_PREFIX,
  allocationKey,
  programmeKey,
  programmeListIndex,
  programmePartition,
} from './keys.ts';
import { retryConflicts } from './retry.ts';

/** An allocation unit as stored: the attachment-table row plus its live place counters (design §3). */
export interface AllocationState extends Allocation {
  programmeId: string;
  claimed: number;
  waitlisted: number;
}

export interface ProgrammeWithAllocations {
  programme: Programme;
  allocations: AllocationState[];
}

/** Programmes and their allocation units, kept together in one partition. */
export class ProgrammeRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The programme and the live counters of every unit, in one query. */
  async get(programmeId: string): Promise<ProgrammeWithAllocations | undefined> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': programmePartition(programmeId) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    const head = items.find((i) => i.sk === programmeKey(programmeId).sk);
    if (!head) return undefined;
    const allocations = items
      .filter((i) => typeof i.sk === 'string' && i.sk.startsWith(ALLOCATION_PREFIX))
      .sort((a, b) => (a.order as number) - (b.order as number))
      .map(toAllocationState);
    const programme = toProgramme(head, allocations);
    return { programme, allocations };
  }

  async list(): Promise<Programme[]> {
    const programmes: Programme[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': programmeListIndex().gsi1pk },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        }),
      );
      programmes.push(...(out.Items ?? []).map((i) => toProgramme(i, [])));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return programmes;
  }

  /** Publishes a programme and its allocation units atomically; 409 `already_exists` on a taken id. */
  async create(programme: Programme): Promise<void> {
    const { allocations, ...head } = programme;
    const command = new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...programmeKey(programme.id),
              ...programmeListIndex(programme.year, programme.id),
              type: 'programme',
              ...head,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...allocations.map((allocation, order) => ({
          Put: {
            TableName: this.tableName,
            Item: {
              ...allocationKey(programme.id, allocation.unitOrgId),
              type: 'allocation',
              programmeId: programme.id,
              order,
              ...allocation,
              claimed: 0,
              waitlisted: 0,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
      ],
    });
    await retryConflicts(() => this.db.send(command)).catch((err: unknown) =>
      duplicateAsConflict(err, `项目编号 ${programme.id} 已存在`),
    );
  }
}

function toAllocationState(item: Record<string, unknown>): AllocationState {
  return {
    programmeId: item.programmeId as string,
    unitOrgId: item.unitOrgId as string,
    places: item.places as number,
    funding: item.funding as Allocation['funding'],
    claimed: item.claimed as number,
    waitlisted: item.waitlisted as number,
  };
}

function toProgramme(item: Record<string, unknown>, allocations: AllocationState[]): Programme {
  return {
    id: item.id as string,
    title: item.title as string,
    ownerOrgId: item.ownerOrgId as string,
    year: item.year as number,
    enrolmentYear: item.enrolmentYear as number,
    applicationWindow: item.applicationWindow as Programme['applicationWindow'],
    reviewBatches: item.reviewBatches as Programme['reviewBatches'],
    levels: item.levels as Programme['levels'],
    allocations: allocations.map(({ unitOrgId, places, funding }) => ({ unitOrgId, places, funding })),
    allocationPolicy: (item.allocationPolicy as Programme['allocationPolicy']) ?? 'first_come_first_served',
    ...(item.contacts ? { contacts: item.contacts as NonNullable<Programme['contacts']> } : {}),
    createdAt: item.createdAt as string,
  };
}
