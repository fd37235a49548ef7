/**
 * The bank batch file of the `bank_file` rail (design §4, R7, R13): one CSV per paying org and run,
 * uploaded by that org to its bank, whose result file is imported back line by line. Pure: rows in,
 * bytes out; the caller decrypts account numbers just before and never logs a row.
 */

import { displaySafe } from './text.ts';

/** One line of a payer's batch file, with the payee's real account number (file only, never a log). */
export interface BankFileRow {
  /** The instruction's idempotency key: the line's id at the bank and in the result file. */
  key: string;
  /** 收款户名: the worker's account holder name, or the receiving union for a transfer. */
  payeeName: string;
  /** 收款账号: the plain bank card number; empty for a union transfer (the org keeps no account here). */
  accountNumber: string;
  /** 开户行 */
  bankName: string;
  amountFen: number;
  /** 用途 */
  purpose: string;
  /** 备注: `app:{applicationId}` or `org:{orgId}`, for matching a line to its payee without personal data. */
  payeeRef: string;
}

/** The file's header row: what a bank operator and Excel see. */
export const BANK_FILE_HEADER = [
  '业务编号',
  '收款户名',
  '收款账号',
  '开户行',
  '金额(元)',
  '用途',
  '备注',
] as const;

/** Byte order mark: without it Excel opens a UTF-8 CSV as GBK and the Chinese is garbled. */
export const UTF8_BOM = '\uFEFF';

/**
 * Integer fen as yuan with exactly two decimals, by integer arithmetic (never floating point, R6).
 *
 * @example yuan(250000) // '2500.00'
 * @example yuan(5) // '0.05'
 */
export function yuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`amount ${fen} is not integer fen`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${(abs % 100).toString().padStart(2, '0')}`;
}

/** The purpose text of a line (用途). */
export function bankPurpose(kind: 'transfer' | 'payment', programmeId: string): string {
  return kind === 'transfer' ? `求学圆梦行动补助拨付 ${programmeId}` : `求学圆梦行动补助 ${programmeId}`;
}

/**
 * One CSV field: quoted when it holds a comma, quote or line break; a leading `= + - @` (a formula
 * to Excel) is defused with a quote character, so a worker's name can never run in the officer's Excel.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * A payer's batch file: BOM, header, one CRLF-terminated line per row in the given order. Every
 * field is NFC with zero-width, bidirectional and control characters and lone surrogates removed.
 *
 * @example
 * renderBankFile([{ key: 'k1', payeeName: '张三', accountNumber: '6222…', bankName: '工行',
 *   amountFen: 250000, purpose: bankPurpose('payment', 'lc-2022'), payeeRef: 'app:a1' }]);
 */
export function renderBankFile(rows: readonly BankFileRow[]): Buffer {
  const lines = [
    BANK_FILE_HEADER.join(','),
    ...rows.map((r) =>
      [r.key, r.payeeName, r.accountNumber, r.bankName, yuan(r.amountFen), r.purpose, r.payeeRef]
        // Defence in depth (issue 10 point 9): the API refuses hidden and direction-changing
        // characters, but a record stored before that check must not reach the bank either — a
        // `\u202e` would make the operator read 张三 where the file says 三张.
        .map((field) => csvField(displaySafe(field)))
        .join(','),
    ),
  ];
  return Buffer.from(`${UTF8_BOM}${lines.join('\r\n')}\r\n`);
}
