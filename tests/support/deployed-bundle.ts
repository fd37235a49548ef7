import type { BuildOptions } from 'esbuild';
import { functionBundling } from '../../infra/constructs/app-function.ts';

/**
 * esbuild's own options for a bundle built as `functionBundling` has CDK build a Lambda function's:
 * for checks that need the deployed code of something that is not a function entry (a module that
 * throws, a probe of the route tables) without drifting from how the functions are bundled.
 */
export function deployedBuildOptions(): BuildOptions {
  const b = functionBundling(false);
  return {
    bundle: true,
    platform: 'node',
    format: b.format,
    target: b.target,
    mainFields: b.mainFields,
    minify: b.minify,
    sourcemap: b.sourceMap,
    sourcesContent: b.sourcesContent,
    charset: b.esbuildArgs?.['--charset'] === 'utf8' ? 'utf8' : undefined,
    alias: Object.fromEntries(
      Object.entries(b.esbuildArgs ?? {})
        .filter(([flag]) => flag.startsWith('--alias:'))
        .map(([flag, target]) => [flag.slice('--alias:'.length), String(target)]),
    ),
    ...(b.banner ? { banner: { js: b.banner } } : {}),
    external: b.externalModules,
    define: b.define,
    logLevel: 'warning',
  };
}
