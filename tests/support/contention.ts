import { expect } from 'vitest';
import { invariantViolations } from '../../shared/domain/places.ts';
import { recordCounts } from '../../shared/observer.ts';
import type { Deps } from '../../shared/services/deps.ts';
import type { TestStack } from '../integration/harness.ts';
import { placeSnapshot } from './ledger-fixtures.ts';
import { pool } from './pool.ts';
import { rushDraftBody, rushProgrammeBody, rushUnitOrgId, verifiedAttachments } from './rush.ts';

export { pool };

/**
 * A programme open today with one unit of `places` places, and `drafts` complete drafts in it, each
 * created through the API by its own worker, with its five documents already verified.
 */
export async function prepareContention(
  stack: TestStack,
  deps: Deps,
  options: { programmeId: string; places: number; drafts: number; shards?: number },
) {
  const admin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  const created = await stack.call('POST', '/v1/programmes', {
    token: admin,
    body: rushProgrammeBody(options.programmeId, options.places),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  if (options.shards && options.shards > 1) {
    const sharded = await growShards(stack, options.programmeId, options.shards);
    expect(sharded.status, JSON.stringify(sharded.body)).toBe(200);
  }
  const workers = await pool(
    Array.from({ length: options.drafts }, (_, i) => i),
    16,
    async (i) => {
      const token = await stack.token({ sub: `${options.programmeId}-w${i}`, role: 'worker' });
      const res = await stack.call('POST', '/v1/applications', {
        token,
        body: rushDraftBody(options.programmeId, i),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      for (const attachment of verifiedAttachments(res.body.id, i, new Date().toISOString())) {
        await deps.applications.putAttachment(attachment);
      }
      return { token, id: res.body.id as string };
    },
  );
  return workers;
}

/** `PUT …/allocations/{unit}/shards` on the rush unit, as the programme's admin. */
export async function growShards(stack: TestStack, programmeId: string, shards: number) {
  const admin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  return stack.call('PUT', `/v1/programmes/${programmeId}/allocations/${rushUnitOrgId}/shards`, {
    token: admin,
    body: { shards },
  });
}

/** Fires every submit at once and checks the exact outcome the place invariant demands. */
export async function submitAllAtOnce(
  stack: TestStack,
  deps: Deps,
  programmeId: string,
  workers: { token: string; id: string }[],
  places: number,
  /** Something else to do while the submits are in flight (e.g. grow the unit's shards). */
  during?: () => Promise<void>,
) {
  const started = Date.now();
  const counts = recordCounts();
  const [responses] = await Promise.all([
    Promise.all(
      workers.map((w) => stack.call('POST', `/v1/applications/${w.id}/submit`, { token: w.token })),
    ),
    during?.(),
  ]);
  console.log(
    `${workers.length} submits in ${Date.now() - started} ms, ${counts.get('retry.staleReceipts')} stale receipts retried`,
  );
  counts.stop();
  for (const r of responses) expect(r.status, JSON.stringify(r.body)).toBe(200);
  const results = responses.map(
    (r) =>
      r.body as {
        id: string;
        quota: { state: string; waitlistPosition?: number };
        receipt: { sequence: number };
      },
  );
  const claimed = results.filter((r) => r.quota.state === 'claimed');
  const waitlisted = results.filter((r) => r.quota.state === 'waitlisted');
  expect(claimed).toHaveLength(places);
  expect(waitlisted).toHaveLength(workers.length - places);

  // Every claimed receipt comes before every waitlisted one; receipts are unique.
  const sequences = results.map((r) => r.receipt.sequence);
  expect(new Set(sequences).size).toBe(results.length);
  const lastClaimed = Math.max(...claimed.map((r) => r.receipt.sequence));
  const firstWaiting = Math.min(...waitlisted.map((r) => r.receipt.sequence));
  expect(lastClaimed).toBeLessThan(firstWaiting);

  // Waitlist positions are exactly 1..n in receipt order, read back once every submit has answered,
  // and each is the position its submit answered (joins land in receipt order: nobody joins ahead
  // of someone already waiting, architecture.md §3), so no two were told the same.
  const byReceipt = [...waitlisted].sort((a, b) => a.receipt.sequence - b.receipt.sequence);
  const readBack = await pool(byReceipt, 16, async (r) => {
    const w = workers.find((x) => x.id === r.id);
    const res = await stack.call('GET', `/v1/applications/${r.id}`, { token: w?.token ?? '' });
    return res.body.quota.waitlistPosition as number;
  });
  expect(readBack).toEqual(byReceipt.map((_, i) => i + 1));
  expect(byReceipt.map((r) => r.quota.waitlistPosition)).toEqual(readBack);

  // The quota board and the stored state agree with the invariant of architecture.md §3.
  const board = await stack.call('GET', `/v1/programmes/${programmeId}/quotas`);
  expect(board.body.units[0]).toMatchObject({ places, claimed: places, waitlisted: workers.length - places });
  const snapshot = await placeSnapshot(
    deps,
    programmeId,
    workers.map((w) => w.id),
  );
  expect(invariantViolations(snapshot.units, snapshot.applications)).toEqual([]);
  expect(snapshot.shardProblems).toEqual([]);
  return results;
}
