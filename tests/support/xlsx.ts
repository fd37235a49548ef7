import ExcelJS from 'exceljs';

/** The import template's header row (issue 16), columns A–J. */
export const importHeader = [
  '院校名称',
  '学校标识码',
  '院校类型',
  '所在城市',
  '专业名称',
  '学历层次',
  '学习形式',
  '学制（年）',
  '学费（元/年）',
  '专业类别',
] as const;

/** An .xlsx with one worksheet of `rows` (the first is the header), as bytes. */
export async function xlsxBytes(rows: readonly (readonly (string | number | null)[])[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('合作院校专业');
  for (const row of rows) sheet.addRow([...row]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The same, base64 as the import route takes it. */
export async function xlsxBase64(rows: readonly (readonly (string | number | null)[])[]): Promise<string> {
  return (await xlsxBytes(rows)).toString('base64');
}

/** The first worksheet of an .xlsx (base64) as rows of cell values. */
export async function readXlsx(base64: string): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(base64, 'base64') as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  const rows: unknown[][] = [];
  sheet?.eachRow((row) => {
    rows.push((row.values as unknown[]).slice(1));
  });
  return rows;
}
