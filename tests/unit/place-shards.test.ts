import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  growShardItems,
  releaseItems,
  type SubmitRequest,
  shardCheckIndex,
  submitItems,
} from '../../shared/adapters/place-items.ts';
import {
  claimShard,
  growShards,
  homeShard,
  MAX_SHARDS,
  placesOwed,
  type ShardCounters,
  sequencerJoins,
  shardViolations,
  unitTotals,
} from '../../shared/domain/places.ts';
import type { ApplicationRecord } from '../../shared/model/application.ts';

const shard = (k: number, places: number, claimed: number): ShardCounters => ({ shard: k, places, claimed });

describe('sharded units: where a submit claims (architecture.md §3)', () => {
  it('tries its home shard first, then the next with a free place, wrapping round; none when all are full', () => {
    const id = 'app-42';
    const home = homeShard(id, 4);
    expect(home).toBe(homeShard(id, 4));
    const free = [0, 1, 2, 3].map((k) => shard(k, 2, 0));
    expect(claimShard(id, free)).toBe(home);
    const homeFull = free.map((s) => (s.shard === home ? { ...s, claimed: 2 } : s));
    expect(claimShard(id, homeFull)).toBe((home + 1) % 4);
    expect(
      claimShard(
        id,
        free.map((s) => ({ ...s, claimed: 2 })),
      ),
    ).toBeUndefined();
    expect(homeShard(id, 1)).toBe(0);
  });

  it('after a throttle, starts past its home shard; still finds any free place, and none when all are full', () => {
    const id = 'app-7';
    const home = homeShard(id, 4);
    const free = [0, 1, 2, 3].map((k) => shard(k, 2, 0));
    expect(claimShard(id, free, 1)).toBe((home + 1) % 4);
    expect(claimShard(id, free, 5)).toBe((home + 1) % 4);
    const onlyHomeFree = free.map((s) => (s.shard === home ? s : { ...s, claimed: 2 }));
    expect(claimShard(id, onlyHomeFree, 3)).toBe(home);
    expect(
      claimShard(
        id,
        free.map((s) => ({ ...s, claimed: 2 })),
        2,
      ),
    ).toBeUndefined();
    expect(claimShard(id, [shard(0, 2, 0)], 3)).toBe(0);
  });

  it('places are owed to the waiting only while someone waits and a shard has a free place', () => {
    expect(placesOwed({ shards: [shard(0, 3, 2)], waitlisted: 1 })).toBe(true);
    expect(placesOwed({ shards: [shard(0, 3, 3), shard(1, 2, 1)], waitlisted: 4 })).toBe(true);
    expect(placesOwed({ shards: [shard(0, 3, 3), shard(1, 2, 2)], waitlisted: 4 })).toBe(false);
    expect(placesOwed({ shards: [shard(0, 3, 1), shard(1, 2, 0)], waitlisted: 0 })).toBe(false);
  });

  it('the sequencer joins a full unit: unsharded at once, sharded below MAX_SHARDS once someone waits', () => {
    expect(sequencerJoins({ shards: [shard(0, 3, 3)], waitlisted: 0 })).toBe(true);
    expect(sequencerJoins({ shards: [shard(0, 3, 2)], waitlisted: 0 })).toBe(false);
    const full = [shard(0, 3, 3), shard(1, 2, 2)];
    expect(sequencerJoins({ shards: full, waitlisted: 0 })).toBe(false);
    expect(sequencerJoins({ shards: full, waitlisted: 1 })).toBe(true);
    expect(sequencerJoins({ shards: [shard(0, 3, 3), shard(1, 2, 1)], waitlisted: 4 })).toBe(false);
    const most = Array.from({ length: MAX_SHARDS }, (_, k) => shard(k, 1, 1));
    expect(sequencerJoins({ shards: most, waitlisted: 5 })).toBe(false);
    expect(sequencerJoins({ shards: most.slice(1), waitlisted: 5 })).toBe(true);
  });

  it('spreads applications over the shards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[homeShard(`a${i}`, 4)] = (counts[homeShard(`a${i}`, 4)] ?? 0) + 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });

  it('growing spreads the free places evenly, keeps every held place and the unit’s total', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ places: fc.integer({ min: 0, max: 20 }), used: fc.integer({ min: 0, max: 20 }) }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.integer({ min: 1, max: 8 }),
        (raw, more) => {
          const shards = raw.map((r, k) => shard(k, r.places, Math.min(r.used, r.places)));
          const n = shards.length + more;
          const plan = growShards(shards, n);
          const after = [
            ...shards.map((s, k) => ({ ...s, places: s.places - (plan.give[k] ?? 0) })),
            ...plan.newPlaces.map((places, i) => shard(shards.length + i, places, 0)),
          ];
          expect(after).toHaveLength(n);
          expect(unitTotals(after, 0)).toEqual(unitTotals(shards, 0));
          for (const s of after) expect(s.places).toBeGreaterThanOrEqual(s.claimed);
        },
      ),
    );
    expect(growShards([shard(0, 10, 2)], 4)).toEqual({ give: [6], newPlaces: [2, 2, 2] });
  });

  it('finds every shard whose holders disagree with its counter', () => {
    const shards = [shard(0, 2, 1), shard(1, 2, 2)];
    expect(
      shardViolations('u', shards, [
        { id: 'a', shard: 0 },
        { id: 'b', shard: 1 },
        { id: 'c', shard: 1 },
      ]),
    ).toEqual([]);
    expect(
      shardViolations('u', shards, [
        { id: 'a', shard: 1 },
        { id: 'b', shard: 1 },
        { id: 'c', shard: 1 },
        { id: 'd', shard: 5 },
      ]),
    ).toEqual(['u#0: claimed 1 ≠ 0 holders', 'u#1: claimed 2 ≠ 3 holders', 'd: holds a place in no shard 5']);
    expect(shardViolations('u', [shard(0, 1, 2)], [])).toContain('u#0: claimed 2 > places 1');
    expect(MAX_SHARDS).toBe(16);
  });
});

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

