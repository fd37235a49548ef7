import { expect } from 'vitest';
import type { TestStack } from '../integration/harness.ts';
import { runReaching } from './api.ts';

/**
 * A payer's bank file of a run, fetched through its presigned link as the payer's admin would, and
 * read with a minimal CSV reader (the file has no quoted fields): the link, the first bytes (the
 * UTF-8 BOM), the line ends, the header and each line by column.
 */
export async function downloadBankFile(stack: TestStack, runId: string, payerOrgId: string, token: string) {
  const res = await stack.call('GET', `/v1/payout-runs/${runId}/bank-files/${payerOrgId}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const file = await fetch(res.body.url as string);
  expect(file.status).toBe(200);
  const bytes = Buffer.from(await file.arrayBuffer());
  const text = bytes.toString('utf8');
  const [header, ...rows] = text.slice(1).split('\r\n').filter(Boolean);
  return {
    link: res.body,
    bom: [...bytes.subarray(0, 3)],
    endsWithCrlf: text.endsWith('\r\n'),
    header: header?.split(','),
    rows: rows.map((r) => {
      const [key, payee, account, bank, amount, purpose, ref] = r.split(',');
      return { key, payee, account, bank, amount, purpose, ref } as Record<string, string>;
    }),
  };
}

/** A payout run of `programmeId` started by `admin`, once its bank files are written; its id. */
export async function runAwaitingBank(stack: TestStack, admin: string, programmeId: string): Promise<string> {
  const started = await stack.call('POST', `/v1/programmes/${programmeId}/payout-runs`, {
    token: admin,
    body: {},
  });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const runId = started.body.runId as string;
  await runReaching(stack, admin, runId, ['awaiting_bank']);
  return runId;
}

/** Imports a payer's bank results into a run; the import's answer. */
export async function importBankResults(
  stack: TestStack,
  runId: string,
  token: string,
  body: { payerOrgId: string; lines: unknown[] },
) {
  const res = await stack.call('POST', `/v1/payout-runs/${runId}/bank-results`, { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/**
 * The bank's answer to a payer's whole file of a run: every line `status` (a failure with `reason`).
 * Answers the file's rows, as `downloadBankFile` read them.
 */
export async function answerBankFile(
  stack: TestStack,
  runId: string,
  payerOrgId: string,
  token: string,
  status: 'paid' | 'failed',
  reason = '账户已销户',
) {
  const { rows } = await downloadBankFile(stack, runId, payerOrgId, token);
  await importBankResults(stack, runId, token, {
    payerOrgId,
    lines: rows.map(({ key }) => ({ key, status, ...(status === 'failed' ? { reason } : {}) })),
  });
  return rows;
}
