import { createHash } from 'node:crypto';
import type { StoredEnrolment } from '../model/catalogue.ts';
import type { FieldError } from '../model/field-error.ts';
import { isDisplaySafe } from './text.ts';

/**
 * The catalogue of partner institutions (合作院校) and what they offer (专业), issue 16: pure rules,
 * no AWS. R3 报读专业须贴近岗位: a worker picks an offering whose field-of-work tags a reviewer sets
 * beside the worker's job title; R4 新入读大专及本科: the offering's level is the level checked.
 */

export const institutionKinds = [
  'general_university',
  'adult_college',
  'open_university',
  'online_education',
] as const;
export type InstitutionKind = (typeof institutionKinds)[number];
export const institutionKindLabels: Record<InstitutionKind, string> = {
  general_university: '普通高校',
  adult_college: '成人高校',
  open_university: '开放大学',
  online_education: '网络教育',
};

/** 学习形式: the part-time modes the notice's programmes are studied in. */
export const studyModes = ['correspondence', 'spare_time', 'online'] as const;
export type StudyMode = (typeof studyModes)[number];
export const studyModeLabels: Record<StudyMode, string> = {
  correspondence: '函授',
  spare_time: '业余',
  online: '网络',
};

export const catalogueLevels = ['junior_college', 'bachelor'] as const;
export type CatalogueLevel = (typeof catalogueLevels)[number];
export const levelLabels: Record<CatalogueLevel, string> = { junior_college: '专科', bachelor: '本科' };

/** GB/T 2260 province-level codes: the two digits after `41` in a 学校标识码. */
const provinceCodes = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65,
]);

/**
 * The shape of a 学校标识码 as the Ministry of Education lists it: ten digits, `41` (a school), the
 * province's GB/T 2260 code, then the five-digit 学校代码 behind one more digit (聊城大学 4137010447:
 * Shandong 37, school 10447). Only the shape is checked; whether the code is on the Ministry's
 * current list is for the admin who registers the institution.
 *
 * @example isInstitutionCode('4137010447') // true
 * @example isInstitutionCode('3737010447') // false: not a school code
 */
export function isInstitutionCode(code: string): boolean {
  return /^41\d{8}$/.test(code) && provinceCodes.has(Number(code.slice(2, 4)));
}

/** A major's name as compared for identity: full-width forms folded (NFKC), spaces dropped. */
export function majorKey(major: string): string {
  return major.normalize('NFKC').replace(/\s+/gu, '');
}

/** What makes two offerings the same offering of a programme: who lists it, where, what and how. */
export interface OfferingIdentity {
  programmeId: string;
  /** The unit a county listed it for (its own local partner); absent when the programme lists it. */
  unitOrgId?: string | undefined;
  institutionId: string;
  major: string;
  level: string;
  mode: string;
}

/**
 * An offering's id, derived from its identity: the same row imported twice, or typed in by hand
 * after an import, names the same offering, so duplicates are refused by the key itself.
 *
 * @example offeringIdFor({ programmeId: 'lc-2022', institutionId: '4137010447', major: '会计', level: 'bachelor', mode: 'correspondence' })
 */
export function offeringIdFor(o: OfferingIdentity): string {
  const identity = [o.programmeId, o.unitOrgId ?? '*', o.institutionId, majorKey(o.major), o.level, o.mode];
  return `o${createHash('sha256').update(identity.join('\u0000')).digest('hex').slice(0, 16)}`;
}

export const OFFERING_ID_PATTERN = /^o[0-9a-f]{16}$/;

/** The text the public search (`q`) matches: institution name, major and tags. */
export function offeringSearchText(o: { institutionName: string; major: string; tags: readonly string[] }) {
  return [o.institutionName, o.major, ...o.tags].join(' ').normalize('NFKC').toLowerCase();
}

