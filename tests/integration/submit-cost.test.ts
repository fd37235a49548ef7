import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { capacityStats } from '../../shared/adapters/fault-injection.ts';
import { loadConfig } from '../../shared/config.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { prepareContention } from '../support/contention.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let deps: Deps;
beforeAll(async () => {
  // Read by the handlers' DynamoDB client at cold start.
  process.env.RECORD_CONSUMED_CAPACITY = '1';
  stack = await startTestStack({ sms: { deliver: true } });
  deps = createDeps({ ...loadConfig(), recordConsumedCapacity: false });
});
afterAll(async () => {
  delete process.env.RECORD_CONSUMED_CAPACITY;
  await stack.stop();
});

/** What one submit asks of DynamoDB, as consumed capacity per call (architecture.md §3). */
describe('the cost of one submit', () => {
  it('is one counter update, one transaction and a handful of reads — no scan, no second transaction', async () => {
    const [first, second, third] = await prepareContention(stack, deps, {
      programmeId: 'cost',
      places: 1,
      drafts: 3,
    });
    // Publishing started the programme's calendar: let its first step finish, so that only the
    // submit's own calls are counted below.
    capacityStats.reset();
    await vi.waitFor(
      () => {
        // Quiet for a whole interval: no DynamoDB call recorded, no task of the calendar under way.
        const quiet = capacityStats.calls.length === 0 && !stack.workflows.busy;
        capacityStats.reset();
        expect(quiet).toBe(true);
      },
      { timeout: 20_000, interval: 500 },
    );
    // The SMS each submit queues is delivered from the stream by another function: not the submit's cost.
    stack.sms.stream.pause();
    // A warm container has the programme's terms in memory (read in the last few seconds, here by the
    // programme's page): a submit then reads nothing of the programme's partition but its unit's item.
    expect((await stack.call('GET', '/v1/programmes/cost')).status).toBe(200);
    const measured: Record<string, { command: string; read: number; write: number }[]> = {};
    for (const [label, worker] of [
      ['claimed', first],
      ['first join', second],
      ['waitlisted', third],
    ] as const) {
      if (!worker) throw new Error('drafts missing');
      capacityStats.reset();
      const res = await stack.call('POST', `/v1/applications/${worker.id}/submit`, { token: worker.token });
      expect(res.status).toBe(200);
      expect(res.body.quota.state).toBe(label === 'claimed' ? 'claimed' : 'waitlisted');
      measured[label] = [...capacityStats.calls];
    }
    stack.sms.stream.resume();
    for (const [label, calls] of Object.entries(measured)) {
      const commands = calls.map((c) => c.command);
      console.log(
        `submit (${label}): ${calls.length} calls, ${calls.reduce((s, c) => s + c.read, 0)} RCU, ${calls.reduce((s, c) => s + c.write, 0)} WCU —`,
        calls.map((c) => `${c.command.replace('Command', '')} r${c.read} w${c.write}`).join(', '),
      );
      expect(commands.filter((c) => c === 'TransactWriteItemsCommand')).toHaveLength(1);
      expect(commands).not.toContain('ScanCommand');
      // Reads: the application with its documents (one Query) and, unless the unit is known to join
      // by the sequencer, the unit's allocation item (one GetItem, its counters); nothing after the
      // transaction.
      expect(commands.filter((c) => c === 'QueryCommand')).toHaveLength(1);
      const transaction = calls.find((c) => c.command === 'TransactWriteItemsCommand');
      if (label === 'claimed') {
        // A claim: the receipt counter's update, then one transaction of the allocation, the
        // person-and-level item, the application, its event and its SMS (two units per KB each).
        expect(commands.filter((c) => c === 'UpdateItemCommand')).toHaveLength(1);
        expect(commands.filter((c) => c === 'GetItemCommand')).toHaveLength(1);
        expect(transaction?.write).toBeGreaterThanOrEqual(8);
      } else {
        // A join of the full unit: the sequencer's draw on the allocation item (one write unit: the
        // receipt, the slot and the position), then a transaction that does not touch that item — the
        // person-and-level item, the application, its event, the waitlist entry, the draw's
        // settlement item and the SMS. The unit's first join puts its numbering above the claims'
        // first: a draw refused (a failed call, which records no capacity), a read and one more update.
        for (const update of calls.filter((c) => c.command === 'UpdateItemCommand')) {
          expect(update.write).toBe(1);
        }
        expect(commands.filter((c) => c === 'UpdateItemCommand')).toHaveLength(
          label === 'first join' ? 2 : 1,
        );
        // Its draw having succeeded, the ledger knows the unit joins by the sequencer: the next join
        // draws at once, reading nothing of the unit.
        expect(commands.filter((c) => c === 'GetItemCommand')).toHaveLength(label === 'first join' ? 2 : 0);
        expect(transaction?.write).toBeGreaterThanOrEqual(10);
      }
    }
  });
});