describe('sharded units: the ledger’s items', () => {
  it('claims in the shard chosen, and records it on the application', () => {
    const items = submitItems('t', submit, 'claimed', 35, 'dg', { shard: 2, shards: 4 });
    expect(items[0]?.Update?.Key).toEqual({ pk: 'PROGRAMME#p1', sk: 'ALLOC#u1#2' });
    expect(items[0]?.Update?.ConditionExpression).toContain('claimed < places');
    expect(Object.values(items[2]?.Update?.ExpressionAttributeValues ?? {})).toContain(2);
    expect(items.some((i) => i.ConditionCheck)).toBe(false);
  });

  it('joins the unit’s waitlist only on the shard count read, checking every other shard is full and earlier', () => {
    const items = submitItems('t', submit, 'waitlisted', 37, 'dg', { shard: 0, shards: 3 });
    expect(items[0]?.Update?.Key).toEqual({ pk: 'PROGRAMME#p1', sk: 'ALLOC#u1' });
    expect(items[0]?.Update?.ConditionExpression).toMatch(/AND shards = :shards$/);
    expect(items[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':shards': 3 });
    for (const k of [1, 2]) {
      expect(items[shardCheckIndex(items, k)]?.ConditionCheck).toEqual({
        TableName: 't',
        Key: { pk: 'PROGRAMME#p1', sk: `ALLOC#u1#${k}` },
        ConditionExpression:
          'claimed >= places AND (attribute_not_exists(lastClaimSequence) OR lastClaimSequence < :seq)',
        ExpressionAttributeValues: { ':seq': 37 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    }
  });

  it('a join behind someone already waiting requires that of the unit’s item and checks no other shard', () => {
    const behind = submitItems('t', submit, 'waitlisted', 37, 'dg', {
      shard: 0,
      shards: 3,
      behindWaiting: true,
    });
    expect(behind[0]?.Update?.ConditionExpression).toMatch(/AND shards = :shards AND waitlisted > :zero$/);
    expect(behind[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':shards': 3, ':zero': 0 });
    expect(behind.some((i) => i.ConditionCheck)).toBe(false);
    expect(behind).toHaveLength(submitItems('t', submit, 'waitlisted', 37, 'dg').length);
    // An unsharded unit checks no other shard anyway: its join is the same either way.
    expect(
      submitItems('t', submit, 'waitlisted', 37, 'dg', { shard: 0, shards: 1, behindWaiting: true }),
    ).toEqual(submitItems('t', submit, 'waitlisted', 37, 'dg'));
  });

  const holder = {
    id: 'a1',
    programmeId: 'p1',
    unitOrgId: 'u1',
    status: 'approved',
    quotaState: 'claimed',
    quotaShard: 2,
    sequence: 5,
  } as unknown as ApplicationRecord;
  const release = {
    applicationId: 'a1',
    status: 'withdrawn' as const,
    from: ['approved'],
    at: 'T',
    event: { type: 'withdrawn', at: 'T' },
  };

  it('a place freed in shard k goes to the unit’s earliest waiting, who then holds shard k', () => {
    const items = releaseItems('t', release, {
      app: holder,
      quotaState: 'claimed',
      next: { applicationId: 'w9', sequence: 90 },
      locks: [],
      shard: 2,
    });
    const promoted = items.find((i) => i.Update?.Key?.pk === 'APP#w9')?.Update;
    expect(promoted?.UpdateExpression).toBe(
      'SET quotaState = :claimed, promotedAt = :at, quotaShard = :shard',
    );
    expect(promoted?.ExpressionAttributeValues).toMatchObject({ ':shard': 2 });
    const shardItem = items.find((i) => i.Update?.Key?.sk === 'ALLOC#u1#2')?.Update;
    expect(shardItem).toMatchObject({
      UpdateExpression: 'SET claimed = claimed + :dc, lastClaimSequence = :promoted',
      ExpressionAttributeValues: { ':dc': 0, ':promoted': 90 },
    });
    const head = items.find((i) => i.Update?.Key?.sk === 'ALLOC#u1')?.Update;
    expect(head?.ConditionExpression).toBe('waitlisted > :zero');
    expect(head?.ExpressionAttributeValues).toMatchObject({ ':dc': 0, ':dw': -1 });
  });

  it('a place freed in shard k with nobody waiting is freed there, only while still nobody waits', () => {
    const items = releaseItems('t', release, {
      app: holder,
      quotaState: 'claimed',
      next: undefined,
      locks: [],
      shard: 2,
    });
    expect(items.at(-2)?.Update).toMatchObject({
      Key: { pk: 'PROGRAMME#p1', sk: 'ALLOC#u1#2' },
      ConditionExpression: 'claimed > :zero',
      ExpressionAttributeValues: { ':dc': -1, ':zero': 0 },
    });
    expect(items.at(-1)?.ConditionCheck).toEqual({
      TableName: 't',
      Key: { pk: 'PROGRAMME#p1', sk: 'ALLOC#u1' },
      ConditionExpression: 'waitlisted = :zero',
      ExpressionAttributeValues: { ':zero': 0 },
    });
  });

  it('grows a unit guarded on what was read: each shard’s places and holders, the count, new shards absent', () => {
    const shards = [shard(0, 10, 4), shard(1, 10, 10)];
    const items = growShardItems('t', 'p1', 'u1', shards, { give: [4, 0], newPlaces: [2, 2] }, 'T');
    expect(items[0]?.Update).toMatchObject({
      Key: { pk: 'PROGRAMME#p1', sk: 'ALLOC#u1' },
      UpdateExpression: 'SET places = places - :give, shards = :n',
      // Free places the unit's own item gives are free only while nobody waits (else they are owed).
      ConditionExpression: 'places = :places AND claimed <= :limit AND shards = :old AND waitlisted = :zero',
      ExpressionAttributeValues: { ':give': 4, ':places': 10, ':limit': 6, ':n': 4, ':old': 2, ':zero': 0 },
    });
    expect(items[1]?.Update?.ConditionExpression).toBe('places = :places AND claimed <= :limit');
    expect(items.slice(2).map((i) => i.Put?.Item)).toEqual([
      expect.objectContaining({
        sk: 'ALLOC#u1#2',
        shard: 2,
        places: 2,
        claimed: 0,
        type: 'allocation_shard',
      }),
      expect.objectContaining({
        sk: 'ALLOC#u1#3',
        shard: 3,
        places: 2,
        claimed: 0,
        type: 'allocation_shard',
      }),
    ]);
    const full = growShardItems('t', 'p1', 'u1', [shard(0, 4, 4)], { give: [0], newPlaces: [0] }, 'T');
    expect(full[0]?.Update?.ConditionExpression).not.toContain('waitlisted');
    const first = growShardItems('t', 'p1', 'u1', [shard(0, 4, 0)], { give: [2], newPlaces: [2] }, 'T');
    expect(first[0]?.Update?.ConditionExpression).toContain(
      '(attribute_not_exists(shards) OR shards = :old)',
    );
  });
});
