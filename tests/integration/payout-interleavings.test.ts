import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationKey, statusIndex } from '../../shared/adapters/keys.ts';
import { PaymentsHeld, PayoutRunOpen } from '../../shared/adapters/persistence-errors.ts';
import { BankFileStore } from '../../shared/adapters/rails/bank-file.ts';
import { paymentRails } from '../../shared/adapters/rails/index.ts';
import type { RailName } from '../../shared/adapters/rails/rail.ts';
import { loadConfig } from '../../shared/config.ts';
import { transferShareKey } from '../../shared/domain/payout.ts';
import { AppError } from '../../shared/errors.ts';
import type { Caller } from '../../shared/http/auth.ts';
import type { PayoutHoldRecord } from '../../shared/model/payout.ts';
import { importBankResults } from '../../shared/services/bank-files.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { PayPageCrashed, payPageFaults } from '../../shared/services/payout-faults.ts';
import { PayPageIncomplete, payPage } from '../../shared/services/payout-page.ts';
import { PlanInProgress, PlanLeaseLost, planRun } from '../../shared/services/payout-plan.ts';
import { finishRun, reconcileRun } from '../../shared/services/payout-settlement.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { revokeApplication } from '../../shared/services/revocations.ts';
import { withdraw } from '../../shared/services/submission.ts';
import { submitThroughLedger } from '../support/ledger-fixtures.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * Random interleavings of payout runs (sandbox and bank-file rails), crashes between the rail's
 * answer and its record, runs given up mid-way, bank result imports, withdrawals and revocations, on
 * DynamoDB Local. After every step the money the rails moved is checked against what the approved
 * applications holding a place are owed: no funder pays more than that, no application is paid
 * twice, no share is transferred twice, and no paid application ever gave up its place.
 */
let stack: TestStack;
let deps: Deps;
let rails: ReturnType<typeof paymentRails>;
const cityAdmin: Caller = { sub: 'admin-lc', role: 'admin', org: 'lc' };
const SHARE = 100_000;
const COUNTY_SHARE = 50_000;
const units = { county: 'lc-chiping', direct: 'lc-shizhi' } as const;

beforeAll(async () => {
  stack = await startTestStack({ workflows: { resume: false } });
  deps = createDeps(loadConfig());
  rails = paymentRails(deps.db, deps.config.tableName, { STAGE: 'local' });
}, 120_000);
afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

const step = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('start' as const),
      rail: fc.constantFrom<RailName>('sandbox', 'bank_file'),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('plan' as const) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('pay' as const),
      crashes: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('reconcile' as const), error: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('giveUp' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('import' as const),
      outcomes: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('withdraw' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revoke' as const), pick: fc.nat() }) },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

/**
 * Two steps fired at once, as production meets them: a page retried while its first invocation still
 * pays, a Plan next to a withdrawal, a bank result file imported twice, a revocation during a run.
 */
const together = fc.record({
  op: fc.constant('together' as const),
  steps: fc.tuple(
    step.filter((s) => s.op !== 'start'),
    step.filter((s) => s.op !== 'start'),
  ),
});

let programmes = 0;

async function newProgramme(): Promise<{ programmeId: string; apps: { id: string; unit: string }[] }> {
  const programmeId = `pi-${++programmes}-${Math.random().toString(36).slice(2, 6)}`;
  const at = new Date().toISOString();
  await deps.programmes.create({
    id: programmeId,
    title: 'interleavings',
    ownerOrgId: 'lc',
    year: 2026,
    enrolmentYear: 2026,
    applicationWindow: { opensOn: '2026-01-01', closesOn: '2026-11-30' },
    reviewBatches: [{ id: 'b1', opensOn: '2026-05-01', closesOn: '2026-12-09' }],
    levels: ['junior_college'],
    allocations: [
      {
        unitOrgId: units.county,
        places: 2,
        funding: [
          { funderOrgId: 'sd', amountFen: SHARE },
          { funderOrgId: 'lc', amountFen: SHARE },
          { funderOrgId: units.county, amountFen: COUNTY_SHARE },
        ],
      },
      {
        unitOrgId: units.direct,
        places: 1,
        funding: [
          { funderOrgId: 'sd', amountFen: SHARE },
          { funderOrgId: 'lc', amountFen: SHARE },
        ],
      },
    ],
    allocationPolicy: 'first_come_first_served',
    createdAt: at,
  });
  // Three workers of 茌平 for two places, two of 市直 for one: each unit has someone waiting.
  // a1 and a3 are paid to bank accounts, which the bank file pays too; the others to wallets,
  // which it refuses.
  const apps = [units.county, units.county, units.county, units.direct, units.direct].map((unit, n) => ({
    id: `${programmeId}-a${n}`,
    unit,
    bank: n % 2 === 1,
  }));
  for (const app of apps) {
    const outcome = await submitThroughLedger(deps, app.id, programmeId, app.unit);
    // Approved along the chain (review is not what is tested here), waitlisted ones too.
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.config.tableName,
        Key: applicationKey(app.id),
        // Real ciphertexts of the phone and account: the owner's view and the bank file decrypt them.
        UpdateExpression:
          'SET #s = :approved, gsi3pk = :pk, gsi3sk = :sk, applicant.phone = :phone, payoutAccount = :account REMOVE gsi2pk, gsi2sk',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':phone': { cipher: await deps.cipher().encrypt('13800001001'), masked: '138****1001' },
          ':account': app.bank
            ? {
                kind: 'bank',
                bankName: '中国工商银行聊城分行',
                accountName: '测试职工',
                accountNumber: {
                  cipher: await deps.cipher().encrypt('6222021609001234567'),
                  masked: '6222****4567',
                },
              }
            : {
                kind: 'wallet',
                walletId: { cipher: await deps.cipher().encrypt('wx-0001'), masked: 'wx-****01' },
              },
          ':approved': 'approved',
          ':pk': statusIndex(programmeId, 'approved', outcome.sequence, app.unit).gsi3pk,
          ':sk': statusIndex(programmeId, 'approved', outcome.sequence, app.unit).gsi3sk,
        },
      }),
    );
  }
  return { programmeId, apps };
}