/** A search as typed, in the form {@link offeringSearchText} is kept in. */
export function normaliseSearch(q: string): string {
  return q.normalize('NFKC').trim().toLowerCase();
}

/** R3: an enrolment not chosen from the programme's catalogue is shown to every reviewer as 非合作院校. */
export function isNonPartner(enrolment: Pick<StoredEnrolment, 'offeringId'>): boolean {
  return enrolment.offeringId === undefined;
}

/** The enrolment as the API shows it to the worker and to every reviewer on the chain. */
export function enrolmentView(e: StoredEnrolment) {
  return {
    institution: e.institution,
    major: e.major,
    level: e.level as CatalogueLevel,
    enrolledOn: e.enrolledOn,
    ...(e.offeringId ? { offeringId: e.offeringId } : {}),
    ...(e.institutionId ? { institutionId: e.institutionId } : {}),
    ...(e.institutionCode ? { institutionCode: e.institutionCode } : {}),
    ...(e.mode ? { mode: e.mode as StudyMode } : {}),
    ...(e.years !== undefined ? { years: e.years } : {}),
    ...(e.tuitionFen !== undefined ? { tuitionFen: e.tuitionFen } : {}),
    ...(e.tags ? { tags: e.tags } : {}),
    nonPartner: isNonPartner(e),
  };
}

/** Tuition is kept in integer fen; unions write 元 with at most two decimals. */
export function yuanToFen(yuan: number): number | undefined {
  const fen = Math.round(yuan * 100);
  return Number.isFinite(yuan) && Math.abs(fen - yuan * 100) < 1e-6 ? fen : undefined;
}

// ── Import of a union's Excel list (issue 16: validated row by row, errors located per cell) ──

/** A cell as the Excel adapter hands it over: text, a number, a date, a boolean or empty. */
export type SheetCell = string | number | boolean | Date | null;

export interface ImportedRow {
  /** The sheet's row number (1 is the header row). */
  row: number;
  /** The cell reference of each column of this row, e.g. `{ institutionCode: 'B3' }`. */
  cells: Record<ImportColumn, string>;
  institutionName: string;
  institutionCode: string;
  institutionKind: InstitutionKind;
  city?: string;
  major: string;
  level: CatalogueLevel;
  mode: StudyMode;
  years: number;
  tuitionFen: number;
  tags: string[];
}

type ImportColumn =
  | 'institutionName'
  | 'institutionCode'
  | 'institutionKind'
  | 'city'
  | 'major'
  | 'level'
  | 'mode'
  | 'years'
  | 'tuition'
  | 'tags';

/** The sheet's Chinese headers, in the order of the template; columns may come in any order. */
export const importColumns: readonly {
  key: ImportColumn;
  header: string;
  aliases: string[];
  required: boolean;
}[] = [
  { key: 'institutionName', header: '院校名称', aliases: ['院校', '学校名称'], required: true },
  { key: 'institutionCode', header: '学校标识码', aliases: ['院校代码', '学校代码'], required: true },
  { key: 'institutionKind', header: '院校类型', aliases: ['办学类型'], required: true },
  { key: 'city', header: '所在城市', aliases: ['城市', '所在地'], required: false },
  { key: 'major', header: '专业名称', aliases: ['专业'], required: true },
  { key: 'level', header: '学历层次', aliases: ['层次'], required: true },
  { key: 'mode', header: '学习形式', aliases: ['学习方式'], required: true },
  { key: 'years', header: '学制（年）', aliases: ['学制'], required: true },
  {
    key: 'tuition',
    header: '学费（元/年）',
    aliases: ['学费', '学费（元）', '每年学费（元）'],
    required: true,
  },
  { key: 'tags', header: '专业类别', aliases: ['岗位类别', '行业类别', '标签'], required: false },
];

/** Most data rows one file may hold. */
export const MAX_IMPORT_ROWS = 1000;

const headerKey = (text: string) => text.normalize('NFKC').replace(/\s+/gu, '');

