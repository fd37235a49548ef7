import { MAX_IMPORT_ROWS, type SheetCell } from '../domain/catalogue.ts';

/**
 * .xlsx in and out, through exceljs. exceljs is imported on first use only, so no function's cold
 * start pays for it and only the admin routes that read or write a workbook load it; the deployed
 * catalogue function ships it beside its bundle, not in it (`lazyModules`, infra/constructs/route-functions.ts).
 */

/** The file is not a workbook this adapter will read (not an .xlsx, damaged, or too large unpacked). */
export class UnreadableWorkbook extends Error {
  override readonly name = 'UnreadableWorkbook';
}

/** Most bytes an .xlsx may unpack to: a list of a thousand rows unpacks to well under 1 MB. */
const MAX_UNPACKED_BYTES = 20 * 1024 * 1024;
const MAX_ENTRIES = 500;
const MAX_COLUMNS = 40;

type ExcelModule = typeof import('exceljs');
let excel: Promise<ExcelModule> | undefined;
function loadExcel(): Promise<ExcelModule> {
  excel ??= import('exceljs').then((m) => (m as unknown as { default?: ExcelModule }).default ?? m);
  return excel;
}

/**
 * Refuses, before exceljs inflates anything, a file that is not a zip archive or whose central
 * directory declares more than {@link MAX_UNPACKED_BYTES} (a "zip bomb" would otherwise exhaust the
 * function's memory: a 500 instead of the contract's 400).
 */
export function assertZipWithinLimits(bytes: Buffer): void {
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (bytes.length < 22 || bytes.readUInt32LE(0) !== 0x04034b50 || eocd < 0 || eocd + 22 > bytes.length) {
    throw new UnreadableWorkbook('not a zip archive');
  }
  const entries = bytes.readUInt16LE(eocd + 10);
  let offset = bytes.readUInt32LE(eocd + 16);
  if (entries > MAX_ENTRIES) throw new UnreadableWorkbook('too many entries');
  let unpacked = 0;
  for (let i = 0; i < entries; i++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== 0x02014b50) {
      throw new UnreadableWorkbook('damaged central directory');
    }
    unpacked += bytes.readUInt32LE(offset + 24);
    // ZIP64 entries (sizes of 0xFFFFFFFF) count as too large.
    if (unpacked > MAX_UNPACKED_BYTES) throw new UnreadableWorkbook('unpacks too large');
    offset +=
      46 +
      bytes.readUInt16LE(offset + 28) +
      bytes.readUInt16LE(offset + 30) +
      bytes.readUInt16LE(offset + 32);
  }
}

/** An exceljs cell value as plain data: rich text joined, a formula's result, a link's text. */
function plainCell(value: unknown): SheetCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) {
      return v.richText.map((part) => String((part as { text?: unknown }).text ?? '')).join('');
    }
    if ('result' in v) return plainCell(v.result);
    if ('formula' in v || 'sharedFormula' in v) return null;
    if (typeof v.text === 'string') return v.text;
    if ('error' in v) return String(v.error);
  }
  return String(value);
}

/**
 * The first worksheet of an .xlsx as rows of plain cells (row 1 first). Reads at most the rows an
 * import may hold, plus one so that a longer file is refused by the row check rather than read whole.
 *
 * @throws UnreadableWorkbook for anything exceljs cannot read as a workbook with a worksheet.
 */
export async function readFirstSheet(bytes: Buffer): Promise<SheetCell[][]> {
  assertZipWithinLimits(bytes);
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new UnreadableWorkbook('exceljs could not read the file', { cause: err });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new UnreadableWorkbook('no worksheet');
  const columns = Math.min(sheet.columnCount, MAX_COLUMNS);
  const rows: SheetCell[][] = [];
  const last = Math.min(sheet.rowCount, MAX_IMPORT_ROWS + 2);
  for (let r = 1; r <= last; r++) {
    const row = sheet.getRow(r);
    const cells: SheetCell[] = [];
    for (let c = 1; c <= columns; c++) cells.push(plainCell(row.getCell(c).value));
    rows.push(cells);
  }
  return rows;
}

/** One worksheet with a bold header row, as .xlsx bytes (the console's `导出 Excel`). */
export async function writeWorkbook(
  sheetName: string,
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): Promise<Buffer> {
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow([...header]).font = { bold: true };
  for (const row of rows) sheet.addRow([...row]);
  sheet.columns.forEach((column) => {
    column.width = 16;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
