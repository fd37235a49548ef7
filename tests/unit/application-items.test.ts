import { describe, expect, it } from 'vitest';
import { applicationIndexes, applicationItem } from '../../shared/adapters/application-items.ts';
import type { ApplicationRecord, ReviewStatus } from '../../shared/model/application.ts';

const base = { programmeId: 'p1', unitOrgId: 'u1', currentOrgId: 'e1' as string | null };

describe('an application’s index entries follow from its state', () => {
  it('a draft is on no programme index and in no queue', () => {
    expect(applicationIndexes({ ...base, status: 'draft', sequence: undefined })).toEqual({
      set: {},
      remove: ['gsi3pk', 'gsi3sk', 'gsi2pk', 'gsi2sk'],
    });
  });

  it('in review: listed under its status and queued at its current step, in receipt order', () => {
    expect(applicationIndexes({ ...base, status: 'in_review', sequence: 42 })).toEqual({
      set: {
        gsi3pk: 'APPS#p1#in_review',
        gsi3sk: '000000000042#u1',
        gsi2pk: 'REVIEW#p1#e1',
        gsi2sk: '000000000042#u1',
      },
      remove: [],
    });
  });

  it.each<ReviewStatus>(['returned', 'approved', 'rejected', 'withdrawn', 'lapsed', 'revoked'])(
    '%s: listed under that status and out of every review queue',
    (status) => {
      expect(applicationIndexes({ ...base, status, sequence: 7 })).toEqual({
        set: { gsi3pk: `APPS#p1#${status}`, gsi3sk: '000000000007#u1' },
        remove: ['gsi2pk', 'gsi2sk'],
      });
    },
  );

  it('receipts are numbered per unit: the same receipt in two units gives two keys, each unit in order', () => {
    const key = (unitOrgId: string, sequence: number) =>
      applicationIndexes({ ...base, unitOrgId, status: 'in_review', sequence }).set.gsi3sk ?? '';
    expect(key('u1', 1)).not.toBe(key('u2', 1));
    expect([key('u2', 2), key('u1', 10), key('u2', 1), key('u1', 2)].sort()).toEqual([
      key('u2', 1),
      key('u1', 2),
      key('u2', 2),
      key('u1', 10),
    ]);
  });

  it('in review with nobody at the step (an empty chain) waits in no queue', () => {
    expect(
      applicationIndexes({ ...base, status: 'in_review', sequence: 3, currentOrgId: null }).remove,
    ).toEqual(['gsi2pk', 'gsi2sk']);
  });

  it('the stored item carries the worker’s list entry and the state’s entries', () => {
    const app = {
      id: 'a1',
      programmeId: 'p1',
      ownerSub: 'w1',
      createdAt: '2026-01-02T03:04:05.000Z',
      status: 'in_review',
      sequence: 9,
      currentOrgId: 'e1',
    } as ApplicationRecord;
    expect(applicationItem(app)).toMatchObject({
      pk: 'APP#a1',
      sk: 'APP',
      gsi1pk: 'WORKER#w1',
      gsi1sk: '2026-01-02T03:04:05.000Z#a1',
      gsi2pk: 'REVIEW#p1#e1',
      gsi3pk: 'APPS#p1#in_review',
      type: 'application',
    });
  });
});
