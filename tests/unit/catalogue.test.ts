import { describe, expect, it } from 'vitest';
import { assertZipWithinLimits, readFirstSheet, UnreadableWorkbook } from '../../shared/adapters/excel.ts';
import {
  columnLetters,
  enrolmentView,
  isInstitutionCode,
  offeringIdFor,
  parseOfferingSheet,
  yuanToFen,
} from '../../shared/domain/catalogue.ts';
import { importHeader, xlsxBytes } from '../support/xlsx.ts';

const row = (overrides: Partial<Record<(typeof importHeader)[number], string | number | null>> = {}) => {
  const base: Record<string, string | number | null> = {
    院校名称: '聊城大学',
    学校标识码: '4137010447',
    院校类型: '普通高校',
    所在城市: '聊城',
    专业名称: '机械设计制造及其自动化',
    学历层次: '本科',
    学习形式: '函授',
    '学制（年）': 2.5,
    '学费（元/年）': 2800,
    专业类别: '机械、电气',
  };
  return importHeader.map((h) => (h in overrides ? (overrides[h] ?? null) : (base[h] ?? null)));
};

describe('学校标识码 shape (issue 16)', () => {
  it('accepts ten digits: 41, a province code, then the school', () => {
    expect(isInstitutionCode('4137010447')).toBe(true); // 聊城大学
    expect(isInstitutionCode('4111010001')).toBe(true); // 北京大学
  });
  it('refuses other lengths, other prefixes and unknown provinces', () => {
    for (const code of ['413701044', '41370104470', '3737010447', '4199010447', '4137O10447', '']) {
      expect(isInstitutionCode(code), code).toBe(false);
    }
  });
});

describe('offering ids', () => {
  const identity = {
    programmeId: 'lc-2022',
    institutionId: '4137010447',
    major: '会计学',
    level: 'bachelor',
    mode: 'spare_time',
  };
  it('are the same for the same offering however its major is spaced or written', () => {
    expect(offeringIdFor(identity)).toBe(offeringIdFor({ ...identity, major: ' 会计 学 ' }));
    expect(offeringIdFor({ ...identity, major: '会计学（ＡＣＣＡ）' })).toBe(
      offeringIdFor({ ...identity, major: '会计学(ACCA)' }),
    );
    expect(offeringIdFor(identity)).toMatch(/^o[0-9a-f]{16}$/);
  });
  it('differ by level, mode, programme and unit', () => {
    const id = offeringIdFor(identity);
    expect(offeringIdFor({ ...identity, level: 'junior_college' })).not.toBe(id);
    expect(offeringIdFor({ ...identity, mode: 'online' })).not.toBe(id);
    expect(offeringIdFor({ ...identity, programmeId: 'lc-2023' })).not.toBe(id);
    expect(offeringIdFor({ ...identity, unitOrgId: 'lc-chiping' })).not.toBe(id);
  });
});

describe('money and cells', () => {
  it('turns 元 with at most two decimals into integer fen', () => {
    expect(yuanToFen(2800)).toBe(280_000);
    expect(yuanToFen(2800.5)).toBe(280_050);
    expect(yuanToFen(0.07)).toBe(7);
    expect(yuanToFen(12.345)).toBeUndefined();
  });
  it('names columns as Excel does', () => {
    expect([0, 9, 25, 26, 27, 51, 52].map(columnLetters)).toEqual(['A', 'J', 'Z', 'AA', 'AB', 'AZ', 'BA']);
  });
});

describe('R3: the enrolment as reviewers see it', () => {
  it('flags a declared institution as 非合作院校 and keeps a chosen offering’s terms', () => {
    expect(
      enrolmentView({ institution: '某学院', major: '会计', level: 'bachelor', enrolledOn: '2022-03-01' }),
    ).toEqual({
      institution: '某学院',
      major: '会计',
      level: 'bachelor',
      enrolledOn: '2022-03-01',
      nonPartner: true,
    });
    expect(
      enrolmentView({
        institution: '聊城大学',
        major: '会计学',
        level: 'bachelor',
        enrolledOn: '2022-03-01',
        offeringId: 'o0123456789abcdef',
        tags: ['财会'],
      }),
    ).toMatchObject({ offeringId: 'o0123456789abcdef', tags: ['财会'], nonPartner: false });
  });
});

