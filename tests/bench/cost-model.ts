import { draftRecord } from '../support/ledger-fixtures.ts';
import { rushUnitOrgId } from '../support/rush.ts';
import { type BenchStack, cpuSeconds, pool, type RushWorker, round } from './support.ts';

/** One of the DynamoDB calls a submit makes, replayed alone: its CPU cost on each side. */
export interface CallCost {
  call: string;
  /** How many a submit made on average in the rush. */
  perSubmit: number;
  /** CPU milliseconds per call: DynamoDB Local's and this Node process's (SDK, HTTP). */
  javaMs: number;
  nodeMs: number;
}

const REPLAYS = 300;
const CONCURRENCY = 50; // the handlers' SDK client has 50 sockets

async function replay(javaPid: number | undefined, call: (i: number) => Promise<unknown>) {
  await pool(
    Array.from({ length: 50 }, (_, i) => i),
    CONCURRENCY,
    (i) => call(REPLAYS + i),
  ); // warm-up
  const before = cpuSeconds(javaPid);
  await pool(
    Array.from({ length: REPLAYS }, (_, i) => i),
    CONCURRENCY,
    call,
  );
  const after = cpuSeconds(javaPid);
  return {
    javaMs: ((after.java - before.java) * 1000) / REPLAYS,
    nodeMs: ((after.node - before.node) * 1000) / REPLAYS,
  };
}

/**
 * Replays each kind of DynamoDB call a submit makes, alone, after the rush (so the unit's waitlist
 * is as long as at the rush's end: a waitlisted submit counts the half ahead of it on average) and
 * weighs it by how often a submit made it. The sum tells what a submit costs DynamoDB Local and the
 * SDK; what the measured submit costs beyond it is the gateway, the handler and the HTTP client.
 */
export async function submitCostModel(
  stack: BenchStack,
  javaPid: number | undefined,
  rush: { programmeId: string; workers: readonly RushWorker[]; waitlisted: number; submits: number },
  calls: Record<string, number>,
  /** A unit that is full, in a programme of its own: where replayed submits can land. */
  fullUnit: { programmeId: string; places: number },
): Promise<CallCost[]> {
  const { deps } = stack;
  const perSubmit = (n: number) => round(n / rush.submits, 2);
  const workerAt = (i: number) => rush.workers[i % rush.workers.length] as RushWorker;

  const bundle = await replay(javaPid, (i) => deps.applications.bundle(workerAt(i * 7).id));
  // The programme's terms come from the container's memory; the unit's counters from its own item.
  const counters = await replay(javaPid, () => deps.waitlist.unit(rush.programmeId, rushUnitOrgId, true));
  // A claim's receipt number from the unit's counter; a join's draw is the same kind of UpdateItem of
  // one small item (the unit's allocation item), so the counter's replay stands for both.
  const receipt = await replay(javaPid, () => deps.ledger.nextSequence('bench-cost-receipts', 'unit'));
  // Drafts of the full unit, then their submits through the ledger: the draw and the transaction (the
  // warm-up's joins read the unit until their draws succeeded; from then on the ledger knows it joins
  // by the sequencer and reads nothing of it).
  const at = new Date().toISOString();
  const ids = Array.from({ length: REPLAYS + 50 }, (_, i) => `bench-cost-${i}`);
  await pool(ids, 16, (id) =>
    deps.applications.create(draftRecord(id, fullUnit.programmeId, rushUnitOrgId, at)),
  );
  const submitted = await replay(javaPid, (i) =>
    deps.ledger.submit({
      applicationId: ids[i] as string,
      programmeId: fullUnit.programmeId,
      unitOrgId: rushUnitOrgId,
      expectedUpdatedAt: at,
      idHash: `hash-${ids[i]}`,
      level: 'junior_college',
      submittedAt: at,
      reviewerOrgId: rushUnitOrgId,
      digest: async (sequence) => `digest-${sequence}`,
    }),
  );

  return [
    { call: 'Query: the application and its documents', perSubmit: 1, ...bundle },
    {
      // A join to a unit the process already saw joined by the sequencer draws without reading it;
      // every GetItem of the rush is priced as this read (a refused draw's read is the same call).
      call: "GetItem: the unit's allocation item",
      perSubmit: perSubmit(calls.GetItem ?? 0),
      ...counters,
    },
    {
      call: "UpdateItem: the receipt number, or the join's draw",
      perSubmit: perSubmit(calls.UpdateItem ?? 0),
      ...receipt,
    },
    {
      call: 'TransactWriteItems: claim or waitlist',
      perSubmit: perSubmit(calls.TransactWriteItems ?? 0),
      // The replayed joins read nothing of the unit: the draw in them stands for the receipt's row.
      javaMs: submitted.javaMs - receipt.javaMs,
      nodeMs: submitted.nodeMs - receipt.nodeMs,
    },
  ].map((c) => ({ ...c, javaMs: round(c.javaMs, 2), nodeMs: round(c.nodeMs, 2) }));
}
