import { build, type Metafile } from 'esbuild';
import { repoRoot } from '../../infra/constructs/paths.ts';

/**
 * What esbuild puts in the bundle of `entry` (its metafile's inputs, paths relative to the repository),
 * bundled for Node as the functions are, `@aws-sdk/*` and `external` left out. Nothing is written.
 */
export async function bundleInputs(
  entry: string,
  external: readonly string[] = [],
): Promise<Metafile['inputs']> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    external: ['@aws-sdk/*', ...external],
    absWorkingDir: repoRoot,
    logLevel: 'silent',
  });
  return (metafile as Metafile).inputs;
}
