/**
 * Lambda runs one request at a time per container and adds containers up to the function's
 * concurrency. Locally every function runs in this one process: unbounded, a burst of thousands of
 * requests would all be in flight at once and share the process evenly, so that each of them
 * finishes only at the end of the burst — past API Gateway's 29 s when the burst is large. Here at
 * most `limit` invocations of a function run at once; the others wait their turn in arrival order,
 * and a handler's clock starts when it is invoked, as a Lambda's does.
 */
export function invocationLimiter(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(invoke: () => Promise<T>): Promise<T> => {
    if (running < limit) running++;
    else await new Promise<void>((admit) => waiting.push(admit));
    try {
      return await invoke();
    } finally {
      // Hand the slot straight to the next in line; free it only when nobody waits.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** One {@link invocationLimiter} per key (a function group), made when first used. */
export function limitersPerKey<K>(limit: number) {
  const limiters = new Map<K, ReturnType<typeof invocationLimiter>>();
  return <T>(key: K, invoke: () => Promise<T>): Promise<T> => {
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = invocationLimiter(limit);
      limiters.set(key, limiter);
    }
    return limiter(invoke);
  };
}
