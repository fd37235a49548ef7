/**
 * The cold-start baseline: a function that only answers 200, bundled with the same esbuild options
 * as every real function (`functionBundling`) and loaded the same way.
 */
export const handler = async () => ({ statusCode: 200, body: '' });
