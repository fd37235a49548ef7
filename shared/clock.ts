/**
 * Where the services' "now" comes from. In AWS it is the system clock; locally a test sets it
 * (`useLocalClock`), so tests move time instead of sleeping and compare instants they chose.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

let localClock: Clock | undefined;

/**
 * Local stage only: every `Deps` built for the local stage reads its time from `clock` until the
 * returned function is called. The local stack registers the clock its caller gave (as it does the
 * workflow starter), before it loads the handlers.
 */
export function useLocalClock(clock: Clock): () => void {
  localClock = clock;
  return () => {
    if (localClock === clock) localClock = undefined;
  };
}

/** The local stage's clock: the registered one, else the system clock; read at every call. */
export const localStageClock: Clock = { now: () => (localClock ?? systemClock).now() };

/**
 * A clock for tests that runs with real time from an offset that the test moves: `advance(ms)` jumps
 * ahead, `set(instant)` makes now that instant (and time goes on from there).
 */
export function settableClock(start?: Date): Clock & { set(at: Date): void; advance(ms: number): void } {
  let offset = start ? start.getTime() - Date.now() : 0;
  return {
    now: () => new Date(Date.now() + offset),
    set: (at) => {
      offset = at.getTime() - Date.now();
    },
    advance: (ms) => {
      offset += ms;
    },
  };
}
