/**
 * A small seeded generator (mulberry32) for injected faults: the same seed draws the same numbers, so
 * a test that injects rail failures and crashes meets the same faults every run instead of a new
 * draw of `Math.random`. Not for anything that needs unpredictability.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit FNV-1a hash: one seed gives each named stream its own sequence. */
function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of name) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193);
  return h >>> 0;
}

/**
 * Local stage only: `PAYOUT_FAULT_SEED` set to an integer gives a generator per named stream
 * (`rail`, `crash`, …); `undefined` otherwise, and the faults draw from `Math.random`.
 */
export function faultRandomFromEnv(env: NodeJS.ProcessEnv): ((stream: string) => () => number) | undefined {
  if (env.STAGE !== 'local' || !env.PAYOUT_FAULT_SEED) return undefined;
  const seed = Number(env.PAYOUT_FAULT_SEED);
  if (!Number.isInteger(seed)) throw new Error('PAYOUT_FAULT_SEED must be an integer');
  return (stream) => seededRandom(streamSeed(seed, stream));
}
