import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addMonths, shanghaiDate } from '../../shared/domain/dates.ts';
import { attachmentKinds } from '../../shared/domain/documents.ts';
import { approveAlongChain } from '../support/api.ts';
import { draftBody, postUpload, sampleFiles, withChanges } from '../support/fixtures.ts';
import { fastPayoutRetries } from '../support/payout-run.ts';
import { importHeader, readXlsx, xlsxBase64, xlsxBytes } from '../support/xlsx.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * Issue 16 through HTTP: the catalogue of partner institutions and offerings — managing it and who
 * may, the Excel import, the public list, applications naming offerings (R3/R4), retiring, the
 * 非合作院校 flag every reviewer sees, and the counts per institution.
 */

let stack: TestStack;
let city: string;
let chiping: string;
let dongchangfu: string;
const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));
const P = 'it-cat';
const LCU = '4137010447'; // 聊城大学, seeded

beforeAll(async () => {
  stack = await startTestStack({ workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false } });
  city = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
  chiping = await stack.token({ sub: 'admin-cp', role: 'admin', org: 'lc-chiping' });
  dongchangfu = await stack.token({ sub: 'admin-dcf', role: 'admin', org: 'lc-dongchangfu' });
  for (const [id, catalogueRequired] of [
    [P, false],
    [`${P}-req`, true],
  ] as const) {
    const res = await stack.call('POST', '/v1/programmes', {
      token: city,
      body: {
        id,
        title: '选学测试项目',
        ownerOrgId: 'lc',
        year: Number(addDays(today, -10).slice(0, 4)),
        enrolmentYear: year,
        applicationWindow: { opensOn: addDays(today, -10), closesOn: addDays(today, 30) },
        reviewBatches: [{ id: 'b1', opensOn: addDays(today, -5), closesOn: addDays(today, 40) }],
        levels: ['junior_college', 'bachelor'],
        allocations: ['lc-dongchangfu', 'lc-chiping'].map((unitOrgId) => ({
          unitOrgId,
          places: 5,
          funding: [{ funderOrgId: 'lc', amountFen: 100_000 }],
        })),
        catalogueRequired,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});
afterAll(async () => {
  await stack.stop();
});

/** Every page of a list, following its cursor. */
async function allPages(query: string): Promise<{ pages: number; items: Record<string, unknown>[] }> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await stack.call(
      'GET',
      `${query}${query.includes('?') ? '&' : '?'}${cursor ? `cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.cursor;
    pages++;
  } while (cursor && pages < 50);
  return { pages, items };
}

async function offering(token: string, body: Record<string, unknown>, programmeId = P) {
  return stack.call('POST', `/v1/programmes/${programmeId}/offerings`, {
    token,
    body: { years: 2.5, tuitionFen: 260_000, mode: 'correspondence', ...body },
  });
}

/** A worker's draft with `enrolment`, its five documents uploaded, submitted. */
async function submitted(n: number, employerOrgId: string, enrolment: Record<string, unknown>) {
  const token = await stack.token({ sub: `cat-worker-${n}`, role: 'worker' });
  const draft = await stack.call('POST', '/v1/applications', {
    token,
    body: withChanges(draftBody(n, { programmeId: P, employerOrgId, enrolmentYear: year }), { enrolment }),
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const id = draft.body.id as string;
  for (const kind of attachmentKinds) {
    const file = sampleFiles['image/png'];
    const res = await stack.call('POST', `/v1/applications/${id}/attachments`, {
      token,
      body: { kind, contentType: 'image/png', sizeBytes: file.length },
    });
    expect(res.status).toBe(201);
    expect((await postUpload(res.body.upload, file, 'image/png')).status).toBeLessThan(300);
  }
  const submit = await stack.call('POST', `/v1/applications/${id}/submit`, { token });
  expect(submit.status, JSON.stringify(submit.body)).toBe(200);
  return { id, token, draft: draft.body };
}

describe('the seeded catalogue, read by anyone', () => {
  it('lists lc-2022’s partner offerings by level, search and unit, a page at a time', async () => {
    const all = await allPages('/v1/programmes/lc-2022/offerings?limit=50');
    expect(all.items.length).toBeGreaterThanOrEqual(15);
    expect(all.items).toContainEqual(
      expect.objectContaining({
        institution: { id: LCU, name: '聊城大学', code: LCU },
        major: '机械设计制造及其自动化',
        level: 'bachelor',
        mode: 'correspondence',
        tags: ['机械'],
      }),
    );
    // Small pages return every offering exactly once.
    const paged = await allPages('/v1/programmes/lc-2022/offerings?limit=4');
    expect(paged.pages).toBeGreaterThan(3);
    expect(paged.items.map((i) => i.offeringId).sort()).toEqual(all.items.map((i) => i.offeringId).sort());

    const bachelor = await allPages('/v1/programmes/lc-2022/offerings?level=bachelor&limit=3');
    expect(bachelor.items.length).toBeGreaterThan(0);
    expect(bachelor.items.every((i) => i.level === 'bachelor')).toBe(true);
    expect(bachelor.items.length).toBe(all.items.filter((i) => i.level === 'bachelor').length);

    const nursing = await allPages(
      `/v1/programmes/lc-2022/offerings?q=${encodeURIComponent('护理')}&limit=1`,
    );
    expect(nursing.items.map((i) => i.major).sort()).toEqual(['护理', '护理学']);
    const lcu = await allPages(`/v1/programmes/lc-2022/offerings?level=bachelor&institutionId=${LCU}`);
    expect(lcu.items.length).toBe(4);
    const online = await allPages('/v1/programmes/lc-2022/offerings?mode=online');
    expect(online.items.every((i) => i.mode === 'online')).toBe(true);
    expect(online.items.length).toBe(2);

    // 茌平区's own addition is offered to its unit only.
    const local = (i: Record<string, unknown>) => i.major === '有色金属智能冶金技术';
    expect((await allPages('/v1/programmes/lc-2022/offerings?unitOrgId=lc-chiping')).items.some(local)).toBe(
      true,
    );
    expect((await allPages('/v1/programmes/lc-2022/offerings?unitOrgId=lc-linqing')).items.some(local)).toBe(
      false,
    );
  });

  it('refuses cursors it did not issue or issued for other filters, and unknown programmes', async () => {
    const first = await stack.call('GET', '/v1/programmes/lc-2022/offerings?level=bachelor&limit=2');
    expect(first.body.cursor).toEqual(expect.any(String));
    const other = await stack.call(
      'GET',
      `/v1/programmes/lc-2022/offerings?level=junior_college&cursor=${first.body.cursor}`,
    );
    expect(other.status).toBe(400);
    expect(other.body.error.fields).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    for (const cursor of [
      'x',
      'eyJvIjoxfQ',
      Buffer.from('{"o":"o0000000000000000","s":"x"}').toString('base64url'),
    ]) {
      const res = await stack.call('GET', `/v1/programmes/lc-2022/offerings?cursor=${cursor}`);
      expect(res.status, cursor).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await stack.call('GET', '/v1/programmes/nowhere/offerings')).status).toBe(404);
    const badQuery = await stack.call('GET', '/v1/programmes/lc-2022/offerings?level=master&limit=500');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'query.level',
      'query.limit',
    ]);
  });

  it('is in the OpenAPI document, the import’s body and the enrolment’s two forms described', async () => {
    const doc = await stack.call('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/programmes/{programmeId}/offerings',
        '/v1/programmes/{programmeId}/offerings/import',
        '/v1/programmes/{programmeId}/offerings/{offeringId}/retire',
        '/v1/programmes/{programmeId}/enrolment-counts',
        '/v1/institutions',
      ]),
    );
    expect(doc.body.components.schemas.ImportOfferings.properties.file.description).toContain('学校标识码');
    expect(doc.body.components.schemas.Enrolment.description).toContain('非合作院校');
  });

  it('shows an institution with the programmes listing it', async () => {
    const res = await stack.call('GET', `/v1/institutions/${LCU}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: LCU, code: LCU, name: '聊城大学', kind: 'general_university' });
    expect(res.body.programmeIds).toContain('lc-2022');
    expect((await stack.call('GET', '/v1/institutions/4137099999')).status).toBe(404);
  });
});

describe('managing the catalogue', () => {
  it('registers institutions by a well-formed 学校标识码, once', async () => {
    const bad = await stack.call('POST', '/v1/institutions', {
      token: city,
      body: { code: '41370', name: '测试学院', kind: 'adult_college' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ path: 'code', message: expect.stringContaining('10 位') }]);
    const body = { code: '4137051001', name: '聊城市职工业余大学', kind: 'adult_college', city: '聊城' };
    const created = await stack.call('POST', '/v1/institutions', { token: chiping, body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: '4137051001', ownerOrgId: 'lc-chiping' });
    const again = await stack.call('POST', '/v1/institutions', { token: city, body });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_exists');
    // Its registering county or the city above corrects it; another county may not.
    const other = await stack.call('PATCH', '/v1/institutions/4137051001', {
      token: dongchangfu,
      body: { city: '东昌府' },
    });
    expect(other.status).toBe(403);
    const fixed = await stack.call('PATCH', '/v1/institutions/4137051001', {
      token: city,
      body: { name: '聊城职工大学' },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.name).toBe('聊城职工大学');
  });

  it('the city lists for the whole programme; a county only for its own unit', async () => {
    const listed = await offering(city, {
      institutionId: LCU,
      major: '会计学',
      level: 'bachelor',
      tags: ['财会'],
    });
    expect(listed.status, JSON.stringify(listed.body)).toBe(201);
    expect(listed.body).toMatchObject({
      programmeId: P,
      institution: { id: LCU, name: '聊城大学', code: LCU },
      status: 'offered',
      addedByOrgId: 'lc',
    });
    expect(listed.body.unitOrgId).toBeUndefined();
    const twice = await offering(city, { institutionId: LCU, major: ' 会计学', level: 'bachelor' });
    expect(twice.status).toBe(409);

    const countyWide = await offering(chiping, {
      institutionId: LCU,
      major: '电气工程及其自动化',
      level: 'bachelor',
    });
    expect(countyWide.status).toBe(403);
    expect(countyWide.body.error.code).toBe('forbidden');
    const otherUnit = await offering(chiping, {
      institutionId: LCU,
      major: '电气工程及其自动化',
      level: 'bachelor',
      unitOrgId: 'lc-dongchangfu',
    });
    expect(otherUnit.status).toBe(403);
    const notInProgramme = await offering(city, {
      institutionId: LCU,
      major: '电气工程及其自动化',
      level: 'bachelor',
      unitOrgId: 'lc-linqing',
    });
    expect(notInProgramme.status).toBe(400);
    expect(notInProgramme.body.error.fields).toEqual([{ path: 'unitOrgId', message: expect.any(String) }]);
    const own = await offering(chiping, {
      institutionId: '4137051001',
      major: '有色金属冶炼技术',
      level: 'junior_college',
      mode: 'spare_time',
      unitOrgId: 'lc-chiping',
      tags: ['冶金'],
    });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body).toMatchObject({ unitOrgId: 'lc-chiping', addedByOrgId: 'lc-chiping' });
    // The renamed institution reached the offering.
    expect(own.body.institution.name).toBe('聊城职工大学');

    const unknown = await offering(city, { institutionId: '4137099999', major: '数学', level: 'bachelor' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual([{ path: 'institutionId', message: expect.any(String) }]);
    const worker = await stack.token({ sub: 'cat-nobody', role: 'worker' });
    expect((await offering(worker, { institutionId: LCU, major: '数学', level: 'bachelor' })).status).toBe(
      403,
    );
  });

  it('edits tuition, years and tags only within the same authority, money in whole fen', async () => {
    const list = await allPages(`/v1/programmes/${P}/offerings?q=${encodeURIComponent('会计学')}`);
    const id = list.items[0]?.offeringId as string;
    const path = `/v1/programmes/${P}/offerings/${id}`;
    expect((await stack.call('PATCH', path, { token: chiping, body: { tuitionFen: 1 } })).status).toBe(403);
    const negative = await stack.call('PATCH', path, { token: city, body: { tuitionFen: -100 } });
    expect(negative.status).toBe(400);
    expect(negative.body.error.fields).toEqual([{ path: 'tuitionFen', message: '学费不能为负数' }]);
    const fraction = await stack.call('PATCH', path, { token: city, body: { tuitionFen: 2600.5 } });
    expect(fraction.status).toBe(400);
    const identity = await stack.call('PATCH', path, { token: city, body: { major: '审计学' } });
    expect(identity.status).toBe(400);
    const edited = await stack.call('PATCH', path, {
      token: city,
      body: { tuitionFen: 250_000, tags: ['财会', '审计'] },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ tuitionFen: 250_000, tags: ['财会', '审计'], major: '会计学' });
  });
});

describe('importing a union’s Excel list', () => {
  const rows = [
    [...importHeader],
    ['聊城大学', LCU, '普通高校', '聊城', '机械设计制造及其自动化', '本科', '函授', 2.5, 2800, '机械'],
    [
      '聊城职工大学',
      '4137051001',
      '成人高校',
      '聊城',
      '机电一体化技术',
      '专科',
      '业余',
      2.5,
      '2,400',
      '机械、电气',
    ],
    ['茌平区职工学院', '4137051002', '成人高校', '聊城', '会计', '大专', '业余', 2.5, 2000.5, '财会'],
  ];

  it('writes nothing from a file with a bad code, a negative tuition and a duplicate row, and locates each error', async () => {
    const broken = [
      ...rows,
      ['聊城大学', '413701044', '普通高校', '聊城', '护理学', '本科', '函授', 2.5, 3000, '护理'],
      ['聊城大学', LCU, '普通高校', '聊城', '计算机科学与技术', '本科', '函授', 2.5, -2800, '计算机'],
      ['聊城大学', LCU, '普通高校', '聊城', '机械设计制造及其自动化', '本科', '函授', 2.5, 2900, '机械'],
      ['聊城工学院', LCU, '普通高校', '聊城', '数学', '本科', '函授', 2.5, 2000, ''],
    ];
    const res = await stack.call('POST', `/v1/programmes/${P}/offerings/import`, {
      token: chiping,
      body: { file: await xlsxBase64(broken), fileName: '茌平区合作院校.xlsx', unitOrgId: 'lc-chiping' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toContain('未导入任何数据');
    expect(res.body.error.fields).toEqual([
      { path: 'file.B5', message: expect.stringMatching(/^第 5 行「学校标识码」：.*413701044/) },
      { path: 'file.I6', message: '第 6 行「学费（元/年）」：学费不能为负数' },
      { path: 'file.E7', message: expect.stringContaining('与第 2 行重复') },
      { path: 'file.A8', message: expect.stringContaining('聊城大学') },
    ]);
    // Nothing was written: neither the valid rows' offerings nor their new institution.
    const list = await allPages(`/v1/programmes/${P}/offerings?unitOrgId=lc-chiping`);
    expect(list.items.some((i) => i.major === '机电一体化技术' || i.major === '会计')).toBe(false);
    expect((await stack.call('GET', '/v1/institutions/4137051002')).status).toBe(404);
  });

  it('refuses what is not an .xlsx, and a county importing for the whole programme', async () => {
    const notExcel = await stack.call('POST', `/v1/programmes/${P}/offerings/import`, {
      token: city,
      body: { file: Buffer.from('院校名称,学校标识码\n聊城大学,4137010447\n').toString('base64') },
    });
    expect(notExcel.status).toBe(400);
    expect(notExcel.body.error.fields).toEqual([{ path: 'file', message: expect.stringContaining('.xlsx') }]);
    const notBase64 = await stack.call('POST', `/v1/programmes/${P}/offerings/import`, {
      token: city,
      body: { file: '这不是文件' },
    });
    expect(notBase64.status).toBe(400);
    const countyWide = await stack.call('POST', `/v1/programmes/${P}/offerings/import`, {
      token: chiping,
      body: { file: await xlsxBase64(rows) },
    });
    expect(countyWide.status).toBe(403);
  });

  it('imports a valid file whole, registering new institutions; importing it again changes nothing', async () => {
    const res = await stack.call('POST', `/v1/programmes/${P}/offerings/import`, {
      token: chiping,
      body: { file: await xlsxBase64(rows), unitOrgId: 'lc-chiping' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ rows: 3, created: 3, updated: 0, unchanged: 0, institutionsCreated: 1 });
    const list = await allPages(`/v1/programmes/${P}/offerings?unitOrgId=lc-chiping&level=junior_college`);
    expect(list.items).toContainEqual(
      expect.objectContaining({
        major: '会计',
        level: 'junior_college',
        mode: 'spare_time',
        tuitionFen: 200_050,
        tags: ['财会'],
        unitOrgId: 'lc-chiping',
        institution: { id: '4137051002', name: '茌平区职工学院', code: '4137051002' },
      }),
    );
    expect((await stack.call('GET', '/v1/institutions/4137051002')).body.ownerOrgId).toBe('lc-chiping');

    const again = await stack.call('POST', `/v1/programmes/${P}/offerings/import`, {
      token: chiping,
      body: { file: await xlsxBase64(rows), unitOrgId: 'lc-chiping' },
    });
    expect(again.body).toMatchObject({
      rows: 3,
      created: 0,
      updated: 0,
      unchanged: 3,
      institutionsCreated: 0,
    });
    const changed = rows.map((r, i) => (i === 1 ? [...r.slice(0, 8), 3000, r[9] ?? ''] : r));
    const update = await stack.call('POST', `/v1/programmes/${P}/offerings/import`, {
      token: chiping,
      body: { file: await xlsxBase64(changed), unitOrgId: 'lc-chiping' },
    });
    expect(update.body).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
  });
});

describe('applications naming offerings (R3, R4)', () => {
  const ids: Record<string, string> = {};
  const enrolledOn = `${year}-03-01`;

  beforeAll(async () => {
    const all = await allPages(`/v1/programmes/${P}/offerings?limit=50`);
    const find = (major: string) => all.items.find((i) => i.major === major)?.offeringId as string;
    ids.accounting = find('会计学');
    ids.smelting = find('有色金属冶炼技术');
    expect(ids.accounting).toMatch(/^o/);
    expect(ids.smelting).toMatch(/^o/);
  });

  it('takes institution, major and level from the offering; refuses what contradicts it', async () => {
    const token = await stack.token({ sub: 'cat-worker-draft', role: 'worker' });
    const base = draftBody(90, { programmeId: P, employerOrgId: 'lc-dcf-machinery', enrolmentYear: year });
    const mismatch = await stack.call('POST', '/v1/applications', {
      token,
      body: withChanges(base, {
        enrolment: { offeringId: ids.accounting, level: 'junior_college', enrolledOn },
      }),
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.fields).toEqual([
      { path: 'enrolment.level', message: '所选专业的学历层次为本科，与填写的不一致' },
    ]);
    const both = await stack.call('POST', '/v1/applications', {
      token,
      body: withChanges(base, { 'enrolment.offeringId': ids.accounting }),
    });
    expect(both.status).toBe(400);
    expect(both.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'enrolment.institution',
      'enrolment.major',
    ]);
    const neither = await stack.call('POST', '/v1/applications', {
      token,
      body: withChanges(base, { enrolment: { enrolledOn } }),
    });
    expect(neither.status).toBe(400);
    // 茌平区's own offering is not open to a worker of 东昌府区.
    const otherUnit = await stack.call('POST', '/v1/applications', {
      token,
      body: withChanges(base, { enrolment: { offeringId: ids.smelting, enrolledOn } }),
    });
    expect(otherUnit.status).toBe(400);
    expect(otherUnit.body.error.fields).toEqual([
      { path: 'enrolment.offeringId', message: expect.any(String) },
    ]);
    // A programme requiring the catalogue refuses a declared institution.
    const required = await stack.call('POST', '/v1/applications', {
      token,
      body: draftBody(91, {
        programmeId: `${P}-req`,
        employerOrgId: 'lc-dcf-machinery',
        enrolmentYear: year,
      }),
    });
    expect(required.status).toBe(400);
    expect(required.body.error.fields).toEqual([
      { path: 'enrolment.offeringId', message: '本项目须从合作院校专业目录中选择报读专业' },
    ]);
    // The owner's admin may lift the requirement; a declared institution is then taken.
    const lifted = await stack.call('PATCH', `/v1/programmes/${P}-req`, {
      token: city,
      body: { catalogueRequired: false },
    });
    expect(lifted.status, JSON.stringify(lifted.body)).toBe(200);
    expect(lifted.body.catalogueRequired).toBe(false);
    const declared = await stack.call('POST', '/v1/applications', {
      token,
      body: draftBody(91, {
        programmeId: `${P}-req`,
        employerOrgId: 'lc-dcf-machinery',
        enrolmentYear: year,
      }),
    });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    expect(declared.body.enrolment).toMatchObject({ institution: '聊城大学', nonPartner: true });
  });

  it('shows the chosen offering beside the job title to reviewers; a retired offering stays on it but is no longer offered', async () => {
    const { id, token, draft } = await submitted(1, 'lc-dcf-machinery', {
      offeringId: ids.accounting,
      enrolledOn,
    });
    ids.app1 = id;
    ids.app1Token = token;
    expect(draft.enrolment).toEqual({
      offeringId: ids.accounting,
      institution: '聊城大学',
      institutionId: LCU,
      institutionCode: LCU,
      major: '会计学',
      level: 'bachelor',
      mode: 'correspondence',
      years: 2.5,
      tuitionFen: 250_000,
      tags: ['财会', '审计'],
      enrolledOn,
      nonPartner: false,
    });
    const reviewer = await stack.token({ sub: 'cat-rev-dcf', role: 'reviewer', org: 'lc-dcf-machinery' });
    const queue = await stack.call('GET', `/v1/review/queue?programmeId=${P}`, { token: reviewer });
    const item = queue.body.items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({
      jobTitle: '数控车床操作工',
      relevance: expect.any(String),
      enrolment: { offeringId: ids.accounting, major: '会计学', tags: ['财会', '审计'], nonPartner: false },
    });

    const retire = await stack.call('POST', `/v1/programmes/${P}/offerings/${ids.accounting}/retire`, {
      token: city,
    });
    expect(retire.status).toBe(200);
    expect(retire.body).toMatchObject({ status: 'retired', retiredAt: expect.any(String) });
    const offered = await allPages(`/v1/programmes/${P}/offerings?limit=50`);
    expect(offered.items.some((i) => i.offeringId === ids.accounting)).toBe(false);
    const kept = await stack.call('GET', `/v1/applications/${id}`, { token });
    expect(kept.body.enrolment).toMatchObject({
      offeringId: ids.accounting,
      major: '会计学',
      nonPartner: false,
    });
    const asReviewer = await stack.call('GET', `/v1/applications/${id}`, { token: reviewer });
    expect(asReviewer.body.enrolment.offeringId).toBe(ids.accounting);
    const fresh = await stack.call('POST', '/v1/applications', {
      token: await stack.token({ sub: 'cat-worker-late', role: 'worker' }),
      body: withChanges(
        draftBody(92, { programmeId: P, employerOrgId: 'lc-dcf-machinery', enrolmentYear: year }),
        {
          enrolment: { offeringId: ids.accounting, enrolledOn },
        },
      ),
    });
    expect(fresh.status).toBe(400);
    expect(fresh.body.error.fields).toEqual([
      { path: 'enrolment.offeringId', message: '该专业已停止招生，请选择其他专业' },
    ]);
    // Editing a retired offering is refused; the offering is still there for the application.
    const edit = await stack.call('PATCH', `/v1/programmes/${P}/offerings/${ids.accounting}`, {
      token: city,
      body: { tuitionFen: 1 },
    });
    expect(edit.status).toBe(409);
  });

  it('flags a declared institution as 非合作院校 to every reviewer on the chain', async () => {
    const { id, token } = await submitted(2, 'lc-dcf-machinery', {
      institution: '山东某职业学院',
      institutionCode: '4137099901',
      major: '机械制造及自动化',
      level: 'junior_college',
      enrolledOn,
    });
    ids.app2 = id;
    ids.app2Token = token;
    const chain: string[] = (
      await stack.call('GET', `/v1/applications/${id}`, { token })
    ).body.review.chain.map((s: { orgId: string }) => s.orgId);
    expect(chain).toEqual(['lc-dcf-machinery', 'lc-dongchangfu', 'lc']);
    for (const org of chain) {
      const reviewer = await stack.token({ sub: `cat-rev-${org}`, role: 'reviewer', org });
      const queue = await stack.call('GET', `/v1/review/queue?programmeId=${P}`, { token: reviewer });
      const item = queue.body.items.find((i: { id: string }) => i.id === id);
      expect(item?.enrolment, org).toMatchObject({ institution: '山东某职业学院', nonPartner: true });
      expect(item.enrolment.offeringId).toBeUndefined();
      const view = await stack.call('GET', `/v1/applications/${id}`, { token: reviewer });
      expect(view.body.enrolment.nonPartner, org).toBe(true);
      const decided = await stack.call('POST', `/v1/applications/${id}/decisions`, {
        token: reviewer,
        body: { decision: 'approve' },
      });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    }
  });

  it('counts applications, approvals and payments per institution and offering', async () => {
    await approveAlongChain(stack, ids.app1 as string, ids.app1Token as string);
    const c = await submitted(3, 'lc-cp-wenzhuang-aluminium', { offeringId: ids.smelting, enrolledOn });
    ids.app3 = c.id;
    const run = await stack.call('POST', `/v1/programmes/${P}/payout-runs`, {
      token: city,
      body: { batchId: 'b1' },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    let status = '';
    for (let i = 0; i < 150 && status !== 'succeeded' && status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await stack.call('GET', `/v1/payout-runs/${run.body.runId}`, { token: city })).body.status;
    }
    expect(status).toBe('succeeded');

    const counts = await stack.call('GET', `/v1/programmes/${P}/enrolment-counts`, { token: city });
    expect(counts.status, JSON.stringify(counts.body)).toBe(200);
    expect(counts.body.unitOrgIds).toEqual(['lc-dongchangfu', 'lc-chiping']);
    expect(counts.body.totals).toEqual({ applications: 3, approved: 2, paid: 2, paidFen: 200_000 });
    const byName = new Map(
      counts.body.institutions.map((i: { institution: { name: string } }) => [i.institution.name, i]),
    );
    expect(byName.get('聊城大学')).toEqual({
      institution: { id: LCU, name: '聊城大学', code: LCU },
      partner: true,
      applications: 1,
      approved: 1,
      paid: 1,
      paidFen: 100_000,
      offerings: [
        {
          offeringId: ids.accounting,
          major: '会计学',
          level: 'bachelor',
          mode: 'correspondence',
          applications: 1,
          approved: 1,
          paid: 1,
          paidFen: 100_000,
        },
      ],
    });
    expect(byName.get('山东某职业学院')).toMatchObject({
      institution: { name: '山东某职业学院', code: '4137099901' },
      partner: false,
      applications: 1,
      approved: 1,
      paid: 1,
    });
    expect(byName.get('聊城职工大学')).toMatchObject({
      partner: true,
      applications: 1,
      approved: 0,
      paid: 0,
    });
    // Partners first.
    expect(counts.body.institutions.at(-1).partner).toBe(false);

    // A county counts its own unit; an org outside the programme counts nothing.
    const county = await stack.call('GET', `/v1/programmes/${P}/enrolment-counts`, { token: chiping });
    expect(county.body.unitOrgIds).toEqual(['lc-chiping']);
    expect(county.body.totals).toEqual({ applications: 1, approved: 0, paid: 0, paidFen: 0 });
    const linqing = await stack.token({ sub: 'admin-lq', role: 'admin', org: 'lc-linqing' });
    expect((await stack.call('GET', `/v1/programmes/${P}/enrolment-counts`, { token: linqing })).status).toBe(
      403,
    );

    const exported = await stack.call('GET', `/v1/programmes/${P}/enrolment-counts/export`, { token: city });
    expect(exported.status).toBe(200);
    expect(exported.body.fileName).toMatch(/\.xlsx$/);
    const sheet = await readXlsx(exported.body.contentBase64);
    expect(sheet[0]?.slice(0, 4)).toEqual(['院校名称', '学校标识码', '合作院校', '专业名称']);
    expect(sheet).toContainEqual(['聊城大学', LCU, '合作院校', '会计学', '本科', '函授', 1, 1, 1, 1000]);
    expect(sheet).toHaveLength(4);
  });
});

describe('draft corrections keep the catalogue’s rules', () => {
  it('re-checks an offering when the worker moves to another unit', async () => {
    const token = await stack.token({ sub: 'cat-worker-move', role: 'worker' });
    const all = await allPages(`/v1/programmes/${P}/offerings?unitOrgId=lc-chiping&limit=50`);
    const smelting = all.items.find((i) => i.major === '有色金属冶炼技术')?.offeringId;
    const draft = await stack.call('POST', '/v1/applications', {
      token,
      body: withChanges(
        draftBody(93, { programmeId: P, employerOrgId: 'lc-cp-wenzhuang-aluminium', enrolmentYear: year }),
        {
          enrolment: { offeringId: smelting, enrolledOn: `${year}-03-01` },
          'chsiReport.validUntil': addMonths(today, 12),
        },
      ),
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const moved = await stack.call('PATCH', `/v1/applications/${draft.body.id}`, {
      token,
      body: { employerOrgId: 'lc-dcf-machinery' },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.error.fields).toEqual([{ path: 'enrolment.offeringId', message: expect.any(String) }]);
  });
});

describe('no 5xx for any catalogue input', () => {
  const answersInContract = (res: {
    status: number;
    body: { error?: { code?: string; message?: string } };
  }) => {
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.body.error?.code).toMatch(/^[a-z_]+$/);
      expect(res.body.error?.message).toEqual(expect.any(String));
    }
  };

  it('imports damaged, truncated and arbitrary files as 400, never 500', async () => {
    const valid = await xlsxBytes([
      [...importHeader],
      ['聊城大学', LCU, '普通高校', '聊城', '焊接技术与工程', '本科', '函授', 2.5, 2800, '机械'],
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: 1, max: valid.length - 1 }).map((n) => valid.subarray(0, n)),
          fc
            .tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }))
            .map(([at, byte]) => {
              const copy = Buffer.from(valid);
              copy[at] = byte;
              return copy;
            }),
          fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
        ),
        async (bytes) => {
          const res = await stack.call('POST', `/v1/programmes/${P}/offerings/import`, {
            token: city,
            body: { file: bytes.toString('base64') },
          });
          answersInContract(res);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers any query of the public list and any body of the management routes in the contract', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 50 });
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            level: fc.oneof(fc.constantFrom('bachelor', 'junior_college'), text),
            q: text,
            tag: text,
            mode: fc.oneof(fc.constantFrom('online', 'spare_time'), text),
            institutionId: fc.oneof(fc.constant(LCU), text),
            cursor: text,
            limit: fc.oneof(fc.integer({ min: -5, max: 80 }).map(String), text),
          },
          { requiredKeys: [] },
        ),
        async (query) => {
          const qs = new URLSearchParams(query as Record<string, string>).toString();
          answersInContract(await stack.call('GET', `/v1/programmes/lc-2022/offerings?${qs}`));
        },
      ),
      { numRuns: 80 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            institutionId: fc.oneof(fc.constant(LCU), text),
            major: text,
            level: fc.oneof(fc.constant('bachelor'), text),
            mode: fc.oneof(fc.constant('online'), text),
            years: fc.oneof(fc.double(), fc.constant(2.5)),
            tuitionFen: fc.oneof(fc.integer(), fc.double(), fc.constant(100)),
            tags: fc.array(text, { maxLength: 7 }),
            unitOrgId: fc.constantFrom('lc-chiping', 'lc', 'nobody', ''),
          },
          { requiredKeys: [] },
        ),
        async (body) => {
          answersInContract(await stack.call('POST', `/v1/programmes/${P}/offerings`, { token: city, body }));
          answersInContract(
            await stack.call('POST', '/v1/institutions', {
              token: city,
              body: { code: body.institutionId, name: body.major, kind: body.level },
            }),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
