import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './harness.ts';

// Seeded as if first started on 2023-06-15 (Asia/Shanghai): the demo programme is `demo-20230615`,
// with places in 东昌府区, 茌平区 and 市直属单位 only.
const SEEDED_AT = new Date('2023-06-15T04:00:00.000Z');
const demo = 'demo-20230615';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ now: SEEDED_AT });
});
afterAll(async () => {
  await stack.stop();
});

describe('GET /v1/programmes/{programmeId}/employers: the worker pages’ employer search', () => {
  it('finds an enterprise under a township by part of its name, with the unit it counts in', async () => {
    const res = await stack.call('GET', `/v1/programmes/${demo}/employers?q=${encodeURIComponent('纺织')}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      programmeId: demo,
      items: [
        {
          id: 'lc-dcf-gucheng-textile',
          name: '古城纺织有限公司工会（演示）',
          unitOrgId: 'lc-dongchangfu',
          path: ['sd', 'lc', 'lc-dongchangfu', 'lc-dcf-gucheng', 'lc-dcf-gucheng-textile'],
        },
      ],
    });
  });

  it('answers only enterprises inside the programme’s units, never townships or other units’ employers', async () => {
    const res = await stack.call('GET', `/v1/programmes/${demo}/employers?q=${encodeURIComponent('工会')}`);
    expect(res.status).toBe(200);
    const ids = res.body.items.map((o: { id: string }) => o.id).sort();
    expect(ids).toEqual(
      [
        'lc-cp-wenzhuang-aluminium',
        'lc-dcf-gucheng-textile',
        'lc-dcf-machinery',
        'lc-sz-power',
        'lc-sz-transit',
      ].sort(),
    );
    // The same text in the 2022 programme reaches 临清 and the development zone too.
    const all = await stack.call('GET', `/v1/programmes/lc-2022/employers?q=${encodeURIComponent('工会')}`);
    expect(all.body.items.map((o: { id: string }) => o.id)).toEqual(
      expect.arrayContaining(['lc-lq-yandian-bearing', 'lc-kfq-logistics']),
    );
  });

  it('refuses an empty search with the field named, and an unknown programme with 404', async () => {
    const empty = await stack.call('GET', `/v1/programmes/${demo}/employers?q=%20`);
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('validation_failed');
    expect(empty.body.error.fields).toEqual([
      expect.objectContaining({ path: 'query.q', message: '请输入单位名称' }),
    ]);
    const missing = await stack.call('GET', `/v1/programmes/${demo}/employers`);
    expect(missing.status).toBe(400);
    const unknown = await stack.call(
      'GET',
      `/v1/programmes/no-such/employers?q=${encodeURIComponent('纺织')}`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });
});
