import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import { programmeBody, publishProgramme, uploadAllDocuments } from '../support/api.ts';
import { draftBody } from '../support/fixtures.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let admin: string;
const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  await publishProgramme(
    stack,
    programmeBody({
      id: 'it-open',
      allocations: [
        { unitOrgId: 'lc-dongchangfu', places: 2, funding: [{ funderOrgId: 'sd', amountFen: 100000 }] },
      ],
    }),
    admin,
  );
});
afterAll(async () => {
  await stack.stop();
});

describe('applying end to end', () => {
  it('drafts, uploads, submits, claims then waitlists', async () => {
    const results = [];
    for (let n = 1; n <= 3; n++) {
      const token = await stack.token({ sub: `w${n}`, role: 'worker' });
      const draft = await stack.call('POST', '/v1/applications', {
        token,
        body: draftBody(n, {
          programmeId: 'it-open',
          employerOrgId: 'lc-dcf-gucheng-textile',
          enrolmentYear: year,
        }),
      });
      expect(draft.status, JSON.stringify(draft.body)).toBe(201);
      expect(draft.body.applicant.idNumber).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
      await uploadAllDocuments(stack, token, draft.body.id);
      const sub = await stack.call('POST', `/v1/applications/${draft.body.id}/submit`, { token });
      expect(sub.status, JSON.stringify(sub.body)).toBe(200);
      results.push(sub.body);
    }
    expect(results.map((r) => r.quota.state)).toEqual(['claimed', 'claimed', 'waitlisted']);
    expect(results[2].quota.waitlistPosition).toBe(1);
    const board = await stack.call('GET', '/v1/programmes/it-open/quotas');
    expect(board.body.units[0]).toMatchObject({ claimed: 2, waitlisted: 1 });
    const t1 = await stack.token({ sub: 'w1', role: 'worker' });
    const w = await stack.call('POST', `/v1/applications/${results[0].id}/withdraw`, { token: t1 });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    const t3 = await stack.token({ sub: 'w3', role: 'worker' });
    const third = await stack.call('GET', `/v1/applications/${results[2].id}`, { token: t3 });
    expect(third.body.quota.state).toBe('claimed');
    expect(third.body.timeline.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'submitted',
      'promoted',
    ]);
  });
});
