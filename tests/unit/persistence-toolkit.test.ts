import { describe, expect, it } from 'vitest';
import { chunks, pool } from '../../shared/adapters/batch.ts';
import { cancelledItem } from '../../shared/adapters/errors.ts';
import { updateExpression } from '../../shared/adapters/expressions.ts';
import { inRounds, sleep, withRetry } from '../../shared/adapters/retry.ts';

describe('updateExpression: one builder for every update', () => {
  it('names every attribute and value, leaves undefined out, keeps the guard’s own placeholders', () => {
    const parts = updateExpression(
      { set: { status: 'returned', reason: undefined, currentOrgId: null }, remove: ['gsi2pk'] },
      { condition: '#s = :from', names: { '#s': 'status' }, values: { ':from': 'in_review' } },
    );
    expect(parts).toEqual({
      UpdateExpression: 'SET #upd0 = :upd1, #upd2 = :upd3 REMOVE #upd4',
      ConditionExpression: '#s = :from',
      ExpressionAttributeNames: {
        '#s': 'status',
        '#upd0': 'status',
        '#upd2': 'currentOrgId',
        '#upd4': 'gsi2pk',
      },
      ExpressionAttributeValues: { ':from': 'in_review', ':upd1': 'returned', ':upd3': null },
    });
  });

  it('increments map entries from zero and adds to counters', () => {
    const parts = updateExpression({ increment: { 'byFunder.lc': 5 }, add: { paidCount: 1 } });
    expect(parts.UpdateExpression).toBe(
      'SET #upd0.#upd1 = if_not_exists(#upd0.#upd1, :upd2) + :upd3 ADD #upd4 :upd5',
    );
    expect(parts.ExpressionAttributeNames).toEqual({
      '#upd0': 'byFunder',
      '#upd1': 'lc',
      '#upd4': 'paidCount',
    });
  });

  it('refuses an update of nothing', () => {
    expect(() => updateExpression({ set: { a: undefined } })).toThrow(/nothing to update/);
  });
});

describe('withRetry: the one retry policy', () => {
  it('tries again only while told to, then gives up with what `exhausted` says', async () => {
    let calls = 0;
    const attempt = async () => {
      calls++;
      throw new Error('busy');
    };
    await expect(
      withRetry(attempt, { maxAttempts: 4, retryAfter: () => 0, exhausted: () => new Error('gave up') }),
    ).rejects.toThrow('gave up');
    expect(calls).toBe(4);
  });

  it('rethrows at once an error it is not told to retry', async () => {
    let calls = 0;
    const attempt = async () => {
      calls++;
      throw new Error(calls === 1 ? 'conflict' : 'condition');
    };
    await expect(
      withRetry(attempt, {
        maxAttempts: 10,
        retryAfter: (err) => ((err as Error).message === 'conflict' ? 0 : undefined),
      }),
    ).rejects.toThrow('condition');
    expect(calls).toBe(2);
  });

  it('inRounds hands each round only what the last left, and answers what is left at the end', async () => {
    const seen: number[][] = [];
    const left = await inRounds(
      [1, 2, 3, 4],
      3,
      async (batch) => {
        seen.push([...batch]);
        return batch.slice(1);
      },
      { baseMs: 0, capMs: 0 },
    );
    expect(seen).toEqual([
      [1, 2, 3, 4],
      [2, 3, 4],
      [3, 4],
    ]);
    expect(left).toEqual([4]);
  });

  it('inRounds starts no round after its signal aborts, and answers what the last round left', async () => {
    const timeout = new AbortController();
    let rounds = 0;
    const left = await inRounds(
      [1, 2, 3, 4],
      3,
      async (batch) => {
        rounds++;
        timeout.abort();
        return batch.slice(1);
      },
      { baseMs: 0, capMs: 0, signal: timeout.signal },
    );
    expect(rounds).toBe(1);
    expect(left).toEqual([2, 3, 4]);
  });
});

describe('chunks', () => {
  it('fills each transaction up to its item limit, in order', () => {
    expect(chunks([3, 3, 3, 2, 5], (n) => n, 6)).toEqual([[3, 3], [3, 2], [5]]);
  });
});

describe('pool: bounded concurrency that ends with its work', () => {
  /** `work` over 0..19 of differing lengths, with a log of what started and ended, in order. */
  function logged(fail?: (n: number) => boolean, onStart?: (n: number) => void) {
    const log: string[] = [];
    const work = async (n: number) => {
      log.push(`start ${n}`);
      onStart?.(n);
      await sleep(5 + (n % 3) * 5);
      log.push(`end ${n}`);
      if (fail?.(n)) throw new Error(`item ${n} failed`);
    };
    const starts = () => log.filter((e) => e.startsWith('start')).length;
    const ends = () => log.filter((e) => e.startsWith('end')).length;
    return { log, starts, ends, work, items: Array.from({ length: 20 }, (_, n) => n) };
  }

  it('runs every item, at most `limit` at once', async () => {
    let running = 0;
    let most = 0;
    await pool(
      Array.from({ length: 20 }, (_, n) => n),
      3,
      async () => {
        most = Math.max(most, ++running);
        await sleep(2);
        running--;
      },
    );
    expect(most).toBe(3);
  });

  it('after a failure starts nothing more, and throws it only once the items under way have ended', async () => {
    const { log, starts, ends, work, items } = logged((n) => n === 4);
    await expect(pool(items, 3, work)).rejects.toThrow('item 4 failed');
    expect(log.slice(log.indexOf('end 4')).filter((e) => e.startsWith('start'))).toEqual([]);
    expect(ends()).toBe(starts());
    expect(starts()).toBeLessThan(items.length);
  });

  it('once its signal aborts starts nothing more, and throws the reason once the items under way have ended', async () => {
    const abort = new AbortController();
    const { log, starts, ends, work, items } = logged(undefined, (n) => {
      if (n === 5) abort.abort();
    });
    await expect(pool(items, 3, work, abort.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(log.filter((e) => e.startsWith('start')).at(-1)).toBe('start 5');
    expect(ends()).toBe(starts());
  });
});

describe('cancelledItem: what a failed transaction condition saw', () => {
  const cancelled = (Item: Record<string, unknown>) =>
    Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item }],
    });

  it('unmarshalls the low-level shape whatever attribute comes first (a list, here)', () => {
    const err = cancelled({
      funding: { L: [{ M: { funderOrgId: { S: 'sd' } } }] },
      lastJoinSequence: { N: '2177' },
      claimed: { N: '60' },
    });
    expect(cancelledItem(err, 0)).toEqual({
      funding: [{ funderOrgId: 'sd' }],
      lastJoinSequence: 2177,
      claimed: 60,
    });
  });

  it('leaves an item already in the document shape as it is', () => {
    const item = { claimed: 3, places: 5, funding: [{ funderOrgId: 'sd' }] };
    expect(cancelledItem(cancelled(item), 0)).toEqual(item);
    expect(cancelledItem(cancelled(item), 1)).toBeUndefined();
  });
});
