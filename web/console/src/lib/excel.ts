import { api, unwrap } from '../../../shared/api/client.ts';

/** One column of an export: its Chinese header and how a row gives its cell. */
export interface ExcelColumn<T> {
  header: string;
  value: (row: T) => string | number | Date | null | undefined;
  /** `money`: fen shown as 元 with two decimals; `date`: a date cell; `int`: a whole number. */
  kind?: 'text' | 'int' | 'money' | 'date';
  width?: number;
}

export type ExportList =
  | 'review-queue'
  | 'applications'
  | 'quotas'
  | 'programmes'
  | 'payout-runs'
  | 'orgs'
  | 'dashboard'
  | 'notifications';

/**
 * 导出 Excel (architecture.md §7): an .xlsx of exactly the rows the page lists. exceljs is loaded only
 * here, on demand, as its own chunk; the export is recorded first in the org's audit trail, so an
 * export the API did not record never reaches the browser.
 */
export async function exportExcel<T>(options: {
  list: ExportList;
  programmeId?: string | undefined;
  sheet: string;
  fileName: string;
  columns: ExcelColumn<T>[];
  rows: T[];
}): Promise<void> {
  await unwrap(
    api.POST('/v1/audit/exports', {
      body: {
        list: options.list,
        rows: options.rows.length,
        ...(options.programmeId ? { programmeId: options.programmeId } : {}),
      },
    }),
  );
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(options.sheet);
  sheet.columns = options.columns.map((c) => ({
    header: c.header,
    width: c.width ?? Math.max(12, c.header.length * 2 + 4),
    style:
      c.kind === 'money'
        ? { numFmt: '#,##0.00' }
        : c.kind === 'date'
          ? { numFmt: 'yyyy-mm-dd hh:mm' }
          : c.kind === 'int'
            ? { numFmt: '0' }
            : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of options.rows) {
    sheet.addRow(
      options.columns.map((c) => {
        const v = c.value(row);
        if (v === undefined || v === null) return null;
        if (c.kind === 'money' && typeof v === 'number') return Math.round(v) / 100;
        return v;
      }),
    );
  }
  const buffer = await book.xlsx.writeBuffer();
  const blob = new Blob([buffer], {
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = options.fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A date cell for exceljs: Excel has no zones, so the Shanghai wall time is written as if it were UTC
 * (what the sheet shows is what the console shows).
 */
export function shanghaiCell(iso: string | undefined): Date | undefined {
  if (!iso) return undefined;
  return new Date(new Date(iso).getTime() + 8 * 3600_000);
}