const kindWords: Record<string, InstitutionKind> = {
  普通高校: 'general_university',
  普通高等学校: 'general_university',
  成人高校: 'adult_college',
  成人高等学校: 'adult_college',
  开放大学: 'open_university',
  广播电视大学: 'open_university',
  网络教育: 'online_education',
  网络学院: 'online_education',
};
const levelWords: Record<string, CatalogueLevel> = {
  专科: 'junior_college',
  大专: 'junior_college',
  高职: 'junior_college',
  高起专: 'junior_college',
  本科: 'bachelor',
  专升本: 'bachelor',
  高起本: 'bachelor',
};
const modeWords: Record<string, StudyMode> = {
  函授: 'correspondence',
  业余: 'spare_time',
  网络: 'online',
  网络教育: 'online',
  远程: 'online',
};

/** `0` → `A`, `27` → `AB`. */
export function columnLetters(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

const cellText = (cell: SheetCell | undefined): string => {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell).normalize('NFC').trim();
};

const cellNumber = (cell: SheetCell | undefined): number | undefined => {
  if (typeof cell === 'number') return cell;
  const text = cellText(cell)
    .normalize('NFKC')
    .replace(/[,\s]|元|年/gu, '');
  return text !== '' && /^[+-]?\d+(?:\.\d+)?$/.test(text) ? Number(text) : undefined;
};

/**
 * Reads a union's sheet (the first row holds the Chinese headers) into offering rows. Every cell is
 * checked; each problem is reported at its cell (`file.C3`) with its row and header in the message,
 * so a union can fix the whole file at once. Rows naming the same institution, major, level and
 * mode twice, and one 学校标识码 under two names, are refused at the later row.
 */