/**
 * In a race, another Plan of the run holds the lease (the state machine retries that one), or the run
 * ended while this Plan ran (nothing of it is recorded).
 */
const raced =
  (together: boolean) =>
  (err: unknown): undefined => {
    if (together && (err instanceof PlanInProgress || err instanceof PlanLeaseLost)) return undefined;
    throw err;
  };

const expectedRefusal = (err: unknown) => {
  if (err instanceof AppError && err.code === 'invalid_state') return;
  throw err;
};

/** Everything the table says about a programme's money and places. */
async function money(programmeId: string) {
  const all: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await deps.db.send(
      new ScanCommand({ TableName: deps.config.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    all.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  const holds = new Map(
    all
      .filter((i) => i.type === 'payout-hold' && i.programmeId === programmeId)
      .map((h) => [h.key as string, h as unknown as PayoutHoldRecord]),
  );
  const instructions = all.filter((i) => i.type === 'payout-instruction' && i.programmeId === programmeId);
  const runs = new Map(
    all.filter((i) => i.type === 'payout-run' && i.programmeId === programmeId).map((r) => [r.runId, r]),
  );
  // What really moved: the sandbox ledger's entries, and bank lines the bank confirmed.
  const sandboxPaid = all
    .filter((i) => i.type === 'sandbox-ledger' && runs.has(i.runId))
    .map((i) => i.key as string);
  const bankPaid = instructions
    .filter((i) => i.status === 'paid' && runs.get(i.runId)?.rail === 'bank_file')
    .map((i) => i.key as string);
  const apps = all.filter((i) => i.type === 'application' && i.programmeId === programmeId);
  return { holds, sandboxPaid, bankPaid, apps, runs };
}

async function checkMoney(programmeId: string) {
  const { holds, sandboxPaid, bankPaid, apps } = await money(programmeId);
  const moved = [...sandboxPaid, ...bankPaid];
  // A key moves money once, whichever rail and run.
  expect(new Set(moved).size, 'a key paid twice').toBe(moved.length);
  const byApp = new Map(apps.map((a) => [a.id as string, a]));
  const owedPerApp = (unit: string) => (unit === units.county ? 2 * SHARE + COUNTY_SHARE : 2 * SHARE);
  const paidPerApp = new Map<string, number>();
  const transferredShares: string[] = [];
  const transferredByFunder = new Map<string, number>();
  const paidByFunder = new Map<string, number>();
  for (const key of moved) {
    const hold = holds.get(key);
    expect(hold, `money moved under ${key} without a hold`).toBeDefined();
    if (!hold) continue;
    if (hold.kind === 'transfer') {
      transferredShares.push(...(hold.shareKeys ?? []));
      for (const p of hold.funding)
        transferredByFunder.set(p.funderOrgId, (transferredByFunder.get(p.funderOrgId) ?? 0) + p.amountFen);
      continue;
    }
    const app = byApp.get(hold.applicationId as string);
    // A paid application keeps its place for good: never withdrawn, rejected or lapsed.
    expect(['approved', 'revoked']).toContain(app?.status);
    expect(app?.quotaState).toBe('claimed');
    paidPerApp.set(
      hold.applicationId as string,
      (paidPerApp.get(hold.applicationId as string) ?? 0) + hold.amountFen,
    );
    for (const p of hold.funding)
      paidByFunder.set(p.funderOrgId, (paidByFunder.get(p.funderOrgId) ?? 0) + p.amountFen);
  }
  expect(new Set(transferredShares).size, 'a share transferred twice').toBe(transferredShares.length);
  for (const [id, fen] of paidPerApp) {
    expect(fen, `application ${id} paid more than it is owed`).toBeLessThanOrEqual(
      owedPerApp(byApp.get(id)?.unitOrgId as string),
    );
  }
  // No funder's money exceeds what the approved applications holding a place are owed.
  const holding = apps.filter(
    (a) => ['approved', 'revoked'].includes(a.status as string) && a.quotaState === 'claimed',
  );
  const owed = (funder: string) =>
    holding.reduce(
      (n, a) => n + (funder === units.county ? (a.unitOrgId === units.county ? COUNTY_SHARE : 0) : SHARE),
      0,
    );
  for (const funder of ['sd', 'lc', units.county]) {
    expect(paidByFunder.get(funder) ?? 0, `${funder} paid workers`).toBeLessThanOrEqual(owed(funder));
    expect(transferredByFunder.get(funder) ?? 0, `${funder} transferred`).toBeLessThanOrEqual(owed(funder));
  }
}

/**
 * A bank_file run planned, paid and reconciled: its transfer and the bank accounts' payments wait for
 * the bank; the wallets' payments failed.
 */
async function bankRunAwaiting(programmeId: string, runId: string) {
  const at = new Date().toISOString();
  const created = await deps.payouts.createRun({
    runId,
    programmeId,
    requestedBy: 'test',
    rail: 'bank_file',
    status: 'running',
    createdAt: at,
    updatedAt: at,
  });
  expect(created).toBe(true);
  const plan = await planRun(deps, runId, programmeId, new Date());
  for (const page of [...plan.transferPages, ...plan.paymentPages])
    await payPage(deps, rails('bank_file'), page);
  await reconcileRun(deps, runId, null, new Date());
  expect((await deps.payouts.getRun(runId))?.status).toBe('awaiting_bank');
}

const sharesHeld = async (applicationId: string) =>
  [...((await deps.applications.bundle(applicationId))?.application.sharesHeld ?? [])].sort();

/** The province's and the city's shares of a 茌平 application, as the city's transfer carries them. */
const sharesOf = (programmeId: string, applicationId: string) =>
  ['sd', 'lc'].map((funder) => transferShareKey(programmeId, applicationId, funder, 'lc')).sort();

const withdrawOf = (applicationId: string) =>
  withdraw(
    deps,
    { sub: `worker-${applicationId}`, role: 'worker', org: undefined },
    applicationId,
    new Date(),
  );

describe('a transfer carrying a worker’s shares ties the place to the worker (architecture.md §4, R7)', () => {
  // Seen in a random interleaving: the city's transfer to 茌平 carried a0's and a1's shares to the bank;
  // their wallet payments failed on the bank rail, both withdrew, a2 took the place, and the bank then
  // confirmed the transfer: the province had sent 茌平 money for a place nobody held.
  it('refuses the withdrawal while the transfer is held or paid, and allows it once the transfer failed', async () => {
    const { programmeId, apps } = await newProgramme();
    const [a0, a1, a2] = apps.map(({ id }) => id) as [string, string, string];
    const runId = `${programmeId}-r1`;
    await bankRunAwaiting(programmeId, runId);
    const transfer = (await deps.instructions.ofRun(runId)).find((i) => i.kind === 'transfer');
    expect(transfer?.applicationIds?.sort()).toEqual([a0, a1].sort());
    // a0's wallet cannot be paid by a bank file: its payment failed at once, and holds nothing.
    const payments = (await deps.instructions.ofRun(runId)).filter((i) => i.kind === 'payment');
    expect(payments.find((p) => p.applicationId === a0)?.status).toBe('failed');
    expect((await deps.applications.bundle(a0))?.application.paymentsHeld).toBe(0);
    // a1's bank account is a line of 茌平's file, awaiting the bank like the transfer.
    expect(payments.find((p) => p.applicationId === a1)).toMatchObject({
      status: 'sending',
      submittedAt: expect.any(String),
    });
    expect(transfer?.shareKeys).toEqual(
      expect.arrayContaining([...sharesOf(programmeId, a0), ...sharesOf(programmeId, a1)]),
    );
    expect(await sharesHeld(a0)).toEqual(sharesOf(programmeId, a0));

    // The payment failed, so no payment holds the place; the transfer in the bank's hands does.
    await expect(withdrawOf(a0)).rejects.toMatchObject({ code: 'invalid_state' });
    // The ledger refuses it too, whatever the caller checked first.
    await expect(
      deps.ledger.release({
        applicationId: a0,
        status: 'withdrawn',
        from: ['approved'],
        at: new Date().toISOString(),
        event: { type: 'withdrawn', at: new Date().toISOString(), orgId: units.county, actor: 'test' },
      }),
    ).rejects.toBeInstanceOf(PaymentsHeld);
    expect((await deps.applications.bundle(a0))?.application.quotaState).toBe('claimed');

    // The bank answers that the transfer failed: the money never left, the marks go, and a0 may leave.
    const lines = await new BankFileStore(deps.db, deps.config.tableName).lines(runId);
    const city = lines.filter((l) => l.key === transfer?.key);
    expect(city).toHaveLength(1);
    await importBankResults(
      deps,
      cityAdmin,
      runId,
      {
        payerOrgId: city[0]?.payerOrgId as string,
        lines: [{ key: transfer?.key as string, status: 'failed' }],
      },
      new Date(),
    );
    expect(await sharesHeld(a0)).toEqual([]);
    expect(await sharesHeld(a1)).toEqual([]);
    await withdrawOf(a0);
    const promoted = (await deps.applications.bundle(a2))?.application;
    expect(promoted?.quotaState).toBe('claimed');
    await checkMoney(programmeId);
  });

  it('a mark left by a settlement that stopped before removing it is forgotten by the next plan', async () => {
    const { programmeId, apps } = await newProgramme();
    const a1 = apps[1]?.id as string;
    // As if a transfer of an earlier run failed and the settlement stopped before its marks went.
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.config.tableName,
        Key: applicationKey(a1),
        UpdateExpression: 'ADD sharesHeld :k',
        ExpressionAttributeValues: { ':k': new Set(['a-share-of-a-failed-transfer']) },
      }),
    );
    await expect(withdrawOf(a1)).rejects.toMatchObject({ code: 'invalid_state' });
    const runId = `${programmeId}-r1`;
    await bankRunAwaiting(programmeId, runId);
    // Only the shares this run's transfer carries mark it now.
    expect(await sharesHeld(a1)).toEqual(sharesOf(programmeId, a1));
  });
});