describe('reading a union’s sheet (issue 16)', () => {
  it('reads valid rows with the template’s headers, in any column order', () => {
    const sheet = [
      [...importHeader],
      row(),
      row({ 专业名称: '会计学', 学历层次: '专升本', 学习形式: '业余', 专业类别: null }),
    ];
    const { rows, errors } = parseOfferingSheet(sheet);
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      row: 2,
      institutionCode: '4137010447',
      institutionKind: 'general_university',
      level: 'bachelor',
      mode: 'correspondence',
      years: 2.5,
      tuitionFen: 280_000,
      tags: ['机械', '电气'],
    });
    expect(rows[1]).toMatchObject({ major: '会计学', mode: 'spare_time', tags: [] });

    const reversed = sheet.map((r) => [...r].reverse());
    const again = parseOfferingSheet(reversed);
    expect(again.errors).toEqual([]);
    expect(again.rows[0]?.cells.institutionCode).toBe('I2');
  });

  it('reads a code Excel stored as a number, and headers with ASCII brackets', () => {
    const header = importHeader.map((h) => h.replace('（', '(').replace('）', ')'));
    const { rows, errors } = parseOfferingSheet([header, row({ 学校标识码: 4137010447 })]);
    expect(errors).toEqual([]);
    expect(rows[0]?.institutionCode).toBe('4137010447');
  });

  it('locates every error at its cell and refuses the rows', () => {
    const { rows, errors } = parseOfferingSheet([
      [...importHeader],
      row(),
      row({ 学校标识码: '41370104', 专业名称: '会计学' }),
      row({ 专业名称: '护理学', '学费（元/年）': -100 }),
      row(),
      row({ 院校名称: '聊城学院', 专业名称: '数学' }),
      row({ 学历层次: '硕士', 学习形式: '全日制', '学制（年）': 2.3, '学费（元/年）': 'abc', 专业名称: '' }),
    ]);
    expect(rows.map((r) => r.row)).toEqual([2]);
    expect(errors.map((e) => e.path)).toEqual([
      'file.B3',
      'file.I4',
      'file.E5',
      'file.A6',
      'file.E7',
      'file.F7',
      'file.G7',
      'file.H7',
      'file.I7',
    ]);
    expect(errors[0]?.message).toMatch(/^第 3 行「学校标识码」：/);
    expect(errors[1]?.message).toContain('负数');
    expect(errors[2]?.message).toContain('与第 2 行重复');
    expect(errors[3]?.message).toContain('聊城大学');
  });

  it('refuses a sheet without the headers, and one without rows', () => {
    expect(parseOfferingSheet([['学校', '专业']]).errors).toEqual([
      { path: 'file.1', message: expect.stringContaining('院校名称') },
    ]);
    expect(parseOfferingSheet([[...importHeader], []]).errors[0]?.path).toBe('file');
  });
});

describe('the .xlsx reader', () => {
  it('reads what exceljs wrote', async () => {
    const rows = await readFirstSheet(await xlsxBytes([[...importHeader], row()]));
    expect(rows[1]?.slice(0, 3)).toEqual(['聊城大学', '4137010447', '普通高校']);
  });

  it('refuses what is not an .xlsx, and an archive declaring too much unpacked', async () => {
    await expect(readFirstSheet(Buffer.from('院校名称,学校标识码\n'))).rejects.toBeInstanceOf(
      UnreadableWorkbook,
    );
    const bytes = await xlsxBytes([[...importHeader], row()]);
    // Declare 30 MB for the first central-directory entry: refused before anything is inflated.
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const bomb = Buffer.from(bytes);
    bomb.writeUInt32LE(30 * 1024 * 1024, central + 24);
    expect(() => assertZipWithinLimits(bomb)).toThrow(UnreadableWorkbook);
    expect(() => assertZipWithinLimits(bytes)).not.toThrow();
  });
});
