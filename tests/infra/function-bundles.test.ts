import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functionEntry, repoRoot } from '../../infra/constructs/paths.ts';
import { functionGroups } from '../../shared/http/route.ts';

/**
 * Issue 11, point 4: a function's cold start builds only its own group's schemas. zod builds a schema
 * when its module is evaluated, so what counts is which modules a bundle evaluates at import: its
 * static import closure (a dynamic `import()` is evaluated only when that code runs, as the OpenAPI
 * document is, by `GET /openapi.json` alone).
 */
async function staticClosure(entry: string): Promise<Set<string>> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    external: ['@aws-sdk/*'],
    absWorkingDir: repoRoot,
    logLevel: 'silent',
  });
  const inputs = (metafile as Metafile).inputs;
  const start = Object.keys(inputs).find((path) => entry.endsWith(path));
  if (!start) throw new Error(`${entry} is not among the bundle's inputs`);
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const path = stack.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imported of inputs[path]?.imports ?? []) {
      if (imported.kind !== 'dynamic-import' && !imported.external) stack.push(imported.path);
    }
  }
  return seen;
}

describe('function bundles', () => {
  it.each(functionGroups)('the %s function evaluates its own route group and no other', async (group) => {
    const closure = await staticClosure(functionEntry(group));
    const routeFiles = [...closure].filter((path) => path.startsWith('shared/http/routes'));
    expect(routeFiles).toEqual([`shared/http/routes/${group}.ts`]);
  });

  it('the public function loads the whole table only with the OpenAPI generator, on its route', async () => {
    const closure = await staticClosure(functionEntry('public'));
    expect(closure.has('shared/http/openapi.ts')).toBe(false);
    expect([...closure].filter((path) => path.includes('zod-to-openapi'))).toEqual([]);
    // …which the bundle does hold, behind the route's `import()`.
    const everything = await build({
      entryPoints: [functionEntry('public')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      external: ['@aws-sdk/*'],
      absWorkingDir: repoRoot,
      logLevel: 'silent',
    });
    expect(Object.keys(everything.metafile.inputs)).toContain('shared/http/openapi.ts');
  });
});