describe('payout runs under random interleavings (architecture.md §4, R7, R8, R15)', () => {
  it('never pay more than is owed, nor any application twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<RailName>('sandbox', 'bank_file'),
        fc.array(fc.oneof({ weight: 4, arbitrary: step }, { weight: 1, arbitrary: together }), {
          minLength: 6,
          maxLength: 16,
        }),
        async (firstRail, random) => {
          // Every sequence starts by paying a run, so what follows meets money already moved.
          const steps = [
            { op: 'start' as const, rail: firstRail },
            { op: 'plan' as const },
            { op: 'pay' as const, crashes: [false, false, false, false] },
            { op: 'reconcile' as const, error: false },
            ...random,
          ];
          const { programmeId, apps } = await newProgramme();
          let current: { runId: string; rail: RailName } | undefined;
          let n = 0;
          // One step, as its caller would take it; `together`: fired at once with another step, so
          // the refusals a race makes legitimately (another Plan holds the lease) are taken as such.
          const act = async (s: Step, together: boolean) => {
            const run = current ? await deps.payouts.getRun(current.runId) : undefined;
            const status = run?.status;
            if (s.op === 'start') {
              const runId = `${programmeId}-r${++n}`;
              const at = new Date().toISOString();
              const record = {
                runId,
                programmeId,
                requestedBy: 'test',
                rail: s.rail,
                status: 'running' as const,
                createdAt: at,
                updatedAt: at,
              };
              const open = status === 'running' || status === 'paying' || status === 'awaiting_bank';
              if (open) {
                await expect(deps.payouts.createRun(record)).rejects.toBeInstanceOf(PayoutRunOpen);
              } else {
                expect(await deps.payouts.createRun(record)).toBe(true);
                current = { runId, rail: s.rail };
              }
            } else if (s.op === 'plan' && current && status === 'running') {
              await planRun(deps, current.runId, programmeId, new Date()).catch(raced(together));
            } else if (s.op === 'pay' && current && status === 'paying') {
              const plan = await planRun(deps, current.runId, programmeId, new Date()).catch(raced(together));
              if (!plan) return;
              const pages = [...plan.transferPages, ...plan.paymentPages];
              for (const [k, page] of pages.entries()) {
                await payPage(
                  deps,
                  rails(current.rail),
                  page,
                  payPageFaults({ crashRate: s.crashes[k % 4] ? 1 : 0 }),
                ).catch((err) => {
                  if (!(err instanceof PayPageCrashed || err instanceof PayPageIncomplete)) throw err;
                });
              }
            } else if (s.op === 'reconcile' && current && status === 'paying') {
              await reconcileRun(
                deps,
                current.runId,
                s.error ? { Error: 'PayPageCrashed' } : null,
                new Date(),
              );
            } else if (s.op === 'giveUp' && current && (status === 'running' || status === 'paying')) {
              // A run whose execution died and was given up: its unsettled holds wait for the next run.
              await finishRun(
                deps,
                current.runId,
                await deps.instructions.ofRun(current.runId),
                { Error: 'Killed' },
                new Date(),
              );
            } else if (s.op === 'import' && current && status === 'awaiting_bank') {
              const lines = await new BankFileStore(deps.db, deps.config.tableName).lines(current.runId);
              for (const payer of new Set(lines.map((l) => l.payerOrgId))) {
                const mine = lines.filter((l) => l.payerOrgId === payer);
                await importBankResults(
                  deps,
                  cityAdmin,
                  current.runId,
                  {
                    payerOrgId: payer,
                    lines: mine.map((l, k) => ({
                      key: l.key,
                      status: s.outcomes[k % 8] ? 'paid' : 'failed',
                    })),
                  },
                  new Date(),
                );
              }
            } else if (s.op === 'withdraw') {
              const app = apps[s.pick % apps.length] as { id: string };
              await withdraw(
                deps,
                { sub: `worker-${app.id}`, role: 'worker', org: undefined },
                app.id,
                new Date(),
              ).catch(expectedRefusal);
            } else if (s.op === 'revoke') {
              // The unit's admin: the fixture's chain is the unit alone.
              const app = apps[s.pick % apps.length] as { id: string; unit: string };
              const unitAdmin: Caller = { sub: `admin-${app.unit}`, role: 'admin', org: app.unit };
              await revokeApplication(deps, unitAdmin, app.id, { reason: '核查不实' }, new Date()).catch(
                expectedRefusal,
              );
            }
          };
          for (const s of steps) {
            if (s.op === 'together') await Promise.all(s.steps.map((x) => act(x, true)));
            else await act(s, false);
            await checkMoney(programmeId);
            // At most one open run, and it is the one the programme names.
            const openRun = await deps.payouts.openRunOf(programmeId);
            const now = current ? await deps.payouts.getRun(current.runId) : undefined;
            const isOpen =
              now?.status === 'running' || now?.status === 'paying' || now?.status === 'awaiting_bank';
            expect(openRun).toBe(isOpen ? current?.runId : undefined);
          }
        },
      ),
      // A sequence still running after a minute is a failure fast-check reports with its seed and
      // steps, rather than a test that only runs out of time. INTERLEAVINGS_RUNS tries more sequences;
      // INTERLEAVINGS_SEED and INTERLEAVINGS_PATH replay the ones a failure reported.
      {
        numRuns: Number(process.env.INTERLEAVINGS_RUNS ?? 25),
        timeout: 60_000,
        endOnFailure: true,
        ...(process.env.INTERLEAVINGS_SEED ? { seed: Number(process.env.INTERLEAVINGS_SEED) } : {}),
        ...(process.env.INTERLEAVINGS_PATH ? { path: process.env.INTERLEAVINGS_PATH } : {}),
      },
    );
  }, 600_000);
});
