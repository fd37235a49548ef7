import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let lcAdmin: string;
let chipingAdmin: string;
let sdAdmin: string;
let worker: string;
let reviewer: string;

beforeAll(async () => {
  stack = await startTestStack();
  lcAdmin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
  chipingAdmin = await stack.token({ sub: 'admin-cp', role: 'admin', org: 'lc-chiping' });
  sdAdmin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  worker = await stack.token({ sub: 'worker-1', role: 'worker' });
  reviewer = await stack.token({ sub: 'reviewer-1', role: 'reviewer', org: 'lc' });
});
afterAll(async () => {
  await stack.stop();
});

interface FieldError {
  path: string;
  message: string;
}

/** 400 `validation_failed` naming exactly these field paths, each with a message. */
function expectInvalid(res: { status: number; body: { error: { fields?: FieldError[] } } }, paths: string[]) {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({
    error: {
      code: 'validation_failed',
      message: expect.any(String),
      fields: expect.any(Array),
    },
  });
  expect(res.body.error.fields?.map((f) => f.path).sort()).toEqual([...paths].sort());
  for (const field of res.body.error.fields ?? []) expect(field.message).toMatch(/\S/);
}

describe('POST /v1/orgs (R12 组织注册)', () => {
  it('lets the city admin register a township under one of its units', async () => {
    const body = { id: 'lc-dcf-xinqu', name: '新区街道工会', kind: 'township', parentId: 'lc-dongchangfu' };
    const res = await stack.call('POST', '/v1/orgs', { token: lcAdmin, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ ...body, path: ['sd', 'lc', 'lc-dongchangfu', 'lc-dcf-xinqu'] });

    const children = await stack.call('GET', '/v1/orgs/lc-dongchangfu/children');
    expect(children.body.children.map((o: { id: string }) => o.id)).toEqual([
      'lc-dcf-gucheng',
      'lc-dcf-machinery',
      'lc-dcf-xinqu',
    ]);
    const read = await stack.call('GET', '/v1/orgs/lc-dcf-xinqu');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('lets a unit admin register an enterprise under its township, trimming the name', async () => {
    const res = await stack.call('POST', '/v1/orgs', {
      token: chipingAdmin,
      body: {
        id: 'lc-cp-wz-steel',
        name: '  温庄钢构有限公司工会 ',
        kind: 'enterprise',
        parentId: 'lc-cp-wenzhuang',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: 'lc-cp-wz-steel',
      name: '温庄钢构有限公司工会',
      kind: 'enterprise',
      parentId: 'lc-cp-wenzhuang',
      path: ['sd', 'lc', 'lc-chiping', 'lc-cp-wenzhuang', 'lc-cp-wz-steel'],
    });
  });

  it('answers an org outside the admin’s subtree exactly like a missing one (no leak)', async () => {
    const outside = await stack.call('POST', '/v1/orgs', {
      token: chipingAdmin,
      body: { id: 'lc-dcf-sneaky', name: '越权镇工会', kind: 'township', parentId: 'lc-dongchangfu' },
    });
    expectInvalid(outside, ['parentId']);
    const missing = await stack.call('POST', '/v1/orgs', {
      token: chipingAdmin,
      body: { id: 'lc-dcf-sneaky', name: '越权镇工会', kind: 'township', parentId: 'lc-nowhere' },
    });
    expect(missing.status).toBe(outside.status);
    expect(missing.body).toEqual(outside.body);
    // Upwards is outside too.
    expectInvalid(
      await stack.call('POST', '/v1/orgs', {
        token: chipingAdmin,
        body: { id: 'lc-sneaky', name: '越权区', kind: 'unit', parentId: 'lc' },
      }),
      ['parentId'],
    );
    expect((await stack.call('GET', '/v1/orgs/lc-dcf-sneaky')).status).toBe(404);
    expect((await stack.call('GET', '/v1/orgs/lc-sneaky')).status).toBe(404);
  });

  it.each([
    ['a unit under a unit', 'unit', 'lc-dongchangfu'],
    ['a township under the city', 'township', 'lc'],
    ['an enterprise under the city', 'enterprise', 'lc'],
    ['a township under a township', 'township', 'lc-dcf-gucheng'],
    ['a township under an enterprise', 'township', 'lc-dcf-machinery'],
    ['a city under a city', 'city', 'lc'],
    ['a province under the city', 'province', 'lc'],
  ])('refuses %s (field kind)', async (_label, kind, parentId) => {
    const res = await stack.call('POST', '/v1/orgs', {
      token: lcAdmin,
      body: { id: 'lc-wrong-kind', name: '错误层级', kind, parentId },
    });
    expectInvalid(res, ['kind']);
  });

  it('answers 409 already_exists for a taken id, wherever it sits', async () => {
    const res = await stack.call('POST', '/v1/orgs', {
      token: lcAdmin,
      body: { id: 'lc-chiping', name: '茌平区', kind: 'unit', parentId: 'lc' },
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: { code: 'already_exists', message: expect.stringContaining('lc-chiping') },
    });
    const elsewhere = await stack.call('POST', '/v1/orgs', {
      token: lcAdmin,
      body: { id: 'lc-dcf-machinery', name: '重名企业', kind: 'enterprise', parentId: 'lc-chiping' },
    });
    expect(elsewhere.status).toBe(409);
    // The first registration is untouched.
    const original = await stack.call('GET', '/v1/orgs/lc-dcf-machinery');
    expect(original.body.parentId).toBe('lc-dongchangfu');
  });

  it('answers 403 forbidden for a worker or a reviewer', async () => {
    for (const token of [worker, reviewer]) {
      const res = await stack.call('POST', '/v1/orgs', {
        token,
        body: { id: 'lc-dcf-w', name: '职工注册', kind: 'township', parentId: 'lc-dongchangfu' },
      });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect((await stack.call('GET', '/v1/orgs/lc-dcf-w')).status).toBe(404);
  });

  it.each([
    ['an empty object', {}, ['id', 'name', 'kind', 'parentId']],
    ['a missing name', { id: 'lc-x', kind: 'township', parentId: 'lc-dongchangfu' }, ['name']],
    ['a blank name', { id: 'lc-x', name: '   ', kind: 'township', parentId: 'lc-dongchangfu' }, ['name']],
    ['an id with capitals', { id: 'LC-X', name: 'x', kind: 'township', parentId: 'lc-dongchangfu' }, ['id']],
    [
      'an id ending in a hyphen',
      { id: 'lc-x-', name: 'x', kind: 'township', parentId: 'lc-dongchangfu' },
      ['id'],
    ],
    ['an unknown kind', { id: 'lc-x', name: 'x', kind: 'village', parentId: 'lc-dongchangfu' }, ['kind']],
    ['a numeric parent', { id: 'lc-x', name: 'x', kind: 'township', parentId: 7 }, ['parentId']],
    ['a null parent', { id: 'lc-x', name: 'x', kind: 'township', parentId: null }, ['parentId']],
    [
      'a name of 101 characters',
      { id: 'lc-x', name: '字'.repeat(101), kind: 'township', parentId: 'lc' },
      ['name'],
    ],
    // Unknown fields are refused, not ignored, each named at its own path.
    [
      'an extra field',
      { id: 'lc-x', name: 'x', kind: 'township', parentId: 'lc-dongchangfu', path: ['sd'] },
      ['path'],
    ],
    ['an array', [], ['(body)']],
    ['null', null, ['(body)']],
    ['a string', 'lc-x', ['(body)']],
  ])('answers 400 for %s', async (_label, body, paths) => {
    const res = await stack.call('POST', '/v1/orgs', { token: lcAdmin, body: JSON.stringify(body) });
    expectInvalid(res, paths);
  });

  it('names the unknown field in its message', async () => {
    const res = await stack.call('POST', '/v1/orgs', {
      token: lcAdmin,
      body: { id: 'lc-x', name: 'x', kind: 'township', parentId: 'lc-dongchangfu', path: ['sd'] },
    });
    expect(res.body.error.fields[0].message).toContain('path');
  });

  it.each([
    ['no body', undefined, 'application/json'],
    ['a truncated JSON body', '{"id":"lc-x","name":', 'application/json'],
    ['a JSON body sent as text/plain', '{"id":"lc-x"}', 'text/plain'],
    ['a form body', 'id=lc-x&name=x', 'application/x-www-form-urlencoded'],
    ['an XML body', '<org id="lc-x"/>', 'application/xml'],
  ])('answers 400 for %s', async (_label, body, contentType) => {
    const res = await stack.call('POST', '/v1/orgs', {
      token: lcAdmin,
      ...(body === undefined ? {} : { body }),
      headers: { 'content-type': contentType },
    });
    expectInvalid(res, ['(body)']);
  });
});

/** A programme the city union could publish for 2023: two batches, three units. */
function programme2023(id = 'lc-2023') {
  return {
    id,
    title: '2023年一线职工“求学圆梦行动”',
    ownerOrgId: 'lc',
    year: 2023,
    enrolmentYear: 2023,
    applicationWindow: { opensOn: '2023-01-01', closesOn: '2023-11-30' },
    reviewBatches: [
      { id: 'batch-1', opensOn: '2023-05-05', closesOn: '2023-06-10' },
      { id: 'batch-2', opensOn: '2023-11-01', closesOn: '2023-12-09' },
    ],
    levels: ['junior_college', 'bachelor'],
    allocations: [
      {
        unitOrgId: 'lc-shizhi',
        places: 25,
        funding: [
          { funderOrgId: 'sd', amountFen: 100_000 },
          { funderOrgId: 'lc', amountFen: 100_000 },
        ],
      },
      {
        unitOrgId: 'lc-chiping',
        places: 30,
        funding: [
          { funderOrgId: 'sd', amountFen: 100_000, places: 20 },
          { funderOrgId: 'lc', amountFen: 100_000, places: 20 },
          // R6: the county adds ten places of its own and tops up every place.
          { funderOrgId: 'lc-chiping', amountFen: 50_000 },
        ],
      },
      {
        unitOrgId: 'lc-gaoxinqu',
        places: 5,
        funding: [
          { funderOrgId: 'sd', amountFen: 100_000 },
          { funderOrgId: 'lc', amountFen: 100_000 },
        ],
      },
    ],
    contacts: { hotline: '4000123318', people: [{ name: '魏丽婷', phone: '0635-8261102' }] },
  };
}

type ProgrammeBody = ReturnType<typeof programme2023>;

/**
 * R6: a share commits its funder's money, so only an admin of the funder or above may name it —
 * every combination of caller level (province, city, county, township, enterprise) and funder level.
 */
describe('who may commit whose money (R6)', () => {
  const callers = {
    province: {
      org: 'sd',
      governs: ['sd', 'lc', 'lc-chiping', 'lc-cp-wenzhuang', 'lc-cp-wenzhuang-aluminium'],
    },
    city: { org: 'lc', governs: ['lc', 'lc-chiping', 'lc-cp-wenzhuang', 'lc-cp-wenzhuang-aluminium'] },
    county: { org: 'lc-chiping', governs: ['lc-chiping', 'lc-cp-wenzhuang', 'lc-cp-wenzhuang-aluminium'] },
  } as const;
  const shareFunders = ['sd', 'lc', 'lc-chiping'] as const;
  const topUpFunders = ['lc-cp-wenzhuang', 'lc-cp-wenzhuang-aluminium'] as const;
  let n = 0;

  /** A county-owned programme (so the county admin may publish it) naming one funder. */
  function countyProgramme(funder: { share?: string; topUp?: string }) {
    n++;
    return {
      id: `funding-${n}`,
      title: '资金承诺测试',
      ownerOrgId: 'lc-chiping',
      year: 2023,
      enrolmentYear: 2023,
      applicationWindow: { opensOn: '2023-01-01', closesOn: '2023-11-30' },
      reviewBatches: [{ id: 'b1', opensOn: '2023-05-05', closesOn: '2023-12-09' }],
      levels: ['junior_college'],
      allocations: [
        {
          unitOrgId: 'lc-chiping',
          places: 2,
          funding: [{ funderOrgId: funder.share ?? 'lc-chiping', amountFen: 5_000_000 }],
        },
      ],
      ...(funder.topUp ? { topUps: [{ funderOrgId: funder.topUp, amountFen: 10_000 }] } : {}),
    };
  }

  for (const [level, caller] of Object.entries(callers)) {
    for (const funder of [...shareFunders, ...topUpFunders]) {
      const allowed = (caller.governs as readonly string[]).includes(funder);
      it(`${level} admin naming ${funder}: ${allowed ? '201' : '403'}`, async () => {
        const token = await stack.token({ sub: `admin-${caller.org}`, role: 'admin', org: caller.org });
        const topUp = (topUpFunders as readonly string[]).includes(funder);
        const body = countyProgramme(topUp ? { topUp: funder } : { share: funder });
        const res = await stack.call('POST', '/v1/programmes', { token, body });
        if (allowed) {
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          return;
        }
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
        expect(res.body.error.fields).toEqual([
          {
            path: topUp ? 'topUps.0.funderOrgId' : 'allocations.0.funding.0.funderOrgId',
            message: expect.any(String),
          },
        ]);
        expect((await stack.call('GET', `/v1/programmes/${body.id}`)).status).toBe(404);
      });
    }
  }

  it('township and enterprise admins cannot publish at all (they govern no unit)', async () => {
    for (const org of ['lc-cp-wenzhuang', 'lc-cp-wenzhuang-aluminium']) {
      const token = await stack.token({ sub: `admin-${org}`, role: 'admin', org });
      const res = await stack.call('POST', '/v1/programmes', { token, body: countyProgramme({}) });
      expect(res.status).toBe(403);
    }
  });

  it('the county admin of 茌平 cannot pay itself the province’s and the city’s money (the reported case)', async () => {
    const body = countyProgramme({ share: 'lc-chiping' });
    body.allocations[0]?.funding.push(
      { funderOrgId: 'sd', amountFen: 5_000_000 },
      { funderOrgId: 'lc', amountFen: 5_000_000 },
    );
    const res = await stack.call('POST', '/v1/programmes', { token: chipingAdmin, body });
    expect(res.status).toBe(403);
    expect(res.body.error.fields.map((f: FieldError) => f.path)).toEqual([
      'allocations.0.funding.1.funderOrgId',
      'allocations.0.funding.2.funderOrgId',
    ]);
  });

  it('the city publishes its share; the province adds its share, the county its own; nobody adds another’s', async () => {
    const body = {
      ...programme2023('funding-city'),
      allocations: programme2023().allocations.map((a) => ({
        ...a,
        funding: a.funding.filter((f) => f.funderOrgId === 'lc'),
      })),
    };
    expect((await stack.call('POST', '/v1/programmes', { token: lcAdmin, body })).status).toBe(201);
    const share = (unit: string, funder: string) =>
      `/v1/programmes/funding-city/allocations/${unit}/funding/${funder}`;
    // The city cannot add the province's money, nor a county the city's or a neighbour's.
    const lqAdmin = await stack.token({ sub: 'admin-lq', role: 'admin', org: 'lc-linqing' });
    for (const [token, unit, funder] of [
      [lcAdmin, 'lc-chiping', 'sd'],
      [chipingAdmin, 'lc-chiping', 'lc'],
      [lqAdmin, 'lc-chiping', 'lc-chiping'],
    ] as const) {
      const res = await stack.call('PUT', share(unit, funder), { token, body: { amountFen: 100_000 } });
      expect(res.status, `${unit}/${funder}`).toBe(403);
    }
    // The province's admin adds the province's share, as allocated to the city.
    const sd = await stack.call('PUT', share('lc-chiping', 'sd'), {
      token: sdAdmin,
      body: { amountFen: 100_000 },
    });
    expect(sd.status, JSON.stringify(sd.body)).toBe(200);
    // The county adds its own money to its own unit; not to a unit it is not on the path of.
    const own = await stack.call('PUT', share('lc-chiping', 'lc-chiping'), {
      token: chipingAdmin,
      body: { amountFen: 50_000, places: 10 },
    });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    const elsewhere = await stack.call('PUT', share('lc-shizhi', 'lc-chiping'), {
      token: chipingAdmin,
      body: { amountFen: 50_000 },
    });
    expectInvalid(elsewhere, ['allocations.0.funding.1.funderOrgId']);
    expect(
      (await stack.call('PUT', share('lc-nowhere', 'lc'), { token: lcAdmin, body: { amountFen: 1 } })).status,
    ).toBe(404);
    const board = await stack.call('GET', '/v1/programmes/funding-city/quotas');
    expect(board.body.units.find((u: { unitOrgId: string }) => u.unitOrgId === 'lc-chiping').funding).toEqual(
      [
        { funderOrgId: 'lc', amountFen: 100_000, totalFen: 2_000_000 },
        { funderOrgId: 'sd', amountFen: 100_000, totalFen: 3_000_000 },
        { funderOrgId: 'lc-chiping', amountFen: 50_000, totalFen: 500_000 },
      ],
    );
  });

  it('a reallocation that would commit more of an ancestor’s money needs that ancestor’s admin', async () => {
    // funding-city: 茌平 now carries the province's share, 市直 does not: moving places into 茌平 commits more of sd's money.
    const move = { fromUnitOrgId: 'lc-shizhi', toUnitOrgId: 'lc-chiping', places: 2 };
    const path = '/v1/programmes/funding-city/reallocations';
    const refused = await stack.call('POST', path, { token: lcAdmin, body: move });
    expect(refused.status).toBe(403);
    expect(refused.body.error.fields).toEqual([
      { path: 'places', message: expect.stringContaining('山东省总工会') },
    ]);
    expect((await stack.call('POST', path, { token: sdAdmin, body: move })).status).toBe(200);
    // The other way round commits less of sd's money: the city may.
    const back = await stack.call('POST', path, {
      token: lcAdmin,
      body: { fromUnitOrgId: 'lc-chiping', toUnitOrgId: 'lc-shizhi', places: 2 },
    });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
  });
});

describe('POST /v1/programmes', () => {
  it('publishes a programme: 201, then readable and on the quota board with empty counters', async () => {
    const body = programme2023();
    // R6: the province's share is committed by the province's admin.
    const res = await stack.call('POST', '/v1/programmes', { token: sdAdmin, body });
    expect(res.status).toBe(201);
    const expected = { ...body, allocationPolicy: 'first_come_first_served', createdAt: expect.any(String) };
    expect(res.body).toEqual(expected);
    expect(Math.abs(Date.parse(res.body.createdAt) - Date.now())).toBeLessThan(60_000);

    const read = await stack.call('GET', '/v1/programmes/lc-2023');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);

    const list = await stack.call('GET', '/v1/programmes');
    expect(list.body.programmes.find((p: { id: string }) => p.id === 'lc-2023')).toEqual({
      id: 'lc-2023',
      title: body.title,
      ownerOrgId: 'lc',
      year: 2023,
      enrolmentYear: 2023,
      applicationWindow: body.applicationWindow,
      reviewBatches: body.reviewBatches,
      levels: body.levels,
    });

    const quotas = await stack.call('GET', '/v1/programmes/lc-2023/quotas');
    expect(quotas.status).toBe(200);
    expect(quotas.body).toEqual({
      programmeId: 'lc-2023',
      units: [
        {
          unitOrgId: 'lc-shizhi',
          name: '市直属单位',
          places: 25,
          claimed: 0,
          waitlisted: 0,
          funding: [
            { funderOrgId: 'sd', amountFen: 100_000, totalFen: 2_500_000 },
            { funderOrgId: 'lc', amountFen: 100_000, totalFen: 2_500_000 },
          ],
        },
        {
          unitOrgId: 'lc-chiping',
          name: '茌平区',
          places: 30,
          claimed: 0,
          waitlisted: 0,
          funding: [
            { funderOrgId: 'sd', amountFen: 100_000, totalFen: 2_000_000 },
            { funderOrgId: 'lc', amountFen: 100_000, totalFen: 2_000_000 },
            { funderOrgId: 'lc-chiping', amountFen: 50_000, totalFen: 1_500_000 },
          ],
        },
        {
          unitOrgId: 'lc-gaoxinqu',
          name: '高新区',
          places: 5,
          claimed: 0,
          waitlisted: 0,
          funding: [
            { funderOrgId: 'sd', amountFen: 100_000, totalFen: 500_000 },
            { funderOrgId: 'lc', amountFen: 100_000, totalFen: 500_000 },
          ],
        },
      ],
      totals: {
        places: 60,
        claimed: 0,
        waitlisted: 0,
        funding: [
          { funderOrgId: 'sd', totalFen: 5_000_000 },
          { funderOrgId: 'lc', totalFen: 5_000_000 },
          { funderOrgId: 'lc-chiping', totalFen: 1_500_000 },
        ],
      },
    });
  });

  it('answers 409 already_exists for a taken id and keeps the first programme', async () => {
    const again = programme2023('lc-2022');
    const res = await stack.call('POST', '/v1/programmes', { token: sdAdmin, body: again });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: { code: 'already_exists', message: expect.stringContaining('lc-2022') },
    });
    const quotas = await stack.call('GET', '/v1/programmes/lc-2022/quotas');
    expect(quotas.body.units).toHaveLength(12);
    expect(quotas.body.totals.places).toBe(200);
  });

  it('answers 403 when a unit admin publishes for the city', async () => {
    const res = await stack.call('POST', '/v1/programmes', {
      token: chipingAdmin,
      body: programme2023('lc-2023-cp'),
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    expect((await stack.call('GET', '/v1/programmes/lc-2023-cp')).status).toBe(404);
  });

  it('answers 403 for a worker and a reviewer', async () => {
    for (const token of [worker, reviewer]) {
      const res = await stack.call('POST', '/v1/programmes', { token, body: programme2023('lc-2023-w') });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  /** Posts a variant of the valid programme and expects 400 at exactly these paths, with nothing stored. */
  async function expectRefused(change: (p: ProgrammeBody) => unknown, paths: string[], token = sdAdmin) {
    const body = programme2023('lc-2023-bad');
    change(body);
    const res = await stack.call('POST', '/v1/programmes', { token, body });
    expectInvalid(res, paths);
    expect((await stack.call('GET', '/v1/programmes/lc-2023-bad')).status).toBe(404);
  }

  it('refuses dates that do not exist', async () => {
    await expectRefused(
      (p) => {
        p.applicationWindow.opensOn = '2023-02-29';
      },
      ['applicationWindow.opensOn'],
    );
    await expectRefused(
      (p) => {
        p.applicationWindow.closesOn = '2023-11-31';
      },
      ['applicationWindow.closesOn'],
    );
    await expectRefused(
      (p) => {
        p.reviewBatches[0] = { id: 'batch-1', opensOn: '2023-5-5', closesOn: '2023-06-10' };
      },
      ['reviewBatches.0.opensOn'],
    );
    await expectRefused(
      (p) => {
        p.reviewBatches[1] = { id: 'batch-2', opensOn: '2023-11-01', closesOn: '2023-12-09T00:00:00Z' };
      },
      ['reviewBatches.1.closesOn'],
    );
  });

  it('refuses a window that closes before it opens', async () => {
    await expectRefused(
      (p) => {
        p.applicationWindow = { opensOn: '2023-05-01', closesOn: '2023-04-30' };
      },
      ['applicationWindow.closesOn'],
    );
  });

  it('refuses a review batch that opens before the application window', async () => {
    await expectRefused(
      (p) => {
        p.reviewBatches[0] = { id: 'batch-1', opensOn: '2022-12-31', closesOn: '2023-06-10' };
      },
      ['reviewBatches.0.opensOn'],
    );
  });

  it('refuses overlapping review batches and a last batch closing before the window', async () => {
    await expectRefused(
      (p) => {
        p.reviewBatches[1] = { id: 'batch-2', opensOn: '2023-06-01', closesOn: '2023-12-09' };
      },
      ['reviewBatches.1.opensOn'],
    );
    await expectRefused(
      (p) => {
        p.reviewBatches[1] = { id: 'batch-2', opensOn: '2023-11-01', closesOn: '2023-11-29' };
      },
      ['reviewBatches.1.closesOn'],
    );
  });

  it('refuses places on an enterprise, a township or the city', async () => {
    for (const orgId of ['lc-dcf-machinery', 'lc-dcf-gucheng', 'lc']) {
      await expectRefused(
        (p) => {
          const first = p.allocations[0];
          if (first) first.unitOrgId = orgId;
        },
        ['allocations.0.unitOrgId'],
      );
    }
  });

  it('refuses places on a unit of another city', async () => {
    const city = await stack.call('POST', '/v1/orgs', {
      token: sdAdmin,
      body: { id: 'hz', name: '菏泽市总工会', kind: 'city', parentId: 'sd' },
    });
    expect(city.status).toBe(201);
    const unit = await stack.call('POST', '/v1/orgs', {
      token: sdAdmin,
      body: { id: 'hz-mudan', name: '牡丹区', kind: 'unit', parentId: 'hz' },
    });
    expect(unit.status).toBe(201);
    expect(unit.body.path).toEqual(['sd', 'hz', 'hz-mudan']);

    await expectRefused(
      (p) => {
        p.allocations.push({
          unitOrgId: 'hz-mudan',
          places: 5,
          funding: [{ funderOrgId: 'sd', amountFen: 100_000 }],
        });
      },
      ['allocations.3.unitOrgId'],
    );
    // Its funder is not on the path of a Liaocheng unit either.
    await expectRefused(
      (p) => {
        p.allocations[2]?.funding.push({ funderOrgId: 'hz', amountFen: 1 });
      },
      ['allocations.2.funding.2.funderOrgId'],
    );
  });

  it.each([0, -1, 1.5, '20', null, 100_001])('refuses places of %j', async (places) => {
    await expectRefused(
      (p) => {
        (p.allocations[0] as { places: unknown }).places = places;
      },
      ['allocations.0.places'],
    );
  });

  it.each([1.5, 0, -100, '100', null, 1e11])('refuses amountFen of %j', async (amountFen) => {
    await expectRefused(
      (p) => {
        (p.allocations[0]?.funding[0] as { amountFen: unknown }).amountFen = amountFen;
      },
      ['allocations.0.funding.0.amountFen'],
    );
  });

  it('refuses the same unit twice', async () => {
    await expectRefused(
      (p) => {
        const third = p.allocations[2];
        if (third) third.unitOrgId = 'lc-shizhi';
      },
      ['allocations.2.unitOrgId'],
    );
  });

  it('refuses unknown units, owners and funders', async () => {
    await expectRefused(
      (p) => {
        const first = p.allocations[0];
        if (first) first.unitOrgId = 'lc-nowhere';
      },
      ['allocations.0.unitOrgId'],
    );
    await expectRefused(
      (p) => {
        p.allocations[0]?.funding.push({ funderOrgId: 'nobody', amountFen: 1 });
      },
      ['allocations.0.funding.2.funderOrgId'],
    );
    await expectRefused(
      (p) => {
        p.ownerOrgId = 'lc-nowhere';
      },
      ['ownerOrgId'],
    );
  });

  it('refuses a shape that is not a programme, naming every field', async () => {
    await expectRefused(
      (p) => {
        (p as Record<string, unknown>).levels = ['master'];
        (p as Record<string, unknown>).year = '2023';
        (p as Record<string, unknown>).title = '';
      },
      ['levels.0', 'year', 'title'],
    );
    await expectRefused(
      (p) => {
        p.allocations = [];
        p.reviewBatches = [];
      },
      ['allocations', 'reviewBatches'],
    );
    await expectRefused(
      (p) => {
        (p as Record<string, unknown>).allocationPolicy = 'lottery';
      },
      ['allocationPolicy'],
    );
  });

  it('answers 413 payload_too_large for a 300 KB body', async () => {
    const body = { ...programme2023('lc-2023-big'), title: '大'.repeat(100_000) };
    const text = JSON.stringify(body);
    expect(Buffer.byteLength(text)).toBeGreaterThan(300_000);
    const res = await stack.call('POST', '/v1/programmes', { token: lcAdmin, body: text });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
    expect((await stack.call('GET', '/v1/programmes/lc-2023-big')).status).toBe(404);
  });
});
