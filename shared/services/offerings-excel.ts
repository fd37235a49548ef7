import { actingOrg, type Caller } from '../domain/caller.ts';
import { type ImportedRow, levelLabels, parseOfferingSheet, studyModeLabels } from '../domain/catalogue.ts';
import { invalid } from '../errors.ts';
import type { InstitutionRecord, OfferingRecord } from '../model/catalogue.ts';
import type { ImportOfferingsBody } from '../schemas/catalogue.ts';
import { rethrowAsContract } from './contract-errors.ts';
import type { Deps } from './deps.ts';
import { assertMayManage, enrolmentCounts, newOffering, programmeOr404 } from './offerings.ts';

/**
 * The catalogue's Excel side (issue 16): a union's .xlsx list imported, the counts exported. Only
 * the catalogue function imports this module; exceljs itself loads on first use.
 */

const cellOrder = (path: string) => {
  const m = /^file\.([A-Z]+)(\d+)$/.exec(path);
  return m ? Number(m[2]) * 1000 + (m[1] as string).length * 100 + (m[1] as string).charCodeAt(0) : 0;
};

/**
 * `POST /programmes/{id}/offerings/import`: a union's .xlsx list (Chinese headers), every row and cell
 * checked before anything is written; errors come back at their cells (`file.C3`) and a file with
 * any error writes nothing. A valid file creates the offerings not yet listed and updates the years,
 * tuition and tags of those that are (importing the same list again changes nothing); rows of a
 * retired offering leave it retired. Institutions not yet registered are registered from their rows.
 */
export async function importOfferings(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  body: ImportOfferingsBody,
  now: Date,
) {
  const programme = await programmeOr404(deps, programmeId);
  await assertMayManage(deps, caller, programme, body.unitOrgId);
  const { readFirstSheet, UnreadableWorkbook } = await import('../adapters/excel.ts');
  let sheet: Awaited<ReturnType<typeof readFirstSheet>>;
  try {
    sheet = await readFirstSheet(Buffer.from(body.file, 'base64'));
  } catch (err) {
    if (err instanceof UnreadableWorkbook) {
      throw invalid(
        [
          {
            path: 'file',
            message: '无法读取文件：请上传 .xlsx 格式的 Excel 文件（不支持 .xls、.csv 或加密的文件）',
          },
        ],
        '无法读取上传的 Excel 文件',
      );
    }
    throw err;
  }
  const { rows, errors } = parseOfferingSheet(sheet);
  const registered = await deps.catalogue.institutions([...new Set(rows.map((r) => r.institutionCode))]);
  for (const row of rows) {
    if (!programme.levels.includes(row.level)) {
      errors.push({
        path: `file.${row.cells.level}`,
        message: `第 ${row.row} 行「学历层次」：本项目不补助${levelLabels[row.level]}层次（R4）`,
      });
    }
    const known = registered.get(row.institutionCode);
    if (known && known.name !== row.institutionName) {
      errors.push({
        path: `file.${row.cells.institutionName}`,
        message: `第 ${row.row} 行「院校名称」：学校标识码 ${row.institutionCode} 已登记为“${known.name}”，请核对院校名称或学校标识码`,
      });
    }
  }
  if (errors.length > 0) {
    throw invalid(
      errors.sort((a, b) => cellOrder(a.path) - cellOrder(b.path)),
      `文件有 ${errors.length} 处错误，未导入任何数据；请按标出的单元格修改后重新导入`,
    );
  }

  const existing = new Map((await deps.catalogue.catalogue(programmeId)).map((o) => [o.offeringId, o]));
  const at = now.toISOString();
  const newInstitutions = new Map<string, InstitutionRecord>();
  const creates: OfferingRecord[] = [];
  const updates: OfferingRecord[] = [];
  let unchanged = 0;
  let retired = 0;
  const offeringIds: string[] = [];
  for (const row of rows) {
    const institution =
      registered.get(row.institutionCode) ?? registerFromRow(row, caller, at, newInstitutions);
    const fresh = newOffering(programmeId, caller, institution, { ...row, unitOrgId: body.unitOrgId }, now);
    offeringIds.push(fresh.offeringId);
    const current = existing.get(fresh.offeringId);
    if (!current) creates.push(fresh);
    else if (current.status === 'retired') retired++;
    else if (sameTerms(current, row)) unchanged++;
    else
      updates.push({
        ...current,
        years: row.years,
        tuitionFen: row.tuitionFen,
        tags: row.tags,
        updatedAt: at,
      });
  }
  await deps.catalogue
    .writeImport({ programmeId, institutions: [...newInstitutions.values()], creates, updates })
    .catch(rethrowAsContract);
  return {
    rows: rows.length,
    created: creates.length,
    updated: updates.length,
    unchanged,
    retired,
    institutionsCreated: newInstitutions.size,
    offeringIds,
  };
}

function registerFromRow(
  row: ImportedRow,
  caller: Caller,
  at: string,
  created: Map<string, InstitutionRecord>,
): InstitutionRecord {
  const known = created.get(row.institutionCode);
  if (known) return known;
  const institution: InstitutionRecord = {
    id: row.institutionCode,
    code: row.institutionCode,
    name: row.institutionName,
    kind: row.institutionKind,
    ...(row.city ? { city: row.city } : {}),
    contacts: [],
    ownerOrgId: actingOrg(caller),
    createdAt: at,
    version: 0,
  };
  created.set(row.institutionCode, institution);
  return institution;
}

const sameTerms = (o: OfferingRecord, row: ImportedRow) =>
  o.years === row.years &&
  o.tuitionFen === row.tuitionFen &&
  o.tags.join('\u0000') === row.tags.join('\u0000');

/** The counts as an .xlsx (the console's `导出 Excel`), one row per institution and offering. */
export async function exportEnrolmentCounts(deps: Deps, caller: Caller, programmeId: string) {
  const counts = await enrolmentCounts(deps, caller, programmeId);
  const { writeWorkbook } = await import('../adapters/excel.ts');
  const yuan = (fen: number) => fen / 100;
  const rows = counts.institutions.flatMap((i) =>
    i.offerings.map((o) => [
      i.institution.name,
      i.institution.code ?? '',
      i.partner ? '合作院校' : '非合作院校',
      o.major,
      levelLabels[o.level],
      o.mode ? studyModeLabels[o.mode] : '',
      o.applications,
      o.approved,
      o.paid,
      yuan(o.paidFen),
    ]),
  );
  const bytes = await writeWorkbook(
    '院校专业统计',
    [
      '院校名称',
      '学校标识码',
      '合作院校',
      '专业名称',
      '学历层次',
      '学习形式',
      '申请数',
      '审核通过',
      '已发放',
      '已发放金额（元）',
    ],
    rows,
  );
  return {
    fileName: `${programmeId}-院校专业统计.xlsx`,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    contentBase64: bytes.toString('base64'),
  };
}