export function parseOfferingSheet(sheet: readonly (readonly SheetCell[])[]): {
  rows: ImportedRow[];
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const header = sheet[0] ?? [];
  const at = new Map<ImportColumn, number>();
  header.forEach((cell, index) => {
    const key = headerKey(cellText(cell));
    const column = importColumns.find((c) => [c.header, ...c.aliases].some((h) => headerKey(h) === key));
    if (column && !at.has(column.key)) at.set(column.key, index);
  });
  const missing = importColumns.filter((c) => c.required && !at.has(c.key));
  if (missing.length > 0) {
    return {
      rows: [],
      errors: [
        {
          path: 'file.1',
          message: `第 1 行须为表头，缺少列：${missing.map((c) => c.header).join('、')}`,
        },
      ],
    };
  }
  const dataRows = sheet.length - 1;
  if (dataRows > MAX_IMPORT_ROWS) {
    return {
      rows: [],
      errors: [{ path: 'file', message: `一个文件最多 ${MAX_IMPORT_ROWS} 行专业，请分多个文件导入` }],
    };
  }

  const rows: ImportedRow[] = [];
  const seen = new Map<string, number>();
  const nameOfCode = new Map<string, { name: string; row: number }>();
  for (let r = 1; r < sheet.length; r++) {
    const values = sheet[r] ?? [];
    const rowNumber = r + 1;
    if (values.every((v) => cellText(v) === '')) continue;
    const cells = Object.fromEntries(
      importColumns.map((c) => [c.key, `${columnLetters(at.get(c.key) ?? header.length)}${rowNumber}`]),
    ) as Record<ImportColumn, string>;
    const value = (key: ImportColumn) => {
      const index = at.get(key);
      return index === undefined ? null : (values[index] ?? null);
    };
    const before = errors.length;
    const fail = (key: ImportColumn, message: string) => {
      const header = importColumns.find((c) => c.key === key)?.header ?? key;
      errors.push({ path: `file.${cells[key]}`, message: `第 ${rowNumber} 行「${header}」：${message}` });
    };
    const text = (key: ImportColumn, max: number, required: boolean) => {
      const t = cellText(value(key));
      if (required && t === '') fail(key, '不能为空');
      else if (t.length > max) fail(key, `不能超过 ${max} 个字符`);
      else if (!isDisplaySafe(t)) fail(key, '含有不可见字符或控制字符');
      return t;
    };

    const institutionName = text('institutionName', 60, true);
    const rawCode = value('institutionCode');
    // Excel keeps a ten-digit code typed without a leading apostrophe as a number.
    const institutionCode =
      typeof rawCode === 'number' && Number.isInteger(rawCode) ? String(rawCode) : cellText(rawCode);
    if (institutionCode === '') fail('institutionCode', '不能为空');
    else if (!isInstitutionCode(institutionCode)) {
      fail(
        'institutionCode',
        `“${institutionCode}”不是有效的学校标识码：须为 10 位数字，以 41 和省份代码开头`,
      );
    }
    const kindText = cellText(value('institutionKind'));
    const institutionKind = kindWords[kindText.replace(/\s+/gu, '')];
    if (!institutionKind) fail('institutionKind', '须为 普通高校、成人高校、开放大学 或 网络教育');
    const city = text('city', 20, false);
    const major = text('major', 60, true);
    const levelText = cellText(value('level')).replace(/\s+/gu, '');
    const level = levelWords[levelText];
    if (!level) fail('level', '须为 专科（大专） 或 本科');
    const modeText = cellText(value('mode')).replace(/\s+/gu, '');
    const mode = modeWords[modeText];
    if (!mode) fail('mode', '须为 函授、业余 或 网络');
    const years = cellNumber(value('years'));
    if (years === undefined || years < 1 || years > 6 || !Number.isInteger(years * 2)) {
      fail('years', '须为 1 到 6 之间的年数，可为半年（如 2.5）');
    }
    const tuition = cellNumber(value('tuition'));
    const tuitionFen = tuition === undefined ? undefined : yuanToFen(tuition);
    if (tuition === undefined) fail('tuition', '须为以元为单位的金额');
    else if (tuition < 0) fail('tuition', '学费不能为负数');
    else if (tuitionFen === undefined) fail('tuition', '金额最多保留两位小数（分）');
    else if (tuitionFen > 100_000_000) fail('tuition', '金额过大');
    const tags = cellText(value('tags'))
      .split(/[、,，;；/\s]+/u)
      .filter((t) => t !== '');
    if (tags.length > 5) fail('tags', '最多 5 个类别');
    else if (tags.some((t) => t.length > 12 || !isDisplaySafe(t))) fail('tags', '每个类别不超过 12 个字符');

    if (institutionCode && institutionName && isInstitutionCode(institutionCode)) {
      const first = nameOfCode.get(institutionCode);
      if (first && first.name !== institutionName) {
        fail(
          'institutionName',
          `学校标识码 ${institutionCode} 在第 ${first.row} 行的院校名称为“${first.name}”，同一院校须用同一名称`,
        );
      } else if (!first) nameOfCode.set(institutionCode, { name: institutionName, row: rowNumber });
    }
    if (institutionCode && major && level && mode) {
      const identity = [institutionCode, majorKey(major), level, mode].join('|');
      const first = seen.get(identity);
      if (first !== undefined) {
        fail('major', `与第 ${first} 行重复（同一院校、专业、学历层次和学习形式只能列一次）`);
      } else seen.set(identity, rowNumber);
    }
    if (errors.length > before || !institutionKind || !level || !mode) continue;
    rows.push({
      row: rowNumber,
      cells,
      institutionName,
      institutionCode,
      institutionKind,
      ...(city ? { city } : {}),
      major,
      level,
      mode,
      years: years as number,
      tuitionFen: tuitionFen as number,
      tags,
    });
  }
  if (rows.length === 0 && errors.length === 0) {
    errors.push({ path: 'file', message: '文件中没有专业数据：第 1 行为表头，从第 2 行起每行一个专业' });
  }
  return { rows, errors };
}
