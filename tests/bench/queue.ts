import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { capacityStats } from '../../shared/adapters/fault-injection.ts';
import { applicationKey, reviewQueueIndex, statusIndex } from '../../shared/adapters/keys.ts';
import type { ApplicationRecord } from '../../shared/model/application.ts';
import { draftRecord } from '../support/ledger-fixtures.ts';
import { rushEmployerOrgId, rushProgrammeBody, rushUnitOrgId } from '../support/rush.ts';
import { type BenchContext, type BenchStack, pool, round, startBenchStack } from './support.ts';

export interface QueueResult {
  pageSize: number;
  itemsSmall: number;
  itemsLarge: number;
  rcuSmall: number;
  rcuLarge: number;
  rcuRatio: number;
}

const PAGE_SIZE = 20; // the route's default `limit`
const ITEMS_SMALL = 1000;
const ITEMS_LARGE = 50_000;
/** Pages read from each queue; RCU is deterministic, the repeats check it stays so. */
const READS = 5;

/** The reviewer whose queue is read: the employer's union, first step of every chain here. */
export const reviewerOrgId = rushEmployerOrgId;

/**
 * `count` applications in review at `reviewerOrgId` (receipts `from + 1` onwards), written straight to the table as the ledger
 * leaves them after a submit (the queue's index keys included); review is read here, not written.
 */
export async function seedQueue(stack: BenchStack, programmeId: string, from: number, count: number) {
  const at = new Date().toISOString();
  const items = Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const id = `${programmeId}-q${n.toString().padStart(6, '0')}`;
    const record: ApplicationRecord = {
      ...draftRecord(id, programmeId, rushUnitOrgId, at),
      employerOrgId: reviewerOrgId,
      status: 'in_review',
      quotaState: n < 20 ? 'claimed' : 'waitlisted',
      sequence: n + 1,
      submittedAt: at,
      digest: `digest-${n}`,
      chain: [reviewerOrgId, 'lc-dcf-gucheng', rushUnitOrgId, 'lc'],
      currentOrgId: reviewerOrgId,
    };
    return {
      ...applicationKey(id),
      ...statusIndex(programmeId, 'in_review', n + 1, rushUnitOrgId),
      ...reviewQueueIndex(programmeId, reviewerOrgId, n + 1, rushUnitOrgId),
      type: 'application',
      ...record,
    };
  });
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, b) =>
    items.slice(b * 25, b * 25 + 25),
  );
  await pool(batches, 8, async (batch) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await stack.deps.db.send(
        new BatchWriteCommand({ RequestItems: { [stack.local.tableName]: requests } }),
      );
      requests = (out.UnprocessedItems?.[stack.local.tableName] ?? []) as typeof requests;
    }
  });
}

/**
 * Read capacity of one `GET /v1/review/queue` page, as DynamoDB reports it for the handler's read of
 * the queue index (the page's only DynamoDB call).
 */
async function pageRcu(stack: BenchStack, token: string, programmeId: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < READS; i++) {
    capacityStats.reset();
    const res = await stack.call('GET', `/v1/review/queue?programmeId=${programmeId}&limit=${PAGE_SIZE}`, {
      token,
    });
    if (res.status !== 200 || res.body.items.length !== PAGE_SIZE) {
      throw new Error(
        `review queue of ${programmeId}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
      );
    }
    // Only the queue's index: the programme's calendar runs in the same process meanwhile.
    const pageCalls = capacityStats.calls.filter((c) => c.index === 'gsi2');
    if (pageCalls.length !== 1) throw new Error(`a queue page made ${pageCalls.length} index reads, not 1`);
    samples.push(pageCalls.reduce((sum, c) => sum + c.read, 0));
  }
  return Math.max(...samples);
}

/**
 * A page of the review queue must cost the same however long the queue is (it reads one index
 * page, never the queue): the first page of one reviewer's queue when the table holds
 * `ITEMS_SMALL` applications, all of them in that queue, and again when it holds `ITEMS_LARGE`, in
 * read capacity units as DynamoDB Local reports them for the handler's calls.
 */
export async function queueSuite(ctx: BenchContext): Promise<QueueResult> {
  // Read by the handlers' DynamoDB client at cold start: every call records its consumed capacity.
  const stack = await startBenchStack(ctx, 'queue', { RECORD_CONSUMED_CAPACITY: '1' });
  try {
    const admin = await stack.token({ sub: 'bench-admin', role: 'admin', org: 'sd' });
    const programmeId = 'bench-queue';
    const res = await stack.call('POST', '/v1/programmes', {
      token: admin,
      body: rushProgrammeBody(programmeId, 20),
    });
    if (res.status !== 201) throw new Error(`programme: ${res.status} ${JSON.stringify(res.body)}`);
    const reviewer = await stack.token({ sub: 'bench-reviewer', role: 'reviewer', org: reviewerOrgId });
    ctx.log(`queue: ${ITEMS_SMALL} applications in the table…`);
    await seedQueue(stack, programmeId, 0, ITEMS_SMALL);
    const rcuSmall = await pageRcu(stack, reviewer, programmeId);
    ctx.log(`queue: ${ITEMS_LARGE} applications in the table…`);
    await seedQueue(stack, programmeId, ITEMS_SMALL, ITEMS_LARGE - ITEMS_SMALL);
    const rcuLarge = await pageRcu(stack, reviewer, programmeId);
    return {
      pageSize: PAGE_SIZE,
      itemsSmall: ITEMS_SMALL,
      itemsLarge: ITEMS_LARGE,
      rcuSmall: round(rcuSmall, 2),
      rcuLarge: round(rcuLarge, 2),
      rcuRatio: round(rcuLarge / rcuSmall, 3),
    };
  } finally {
    await stack.stop();
  }
}
