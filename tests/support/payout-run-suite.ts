import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { payoutScenario, runPayout, seedPayable, transferUnits } from './payout-run.ts';

/**
 * The payout run's real ASL through the local runner, with the `payouts` function's real code:
 * `instructions` instructions with 10% transient rail errors, timeouts, lost answers and crashes between
 * the rail's answer and the state write, drawn from seeded generators (the same faults every run).
 * Every key is paid exactly once, totals reconcile, a second run pays nothing. `npm test` runs a small
 * one (`tests/integration/payout-run.test.ts`), `npm run test:soak` the 10,000-instruction proof.
 */
export function payoutRunSuite(INSTRUCTIONS: number, options: { seed: number; timeoutMs: number }) {
  const APPLICATIONS = INSTRUCTIONS - transferUnits; // worker payments; the rest are city → unit transfers

  describe(`payout run of ${INSTRUCTIONS} instructions, locally, with faults (design §4)`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edu-subsidy-payout-'));
    let scenario: Awaited<ReturnType<typeof payoutScenario>>;

    beforeAll(async () => {
      const started = performance.now();
      scenario = await payoutScenario({
        applications: APPLICATIONS,
        faults: {
          transientRate: 0.1,
          timeoutRate: 0.01,
          lostAnswerRate: 0.02,
          crashRate: 0.005,
          seed: options.seed,
        },
        dataDir,
        dynamodbEndpoint: inject('dynamodbEndpoint'),
        s3Endpoint: inject('s3Endpoint'),
      });
      console.info('payout run figures', {
        seedMs: scenario.seedMs,
        auditMs: scenario.auditMs,
        first: { ...scenario.first, totals: undefined },
        secondMs: scenario.second.ms,
        ledger: scenario.ledger,
        statuses: scenario.statuses,
        stats: scenario.stats,
        scenarioMs: Math.round(performance.now() - started),
      });
    }, options.timeoutMs);

    afterAll(async () => {
      await scenario?.stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it(`pays every one of ${INSTRUCTIONS} instructions exactly once despite the faults`, () => {
      expect(scenario.first.executionStatus).toBe('SUCCEEDED');
      expect(scenario.first.status).toBe('succeeded');
      expect(scenario.first.planned).toBe(INSTRUCTIONS);
      expect(scenario.first.paid).toBe(INSTRUCTIONS);
      expect(scenario.first.failed).toBe(0);
      expect(scenario.statuses).toEqual({ paid: INSTRUCTIONS });
      // The sandbox ledger holds each key once, and no key was written twice.
      expect(scenario.ledger).toEqual({ entries: INSTRUCTIONS, duplicates: 0 });
      expect(scenario.stats.ledgerWrites).toBe(INSTRUCTIONS);
    });

    it('went through the faults: retried pages, repeated keys answered from the ledger', () => {
      expect(scenario.stats.transient).toBeGreaterThan(INSTRUCTIONS * 0.05);
      expect(scenario.stats.lostAnswers).toBeGreaterThan(0);
      expect(scenario.stats.crashedPages).toBeGreaterThan(0);
      expect(scenario.stats.railRepeats).toBeGreaterThanOrEqual(scenario.stats.lostAnswers);
      // More page attempts than pages: crashed and incomplete pages were run again.
      expect(scenario.stats.pageAttempts).toBeGreaterThan(Math.ceil(APPLICATIONS / 100) + 1);
    });

    it('reconciles each funder’s money that reached workers, counted once', () => {
      const total = (id: string) => scenario.first.totals.find((t) => t.funderOrgId === id)?.totalFen;
      expect(scenario.first.problems).toEqual([]);
      expect(total('sd')).toBe(APPLICATIONS * 100_000);
      expect(total('lc')).toBe(APPLICATIONS * 100_000);
      // 东昌府区's own share funds its first 100 holders only.
      expect(total('lc-dongchangfu')).toBe(Math.min(100, Math.ceil(APPLICATIONS / 12)) * 50_000);
    });

    it('pays nothing on a second run right after', () => {
      expect(scenario.second.status).toBe('succeeded');
      expect(scenario.second.planned).toBe(0);
      expect(scenario.second.totals).toEqual([]);
    });

    it('succeeds empty over a programme with nothing payable', async () => {
      const { deps, stack } = scenario;
      await seedPayable(deps, 'payout-empty', 0);
      const run = await runPayout(deps, stack, 'payout-empty', 'payout-empty-run');
      expect(run).toMatchObject({
        executionStatus: 'SUCCEEDED',
        status: 'succeeded',
        planned: 0,
        paid: 0,
        failed: 0,
      });
    });

    it('pays a small programme in full, then nothing', async () => {
      const { deps, stack } = scenario;
      await seedPayable(deps, 'payout-small', 24);
      const first = await runPayout(deps, stack, 'payout-small', 'payout-small-1');
      expect(first).toMatchObject({
        status: 'succeeded',
        planned: 24 + transferUnits,
        paid: 24 + transferUnits,
      });
      const again = await runPayout(deps, stack, 'payout-small', 'payout-small-2');
      expect(again).toMatchObject({ status: 'succeeded', planned: 0 });
    });
  });
}
