import { describe, expect, it } from 'vitest';
import {
  counterChange,
  JOIN_COMMIT_ITEM,
  joinCommitItems,
  joinDrawUpdate,
  joinNumberingBase,
  joinVoidItems,
  promotionItems,
  reallocationItems,
  releaseItems,
  type SubmitRequest,
  sequencedJoinBase,
  submitItems,
} from '../../shared/adapters/place-items.ts';
import type { TransactItem } from '../../shared/adapters/retry.ts';
import { MAX_SHARDS } from '../../shared/domain/places.ts';
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

describe('a submission’s transaction (architecture.md §3)', () => {
  it('a claim takes a place only below `places` and after every earlier claim’s receipt', () => {
    const items = submitItems('t', submit, 'claimed', 12, 'd');
    expect(keysOf(items)).toEqual([
      'Update PROGRAMME#p1 ALLOC#u1',
      'Put PERSON#h1 LEVEL#bachelor',
      'Update APP#a1 APP',
      'Put APP#a1 EVENT#2026-03-02T00:00:00.000Z#000000000012-submitted',
      // Issue 17: the worker's SMS, committed with the submission.
      'Put APP#a1 NOTIFY#a1.submitted.2026-03-02T00:00:00.000Z',
    ]);
    expect(items[0]?.Update?.ConditionExpression).toContain('claimed < places');
    expect(items[0]?.Update?.ConditionExpression).toContain('lastClaimSequence < :seq');
    expect(items[1]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('a waitlist join is guarded on every place being taken and writes its waitlist entry', () => {
    const items = submitItems('t', { ...submit, countedDraftOf: 'w1' }, 'waitlisted', 13, 'd');
    expect(items[0]?.Update?.ConditionExpression).toContain('claimed >= places');
    expect(keysOf(items).slice(4)).toEqual([
      'Update ACCOUNT#w1 DRAFTS',
      'Put WAITLIST#p1#u1 000000000013',
      'Put APP#a1 NOTIFY#a1.submitted.2026-03-02T00:00:00.000Z',
    ]);
  });

  it('the application enters its first step’s review queue and the status index, guarded on the draft read', () => {
    const update = submitItems('t', submit, 'claimed', 12, 'd')[2]?.Update;
    const values = Object.values(update?.ExpressionAttributeValues ?? {});
    expect(values).toEqual(expect.arrayContaining(['REVIEW#p1#e1', 'APPS#p1#in_review', '000000000012#u1']));
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
      'Put APP#a9 NOTIFY#a9.promoted.2026-05-06T00:00:00.000Z',
      'Update PROGRAMME#p1 ALLOC#u1',
      'Put APP#a1 NOTIFY#a1.rejected.2026-05-06T00:00:00.000Z',
    ]);
    // The unit keeps its claimed count: the place passed on; one fewer waits.
    expect(items.at(-2)?.Update?.ExpressionAttributeValues).toMatchObject({ ':dc': 0, ':dw': -1 });
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

describe('every item of the ledger’s transactions, as written (architecture.md §3)', () => {
  const base = {
    id: 'a1',
    programmeId: 'p1',
    unitOrgId: 'u1',
    ownerSub: 'w1',
    sequence: 5,
    decisions: [{ orgId: 'e1', decision: 'approve', decidedAt: 'D0' }],
  };
  const release = (over: Partial<Parameters<typeof releaseItems>[1]> = {}) => ({
    applicationId: 'a1',
    status: 'withdrawn' as const,
    from: ['in_review'],
    at: 'T',
    event: { type: 'withdrawn', at: 'T' },
    ...over,
  });

  it('claims with exactly these conditions, counters and audit event', () => {
    const items = submitItems('t', { ...submit, actor: 'w1' }, 'claimed', 12, 'dg');
    expect(items).toHaveLength(5);
    expect(items[0]?.Update).toEqual({
      TableName: 't',
      Key: { pk: 'PROGRAMME#p1', sk: 'ALLOC#u1' },
      UpdateExpression: 'SET claimed = claimed + :one, lastClaimSequence = :seq',
      // The unit's own item: a free place is claimable only while nobody waits (else it is owed), and
      // above every receipt the sequencer gave a join.
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(lastClaimSequence) OR lastClaimSequence < :seq) AND claimed < places AND waitlisted = :zero AND (attribute_not_exists(lastJoinSequence) OR lastJoinSequence < :seq)',
      ExpressionAttributeValues: { ':one': 1, ':seq': 12, ':zero': 0 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(items[1]?.Put?.Item).toEqual({
      pk: 'PERSON#h1',
      sk: 'LEVEL#bachelor',
      type: 'person_level',
      applicationId: 'a1',
      programmeId: 'p1',
      createdAt: submit.submittedAt,
    });
    const values = items[2]?.Update?.ExpressionAttributeValues ?? {};
    expect(Object.values(values)).toEqual(
      expect.arrayContaining(['in_review', 'claimed', 12, 'dg', submit.submittedAt, 'e1']),
    );
    expect(items[3]?.Put?.Item).toMatchObject({
      event: {
        type: 'submitted',
        at: submit.submittedAt,
        orgId: 'e1',
        actor: 'w1',
        sequence: 12,
        quotaState: 'claimed',
        unitOrgId: 'u1',
      },
    });
    expect(items[4]?.Put).toEqual({
      TableName: 't',
      Item: {
        pk: 'APP#a1',
        sk: 'NOTIFY#a1.submitted.2026-03-02T00:00:00.000Z',
        gsi3pk: 'NOTIFICATIONS#p1',
        gsi3sk: '2026-03-02T00:00:00.000Z#a1.submitted.2026-03-02T00:00:00.000Z',
        type: 'sms',
        notificationId: 'a1.submitted.2026-03-02T00:00:00.000Z',
        event: 'submitted',
        programmeId: 'p1',
        recipient: { kind: 'applicant', applicationId: 'a1' },
        facts: { receipt: '12', quotaState: 'claimed', unitOrgId: 'u1' },
        status: 'queued',
        createdAt: submit.submittedAt,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('waits with its own counter change, and says who submitted only when known', () => {
    const items = submitItems('t', { ...submit, reviewerOrgId: null }, 'waitlisted', 13, 'dg');
    expect(items).toHaveLength(6);
    expect(items[5]?.Put?.Item?.facts).toEqual({ receipt: '13', quotaState: 'waitlisted', unitOrgId: 'u1' });
    expect(items[0]?.Update?.UpdateExpression).toBe(
      'SET waitlisted = waitlisted + :one, lastJoinSequence = :seq',
    );
    // Joins land in receipt order too, on the unit's shard count as read: the position answered is kept.
    expect(items[0]?.Update?.ConditionExpression).toBe(
      'attribute_exists(pk) AND (attribute_not_exists(lastClaimSequence) OR lastClaimSequence < :seq) AND (attribute_not_exists(lastJoinSequence) OR lastJoinSequence < :seq) AND claimed >= places AND (attribute_not_exists(shards) OR shards = :shards)',
    );
    expect(items[0]?.Update?.ExpressionAttributeValues).toEqual({ ':one': 1, ':seq': 13, ':shards': 1 });
    const event = items[3]?.Put?.Item?.event as Record<string, unknown>;
    expect(event).not.toHaveProperty('orgId');
    expect(event).not.toHaveProperty('actor');
    expect(event.quotaState).toBe('waitlisted');
    expect(items[4]?.Put).toEqual({
      TableName: 't',
      Item: {
        pk: 'WAITLIST#p1#u1',
        sk: '000000000013',
        type: 'waitlist_entry',
        applicationId: 'a1',
        sequence: 13,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('gives back a counted draft’s slot when it is submitted or withdrawn as a draft', () => {
    const drafts = submitItems('t', { ...submit, countedDraftOf: 'w1' }, 'claimed', 1, 'd')[4]?.Update;
    expect(drafts).toEqual({
      TableName: 't',
      Key: { pk: 'ACCOUNT#w1', sk: 'DRAFTS' },
      UpdateExpression: 'ADD drafts :minusOne',
      ExpressionAttributeValues: { ':minusOne': -1 },
    });
    const draft = {
      ...base,
      status: 'draft',
      quotaState: 'none',
      draftCounted: true,
    } as unknown as ApplicationRecord;
    const items = releaseItems('t', release({ from: ['draft'] }), {
      app: draft,
      quotaState: 'none',
      next: undefined,
      locks: [],
    });
    expect(keysOf(items)).toEqual([
      'Update APP#a1 APP',
      `Put APP#a1 ${items[1]?.Put?.Item?.sk}`,
      'Update ACCOUNT#w1 DRAFTS',
    ]);
    const uncounted = { ...draft, draftCounted: false } as unknown as ApplicationRecord;
    expect(
      releaseItems('t', release(), { app: uncounted, quotaState: 'none', next: undefined, locks: [] }),
    ).toHaveLength(2);
    // A draft never held a place: it may have no place state at all.
    expect(items[0]?.Update?.ConditionExpression).toContain(
      '(attribute_not_exists(#quotaState) OR #quotaState = :fromQuota)',
    );
  });

  it('releases a held place with nobody waiting only if still nobody waits', () => {
    const app = { ...base, status: 'approved', quotaState: 'claimed' } as unknown as ApplicationRecord;
    const items = releaseItems('t', release({ from: ['approved'] }), {
      app,
      quotaState: 'claimed',
      next: undefined,
      locks: [],
    });
    // A withdrawal is the worker's own act: no SMS in its transaction.
    expect(keysOf(items).some((k) => k.includes('NOTIFY#'))).toBe(false);
    expect(items.at(-1)?.Update).toEqual({
      TableName: 't',
      Key: { pk: 'PROGRAMME#p1', sk: 'ALLOC#u1' },
      UpdateExpression: 'SET claimed = claimed + :dc, waitlisted = waitlisted + :dw',
      ConditionExpression: 'claimed > :zero AND waitlisted = :zero',
      ExpressionAttributeValues: { ':dc': -1, ':dw': 0, ':zero': 0 },
    });
    const update = items[0]?.Update;
    // Neither a payment nor a transfer of its funders' shares may be held for the application.
    expect(update?.ConditionExpression).toBe(
      '#status = :fromStatus AND #quotaState = :fromQuota AND (attribute_not_exists(paymentsHeld) OR paymentsHeld <= :noPayments) AND attribute_not_exists(sharesHeld)',
    );
    expect(update?.ExpressionAttributeValues).toMatchObject({
      ':fromStatus': 'approved',
      ':fromQuota': 'claimed',
      ':noPayments': 0,
    });
    expect(Object.values(update?.ExpressionAttributeValues ?? {})).toEqual(
      expect.arrayContaining(['withdrawn', 'released', 'T', null]),
    );
  });

  it('releases a waiting place: its entry and one fewer waiting', () => {
    const app = { ...base, status: 'in_review', quotaState: 'waitlisted' } as unknown as ApplicationRecord;
    const items = releaseItems('t', release(), { app, quotaState: 'waitlisted', next: undefined, locks: [] });
    expect(items.slice(2)).toEqual([
      {
        Delete: {
          TableName: 't',
          Key: { pk: 'WAITLIST#p1#u1', sk: '000000000005' },
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      {
        Update: {
          TableName: 't',
          Key: { pk: 'PROGRAMME#p1', sk: 'ALLOC#u1' },
          // Whoever leaves the waitlist counts in `departures` (a position read across two calls checks it).
          UpdateExpression:
            'SET claimed = claimed + :dc, waitlisted = waitlisted + :dw, departures = if_not_exists(departures, :zero) + :left',
          ConditionExpression: 'waitlisted > :zero',
          ExpressionAttributeValues: { ':dc': 0, ':dw': -1, ':zero': 0, ':left': 1 },
        },
      },
    ]);
  });

  it('lets go only of the locks this application holds, and records a rejection’s decision', () => {
    const app = { ...base, status: 'in_review', quotaState: 'none' } as unknown as ApplicationRecord;
    const decision = { orgId: 'e1', decision: 'reject', decidedAt: 'T', reason: '材料不全' };
    const items = releaseItems('t', release({ status: 'rejected', decision }), {
      app,
      quotaState: 'none',
      next: undefined,
      locks: [{ pk: 'ACCOUNT#w1', sk: 'PROGRAMME#p1' }],
    });
    expect(items[2]?.Delete).toEqual({
      TableName: 't',
      Key: { pk: 'ACCOUNT#w1', sk: 'PROGRAMME#p1' },
      ConditionExpression: 'applicationId = :mine',
      ExpressionAttributeValues: { ':mine': 'a1' },
    });
    expect(Object.values(items[0]?.Update?.ExpressionAttributeValues ?? {})).toEqual(
      expect.arrayContaining([[...base.decisions, decision]]),
    );
    // The worker is told of the rejection, with the reason the reviewer gave, in the same transaction.
    expect(items.at(-1)?.Put?.Item).toMatchObject({
      sk: 'NOTIFY#a1.rejected.T',
      event: 'rejected',
      facts: { receipt: '5' },
    });
    const withReason = releaseItems(
      't',
      release({ status: 'lapsed', event: { type: 'lapsed', at: 'T', reason: '批次结束' } }),
      { app, quotaState: 'none', next: undefined, locks: [] },
    );
    expect(withReason.at(-1)?.Put?.Item).toMatchObject({
      event: 'lapsed',
      facts: { receipt: '5', reason: '批次结束' },
    });
  });

  it('promotes the earliest waiting applicant: its place, its waitlist entry, its event, the unit’s receipt order', () => {
    const items = promotionItems('t', 'p1', 'u1', { applicationId: 'a9', sequence: 9 }, 'T');
    expect(items).toEqual([
      {
        Update: {
          TableName: 't',
          Key: { pk: 'APP#a9', sk: 'APP' },
          UpdateExpression: 'SET quotaState = :claimed, promotedAt = :at',
          ConditionExpression: 'quotaState = :waitlisted',
          ExpressionAttributeValues: { ':claimed': 'claimed', ':waitlisted': 'waitlisted', ':at': 'T' },
        },
      },
      {
        Delete: {
          TableName: 't',
          Key: { pk: 'WAITLIST#p1#u1', sk: '000000000009' },
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      expect.objectContaining({
        Put: expect.objectContaining({
          Item: expect.objectContaining({
            event: { type: 'promoted', at: 'T', orgId: 'u1', unitOrgId: 'u1' },
          }),
        }),
      }),
      {
        Put: {
          TableName: 't',
          Item: expect.objectContaining({
            pk: 'APP#a9',
            sk: 'NOTIFY#a9.promoted.T',
            event: 'promoted',
            facts: { receipt: '9' },
            status: 'queued',
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
    expect(counterChange('t', 'p1', 'u1', 0, -1, 'waitlisted > :zero', 9).Update).toMatchObject({
      UpdateExpression:
        'SET claimed = claimed + :dc, waitlisted = waitlisted + :dw, departures = if_not_exists(departures, :zero) + :left, lastClaimSequence = :promoted',
      ExpressionAttributeValues: { ':dc': 0, ':dw': -1, ':zero': 0, ':left': 1, ':promoted': 9 },
    });
    expect(
      counterChange('t', 'p1', 'u1', 1, 0, 'claimed < places').Update?.ExpressionAttributeValues,
    ).toEqual({ ':dc': 1, ':dw': 0 });
  });

  it('moves places between units guarded on both counters as read, promoting into the places added (R15)', () => {
    const move = { fromUnitOrgId: 'u1', toUnitOrgId: 'u2', places: 3 };
    const items = reallocationItems(
      't',
      'p1',
      move,
      [{ shard: 0, places: 10, claimed: 6 }],
      { places: 4, claimed: 4, waitlisted: 2 },
      [
        { applicationId: 'w1', sequence: 21 },
        { applicationId: 'w2', sequence: 22 },
      ],
      'T',
    );
    expect(items[0]?.Update).toEqual({
      TableName: 't',
      Key: { pk: 'PROGRAMME#p1', sk: 'ALLOC#u1' },
      UpdateExpression: 'SET places = places - :n',
      ConditionExpression: 'places = :places AND claimed <= :limit',
      ExpressionAttributeValues: { ':n': 3, ':places': 10, ':limit': 7 },
    });
    expect(items[1]?.Update).toEqual({
      TableName: 't',
      Key: { pk: 'PROGRAMME#p1', sk: 'ALLOC#u2' },
      UpdateExpression:
        'SET places = places + :n, claimed = claimed + :k, waitlisted = waitlisted - :k, lastClaimSequence = :promoted, departures = if_not_exists(departures, :zero) + :k',
      ConditionExpression: 'places = :places AND claimed = :claimed AND waitlisted = :waitlisted',
      ExpressionAttributeValues: {
        ':n': 3,
        ':k': 2,
        ':promoted': 22,
        ':zero': 0,
        ':places': 4,
        ':claimed': 4,
        ':waitlisted': 2,
      },
    });
    expect(items).toHaveLength(2 + 2 * 4);
    const none = reallocationItems(
      't',
      'p1',
      move,
      [{ shard: 0, places: 10, claimed: 6 }],
      { places: 4, claimed: 1, waitlisted: 0 },
      [],
      'T',
    );
    expect(none).toHaveLength(2);
    expect(none[1]?.Update?.UpdateExpression).toBe(
      'SET places = places + :n, claimed = claimed + :k, waitlisted = waitlisted - :k',
    );
    expect(none[1]?.Update?.ExpressionAttributeValues).not.toHaveProperty(':promoted');
  });
});

describe('the sequencer’s writes (architecture.md §3)', () => {
  it('draws a join on a full, unsharded unit numbered above its claims, in one update answering receipt, draw and position', () => {
    expect(joinDrawUpdate('t', 'p1', 'u1')).toEqual({
      TableName: 't',
      Key: { pk: 'PROGRAMME#p1', sk: 'ALLOC#u1' },
      UpdateExpression:
        'SET waitlisted = waitlisted + :one, lastJoinSequence = lastJoinSequence + :one, joinDraws = if_not_exists(joinDraws, :zero) + :one',
      ConditionExpression:
        'attribute_exists(pk) AND claimed >= places AND (attribute_not_exists(shards) OR shards = :one) AND attribute_exists(lastJoinSequence) AND (attribute_not_exists(lastClaimSequence) OR lastJoinSequence >= lastClaimSequence)',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
      ReturnValues: 'UPDATED_NEW',
    });
  });

  it('draws a join on a sharded unit in numbers a counter never gives: MAX_SHARDS apart, ≡ MAX_SHARDS − 1', () => {
    const draw = joinDrawUpdate('t', 'p1', 'u1', true);
    expect(draw.UpdateExpression).toBe(
      'SET waitlisted = waitlisted + :one, lastSequencedJoin = lastSequencedJoin + :step, lastJoinSequence = lastSequencedJoin + :step, joinDraws = if_not_exists(joinDraws, :zero) + :one',
    );
    // Only once someone waits (every shard was checked full then), and below MAX_SHARDS shards.
    expect(draw.ConditionExpression).toContain('waitlisted > :zero');
    expect(draw.ConditionExpression).toContain('shards > :one AND shards < :step');
    expect(draw.ConditionExpression).toContain('lastSequencedJoin >= lastJoinSequence');
    expect(draw.ExpressionAttributeValues).toEqual({ ':one': 1, ':zero': 0, ':step': MAX_SHARDS });
    expect(joinNumberingBase('t', 'p1', 'u1', 33, true)).toMatchObject({
      ExpressionAttributeNames: { '#n': 'lastSequencedJoin' },
      ExpressionAttributeValues: { ':base': 47 },
    });
    expect(joinNumberingBase('t', 'p1', 'u1', 33)).toMatchObject({
      ExpressionAttributeNames: { '#n': 'lastJoinSequence' },
      ExpressionAttributeValues: { ':base': 33 },
    });
    for (const n of [0, 1, 14, 15, 16, 31, 32, 1000]) {
      const base = sequencedJoinBase(n);
      expect(base % MAX_SHARDS).toBe(MAX_SHARDS - 1);
      expect(base).toBeGreaterThanOrEqual(n);
      expect(base - n).toBeLessThan(MAX_SHARDS);
    }
  });

  it('commits the join without the allocation item, with a settlement item only one write of the draw can put', () => {
    const items = joinCommitItems(
      't',
      { ...submit, countedDraftOf: 'w1' },
      { sequence: 21, draw: 4, position: 3 },
      'dg',
    );
    expect(keysOf(items)).toEqual([
      'Put PERSON#h1 LEVEL#bachelor',
      'Update APP#a1 APP',
      `Put APP#a1 ${items[2]?.Put?.Item?.sk}`,
      'Update ACCOUNT#w1 DRAFTS',
      'Put WAITLIST#p1#u1 000000000021',
      'Put JOINS#p1#u1 000000000004',
      `Put APP#a1 ${items[6]?.Put?.Item?.sk}`,
    ]);
    expect(items.some((i) => i.Update?.Key?.sk === 'ALLOC#u1')).toBe(false);
    expect(items[JOIN_COMMIT_ITEM.person]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(items[JOIN_COMMIT_ITEM.application]?.Update?.ConditionExpression).toBe(
      '#status = :draft AND #updatedAt = :expected',
    );
    expect(items[4]?.Put?.Item).toMatchObject({ applicationId: 'a1', sequence: 21, draw: 4 });
    expect(items[5]?.Put).toEqual({
      TableName: 't',
      Item: {
        pk: 'JOINS#p1#u1',
        sk: '000000000004',
        type: 'join_draw',
        state: 'joined',
        applicationId: 'a1',
        sequence: 21,
        at: submit.submittedAt,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(items[6]?.Put?.Item?.facts).toEqual({ receipt: '21', quotaState: 'waitlisted', unitOrgId: 'u1' });
  });

  it('gives a draw back only if nothing settled it, as one leaving the waitlist', () => {
    const items = joinVoidItems('t', 'p1', 'u1', 4, 'T');
    expect(items[0]?.Put).toEqual({
      TableName: 't',
      Item: { pk: 'JOINS#p1#u1', sk: '000000000004', type: 'join_draw', state: 'void', at: 'T' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(items[1]).toEqual(counterChange('t', 'p1', 'u1', 0, -1, 'waitlisted > :zero'));
    expect(items[1]?.Update?.UpdateExpression).toContain(
      'departures = if_not_exists(departures, :zero) + :left',
    );
  });
});
