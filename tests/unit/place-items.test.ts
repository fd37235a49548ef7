import { describe, expect, it } from 'vitest';
import { releaseItems, type SubmitRequest, submitItems } from '../../shared/adapters/place-items.ts';
import type { TransactItem } from '../../shared/adapters/retry.ts';
import type { ApplicationRecord } from '../../shared/model/application.ts';

const submit: SubmitRequest = {
  applicationId: 'a1',
  programmeId: 'p1',
  unitOrgId: 'u1',
  expectedUpdatedAt: '2026-03-01T00:00:00.000Z',
  idHash: 'h1',
  level: 'bachelor',
  submittedAt: '2026-03-02T00:00:00.000Z',
  reviewerOrgId: 'e1',
  digest: async () => 'd',
};

const keysOf = (items: TransactItem[]) =>
  items.map((i) => {
    const op = i.Put ? 'Put' : i.Update ? 'Update' : 'Delete';
    const key = i.Put?.Item ?? i.Update?.Key ?? i.Delete?.Key ?? {};
    return `${op} ${key.pk} ${key.sk}`;
  });

describe('a submission’s transaction (design §3)', () => {
  it('a claim takes a place only below `places` and after every earlier claim’s receipt', () => {
    const items = submitItems('t', submit, 'claimed', 12, 'd');
    expect(keysOf(items)).toEqual([
      'Update PROGRAMME#p1 ALLOC#u1',
      'Put PERSON#h1 LEVEL#bachelor',
      'Update APP#a1 APP',
      'Put APP#a1 EVENT#2026-03-02T00:00:00.000Z#000000000012-submitted',
    ]);
    expect(items[0]?.Update?.ConditionExpression).toContain('claimed < places');
    expect(items[0]?.Update?.ConditionExpression).toContain('lastClaimSequence < :seq');
    expect(items[1]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('a waitlist join is guarded on every place being taken and writes its waitlist entry', () => {
    const items = submitItems('t', { ...submit, countedDraftOf: 'w1' }, 'waitlisted', 13, 'd');
    expect(items[0]?.Update?.ConditionExpression).toContain('claimed >= places');
    expect(keysOf(items).slice(4)).toEqual(['Update ACCOUNT#w1 DRAFTS', 'Put WAITLIST#p1#u1 000000000013']);
  });

  it('the application enters its first step’s review queue and the status index, guarded on the draft read', () => {
    const update = submitItems('t', submit, 'claimed', 12, 'd')[2]?.Update;
    const values = Object.values(update?.ExpressionAttributeValues ?? {});
    expect(values).toEqual(expect.arrayContaining(['REVIEW#p1#e1', 'APPS#p1#in_review', '000000000012']));
    expect(update?.ConditionExpression).toBe('#status = :draft AND #updatedAt = :expected');
    expect(update?.ExpressionAttributeValues?.[':expected']).toBe(submit.expectedUpdatedAt);
  });
});

describe('a release’s transaction', () => {
  const app = {
    id: 'a1',
    programmeId: 'p1',
    unitOrgId: 'u1',
    status: 'in_review',
    quotaState: 'claimed',
    sequence: 5,
    currentOrgId: 'e1',
    decisions: [],
  } as unknown as ApplicationRecord;
  const release = {
    applicationId: 'a1',
    status: 'rejected' as const,
    from: ['in_review'],
    at: '2026-05-06T00:00:00.000Z',
    event: { type: 'rejected', at: '2026-05-06T00:00:00.000Z' },
    currentOrgId: 'e1',
  };

  it('hands the freed place to the earliest waiting applicant in the same transaction', () => {
    const items = releaseItems('t', release, {
      app,
      quotaState: 'claimed',
      next: { applicationId: 'a9', sequence: 9 },
      locks: [{ pk: 'PERSON#h1', sk: 'LEVEL#bachelor' }],
    });
    expect(keysOf(items).filter((k) => !k.includes('EVENT#'))).toEqual([
      'Update APP#a1 APP',
      'Delete PERSON#h1 LEVEL#bachelor',
      'Update APP#a9 APP',
      'Delete WAITLIST#p1#u1 000000000009',
      'Update PROGRAMME#p1 ALLOC#u1',
    ]);
    // The unit keeps its claimed count: the place passed on; one fewer waits.
    expect(items.at(-1)?.Update?.ExpressionAttributeValues).toMatchObject({ ':dc': 0, ':dw': -1 });
  });

  it('is guarded on the step, the place and no payment held, and leaves every review queue', () => {
    const update = releaseItems('t', release, { app, quotaState: 'claimed', next: undefined, locks: [] })[0]
      ?.Update;
    expect(update?.ConditionExpression).toContain('currentOrgId = :step');
    expect(update?.ConditionExpression).toContain('paymentsHeld <= :noPayments');
    expect(update?.UpdateExpression).toMatch(/REMOVE #upd\d+, #upd\d+$/);
    expect(Object.values(update?.ExpressionAttributeNames ?? {})).toEqual(
      expect.arrayContaining(['gsi2pk', 'gsi2sk']),
    );
  });
});
