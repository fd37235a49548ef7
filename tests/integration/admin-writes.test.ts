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

describe('POST /v1/programmes', () => {
  it('publishes a programme: 201, then readable and on the quota board with empty counters', async () => {
    const body = programme2023();
    const res = await stack.call('POST', '/v1/programmes', { token: lcAdmin, body });
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
    const res = await stack.call('POST', '/v1/programmes', { token: lcAdmin, body: again });
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
  async function expectRefused(change: (p: ProgrammeBody) => unknown, paths: string[], token = lcAdmin) {
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
