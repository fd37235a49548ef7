import { presignDownload } from '../adapters/attachment-store.ts';
import { actingOrg, type Caller } from '../domain/caller.ts';
import { mayActOn } from '../domain/orgs.ts';
import { notFound } from '../errors.ts';
import type { Settlement } from '../model/payout.ts';
import type { BankResultsBody } from '../schemas/payouts.ts';
import type { BankResultsReport } from '../schemas/views/payouts.ts';
import type { Deps } from './deps.ts';
import { finishRun } from './payout-settlement.ts';

/** How long a bank file link lives (architecture.md §5: a presigned GET of a few minutes). */
const DOWNLOAD_SECONDS = 5 * 60;
/** What a failed line records when the bank's file gives no reason. */
const UNSTATED_REASON = 'bank_failed: 银行未说明原因';

/** The run and the payer's file, when the caller is an admin of the payer org or above it; 404 otherwise. */
async function visibleFile(deps: Deps, caller: Caller, runId: string, payerOrgId: string) {
  const [run, payer] = await Promise.all([deps.payouts.getRun(runId), deps.orgs.get(payerOrgId)]);
  const file = run?.bankFiles?.find((f) => f.payerOrgId === payerOrgId);
  // Never leak that a run or a file exists to someone who may not see it (architecture.md §5).
  if (!run || !payer || !file || !mayActOn(actingOrg(caller), payer)) throw notFound('银行批量文件不存在');
  return { run, file };
}

/**
 * `GET /payout-runs/{runId}/bank-files/{payerOrgId}`: a presigned GET of the payer's batch file, for
 * admins of that org or an org above it; every link handed out is recorded under the run (who, for
 * which org, when), as the file holds account numbers (PIPL).
 */
export async function downloadBankFile(
  deps: Deps,
  caller: Caller,
  runId: string,
  payerOrgId: string,
  now: Date,
) {
  const { file } = await visibleFile(deps, caller, runId, payerOrgId);
  const link = await presignDownload(
    await deps.s3(),
    deps.config.bucketName,
    file.objectKey,
    DOWNLOAD_SECONDS,
  );
  await deps.payouts.appendAudit(runId, {
    action: 'bank_file_downloaded',
    at: now.toISOString(),
    actor: caller.sub,
    ...(caller.org ? { orgId: caller.org } : {}),
    payerOrgId,
    objectKey: file.objectKey,
  });
  return { ...link, payerOrgId, lines: file.lines, totalFen: file.totalFen };
}

/**
 * `POST /payout-runs/{runId}/bank-results`: the bank's result file of one payer (converted to JSON by
 * the console) settles each line `sending → paid | failed` by a conditional write. A line's first
 * result is final: a repeated import, or a later "correction" of a line, changes nothing and is
 * reported `unchanged` — a failed payment is paid by a new run, which plans it again. A key that is
 * not a line of this payer's file is reported per line. When no line of any file waits any more, the
 * run is reconciled and ends `succeeded` or `failed` (with each failed line's reason).
 */
export async function importBankResults(
  deps: Deps,
  caller: Caller,
  runId: string,
  body: BankResultsBody,
  now: Date,
): Promise<BankResultsReport> {
  // The files and `awaiting_bank` are recorded together: before that there is no file, hence 404.
  const { run } = await visibleFile(deps, caller, runId, body.payerOrgId);
  const seen = new Set<string>();
  const unique = body.lines.filter((l) => !seen.has(l.key) && seen.add(l.key));
  const lines = await deps.bankFiles.linesByKey(
    runId,
    body.payerOrgId,
    unique.map((l) => l.key),
  );
  const instructions = new Map(
    (
      await deps.instructions.bySortKeys(runId, [...new Set([...lines.values()].map((l) => l.instructionSk))])
    ).map((i) => [i.sk, i]),
  );

  type Outcome = BankResultsReport['lines'][number];
  const outcomes = new Map<string, Outcome>();
  const settlements: Settlement[] = [];
  for (const result of unique) {
    const line = lines.get(result.key);
    const instruction = line ? instructions.get(line.instructionSk) : undefined;
    if (!line || !instruction) {
      outcomes.set(result.key, { key: result.key, outcome: 'unknown_key' });
    } else if (instruction.status !== 'sending') {
      outcomes.set(result.key, { key: result.key, outcome: 'unchanged', status: instruction.status });
    } else {
      settlements.push({
        i: instruction,
        outcome: {
          status: result.status,
          reference: result.reference ?? line.reference,
          ...(result.status === 'failed' ? { reason: result.reason ?? UNSTATED_REASON } : {}),
        },
      });
    }
  }
  // Lines and the run's counters move together; a line another import settled first stays unchanged.
  const settled = new Set(
    run.status === 'awaiting_bank'
      ? await deps.instructions.settleBankResults(runId, settlements, now.toISOString())
      : [],
  );
  let paid = 0;
  let failed = 0;
  for (const s of settlements) {
    if (!settled.has(s)) {
      outcomes.set(s.i.key, { key: s.i.key, outcome: 'unchanged' });
      continue;
    }
    outcomes.set(s.i.key, { key: s.i.key, outcome: s.outcome.status });
    if (s.outcome.status === 'paid') paid++;
    else failed++;
  }

  let status: BankResultsReport['runStatus'] = run.status;
  if (run.status === 'awaiting_bank') {
    // A run whose lines are all settled ends, whatever import settled the last one.
    const waiting = (await deps.instructions.ofRun(runId)).some((i) => i.status === 'sending');
    const current = await deps.payouts.getRun(runId);
    status = current?.status ?? status;
    if (!waiting && current?.status === 'awaiting_bank') {
      status = (await finishRun(deps, runId, await deps.instructions.ofRun(runId), null, now)).status;
    }
  }

  const reportedOnce = new Set<string>();
  const reported = body.lines.map((l): Outcome => {
    if (reportedOnce.has(l.key)) return { key: l.key, outcome: 'duplicate' };
    reportedOnce.add(l.key);
    return outcomes.get(l.key) as Outcome;
  });
  const countOf = (o: Outcome['outcome']) => reported.filter((r) => r.outcome === o).length;
  return {
    runId,
    payerOrgId: body.payerOrgId,
    runStatus: status,
    counts: {
      paid,
      failed,
      unchanged: countOf('unchanged'),
      unknown: countOf('unknown_key'),
    },
    lines: reported,
  };
}
