/**
 * Bundled in place of `node:stream/web` (`functionBundling`'s `--alias`). The one import of it in the
 * functions is middy's, which needs `ReadableStream` only to check a streamed response
 * (`handlerBody instanceof ReadableStream`), and no function streams. Importing `node:stream/web`
 * loads Node's whole Web Streams implementation, ~6 ms of every cold start; this checks against the
 * global `ReadableStream` (the same class), which Node loads on first use.
 */
export const ReadableStream = {
  [Symbol.hasInstance]: (value: unknown): boolean => value instanceof globalThis.ReadableStream,
};
