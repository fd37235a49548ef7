import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

const require = createRequire(import.meta.url);

/** The esbuild the CDK bundles with (the project's pinned devDependency). */
const esbuildBin = join(repoRoot, 'node_modules', '.bin', 'esbuild');

/** One shell word, whatever the path holds. */
export const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * The shell commands that ship each lazily imported package beside a function's bundle: the package
 * and everything it requires bundled into `node_modules/<name>/index.js` (CommonJS, minified, for
 * Node.js 24) with a `package.json` naming that file, so that the code's bare `import('<name>')`
 * resolves in Lambda as it does from the repository's `node_modules` on a laptop. One file instead of
 * the package's installed tree (exceljs and its dependencies: thousands of files) keeps the asset small
 * and needs no `npm install` at synth.
 */
export function lazyModuleCommands(modules: readonly string[], outputDir: string): string[] {
  return modules.flatMap((name) => {
    const dir = join(outputDir, 'node_modules', name);
    const manifest = JSON.stringify({ name, main: 'index.js', private: true });
    return [
      `mkdir -p ${shellQuote(dir)}`,
      [
        shellQuote(esbuildBin),
        shellQuote(require.resolve(name)),
        '--bundle',
        '--platform=node',
        '--format=cjs',
        '--target=node24',
        '--minify',
        '--log-level=warning',
        `--outfile=${shellQuote(join(dir, 'index.js'))}`,
      ].join(' '),
      `printf '%s' ${shellQuote(manifest)} > ${shellQuote(join(dir, 'package.json'))}`,
    ];
  });
}
