import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { AppFunction, BUNDLED_FOR_AWS_VARIABLE } from '../../infra/constructs/app-function.ts';
import { functionEntry, repoRoot } from '../../infra/constructs/paths.ts';
import { loadConfig } from '../../shared/config.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { functionGroups } from '../../shared/http/route.ts';
import { baseDeps, RepositoryNotWired, repositoryNames, wireDeps } from '../../shared/services/deps.ts';
import * as repositories from '../../shared/services/repositories.ts';
import { bundleInputs } from './bundle-inputs.ts';
import { cdkJsonContext } from './synth.ts';

mkdirSync(join(repoRoot, '.data'), { recursive: true });

/**
 * Issue 11, point 4: a function's cold start builds only its own group's schemas. zod builds a schema
 * when its module is evaluated, so what counts is which modules a bundle evaluates at import: its
 * static import closure (a dynamic `import()` is evaluated only when that code runs, as the OpenAPI
 * document is, by `GET /openapi.json` alone).
 */
async function staticClosure(entry: string): Promise<Set<string>> {
  const inputs = await bundleInputs(entry);
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

/** The project's source files a function's bundle holds, statically or behind an `import()`. */
async function bundledSources(entry: string): Promise<string[]> {
  return Object.keys(await bundleInputs(entry)).filter(
    (p) => !p.includes('node_modules') && p.endsWith('.ts'),
  );
}

/**
 * The code esbuild keeps of `entry`'s bundle, unminified so that names read as in the source: built as
 * deployed (`forAws`: code for the local stage only dropped, `BUNDLED_FOR_AWS_VARIABLE`) or as the
 * local stage runs it.
 */
async function bundledCode(entry: string, forAws: boolean): Promise<string> {
  const { outputFiles } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    external: ['@aws-sdk/*'],
    absWorkingDir: repoRoot,
    logLevel: 'silent',
    define: forAws ? { [BUNDLED_FOR_AWS_VARIABLE]: JSON.stringify('true') } : {},
  });
  return (outputFiles ?? []).map((f) => f.text).join('\n');
}

/** Every Lambda entry: the route groups' and the tasks' (`functions/*.ts`). */
const functionEntries = readdirSync(join(repoRoot, 'functions'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));

describe('function bundles', () => {
  it.each(functionGroups)('the %s function evaluates its own route group and no other', async (group) => {
    const closure = await staticClosure(functionEntry(group));
    const routeFiles = [...closure].filter((path) => path.startsWith('shared/http/routes'));
    expect(routeFiles).toEqual([`shared/http/routes/${group}.ts`]);
  });

  /**
   * Issue 15: response schemas serve only the OpenAPI document; routes name them (`view('…')`), so no
   * function builds them at a cold start or carries them. The public function reaches them only
   * through `GET /openapi.json`'s generator, which its deployed bundle leaves out (below).
   */
  it.each(functionEntries)('the %s function carries no response schema', async (name) => {
    const entry = functionEntry(name);
    const views = (paths: Iterable<string>) => [...paths].filter((p) => p.startsWith('shared/schemas/views'));
    expect(views(await staticClosure(entry))).toEqual([]);
    if (name !== 'public') expect(views(await bundledSources(entry))).toEqual([]);
  });

  /**
   * Issue 15: request schemas are written in `zod/mini`. Importing zod's classic API costs a function's
   * cold start ~4–9 ms more however few schemas it builds (docs/benchmarks.md, coldStart), so no
   * function evaluates it at import, and only the public function bundles it, behind the OpenAPI
   * generator's `import()` that its deployed bundle leaves out.
   */
  it.each(functionEntries)('the %s function does not load zod’s classic API', async (name) => {
    const entry = functionEntry(name);
    const classic = (paths: Iterable<string>) =>
      [...paths].filter((p) => p.includes('node_modules/zod/v4/classic/'));
    const closure = await staticClosure(entry);
    // A route group validates its requests with zod: the path is the one the check below looks beside.
    if ((functionGroups as readonly string[]).includes(name)) {
      expect([...closure].some((p) => p.includes('node_modules/zod/v4/mini/'))).toBe(true);
    }
    expect(classic(closure)).toEqual([]);
    if (name !== 'public') expect(classic(Object.keys(await bundleInputs(entry)))).toEqual([]);
  });

  /**
   * Issue 15: a function builds, and bundles, only the repositories it wires (`wireDeps` in its entry);
   * reaching another throws `RepositoryNotWired`, a 500. So every `deps.<repository>` in the code its
   * bundle keeps — esbuild's output, what it imports on demand included, read unminified — must be
   * wired by its entry, and nothing more. The output, not the source files: a file's exports the
   * function never calls are dropped by esbuild, and so are the repositories only they read (a read of
   * the programme page no longer wires the ledger because the programme service's file also publishes).
   * Both the deployed build and the source the local stage runs are read.
   */
  it.each(functionEntries)(
    'the %s function wires exactly the repositories its code reaches',
    async (name) => {
      const entry = functionEntry(name);
      const wiring = /wireDeps\(baseDeps\([^)]*\)[^,]*,\s*\{([^}]*)\}/.exec(readFileSync(entry, 'utf8'));
      expect(wiring, 'the entry builds its deps with wireDeps(baseDeps(…), { … })').not.toBeNull();
      const wired = new Set([...(wiring?.[1] ?? '').matchAll(/(\w+):/g)].map((m) => m[1]));
      const reached = new Set<string>();
      for (const code of [await bundledCode(entry, true), await bundledCode(entry, false)]) {
        // esbuild renames a clashing `deps` to `deps2`, `deps3`, …
        for (const m of code.matchAll(/\bdeps\d*\.(\w+)/g)) {
          if ((repositoryNames as string[]).includes(m[1] as string)) reached.add(m[1] as string);
        }
      }
      expect(reached.size).toBeGreaterThan(0);
      expect([...reached].filter((r) => !wired.has(r))).toEqual([]);
      // And no more: a factory wired for nothing puts its adapter's code in the bundle.
      expect([...wired].filter((r) => !reached.has(r as string))).toEqual([]);
    },
  );

  it('the wiring check reads what esbuild keeps, not whole files', async () => {
    // The programme service's file both reads programmes and publishes them (which restarts the
    // calendar, reaching the ledger): the public function bundles the file but keeps only the reads.
    const entry = functionEntry('public');
    expect(await bundledSources(entry)).toContain('shared/services/calendar.ts');
    expect(await bundledCode(entry, true)).not.toMatch(/\bdeps\d*\.ledger\b/);
    expect(await bundledCode(functionEntry('admin'), true)).toMatch(/\bdeps\d*\.ledger\b/);
  });

  it('a repository not wired fails loudly, not with a half-built object', () => {
    const deps = wireDeps(baseDeps(loadConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', STAGE: 'local' })), {
      orgs: repositories.orgs,
    });
    expect(deps.orgs).toBeDefined();
    expect(() => deps.ledger).toThrow(RepositoryNotWired);
  });

  it('the public function loads the whole table only with the OpenAPI generator, on its route', async () => {
    const closure = await staticClosure(functionEntry('public'));
    expect(closure.has('shared/http/openapi.ts')).toBe(false);
    expect([...closure].filter((path) => path.includes('zod-to-openapi'))).toEqual([]);
  });

  /**
   * Issue 15: the deployed public function carries neither the generator nor the other groups' routes.
   * The function is bundled as `cdk synth` bundles it (into the repository's ignored `.data/`, where
   * `@aws-sdk/*` resolves as the Lambda runtime provides it), its `openapi.json` must be the document
   * the route table generates, and the bundle, imported in a fresh Node process and invoked as API
   * Gateway invokes it, must answer `GET /openapi.json` with that document.
   */
  it('the deployed public function serves the document written beside it at synth', {
    timeout: 120_000,
  }, () => {
    const outdir = mkdtempSync(join(repoRoot, '.data', 'public-bundle-'));
    try {
      const app = new App({
        outdir,
        context: { ...cdkJsonContext(), 'aws:cdk:enable-asset-metadata': true },
      });
      const stack = new Stack(app, 'PublicBundle');
      const fn = new AppFunction(stack, 'Public', {
        entry: functionEntry('public'),
        description: 'public routes',
        environment: {},
        bundleAwsSdk: false,
        openApiDocument: true,
      });
      const assembly = app.synth();
      const resource = (assembly.getStackByName('PublicBundle').template as TemplateJson).Resources[
        stack.getLogicalId(fn.function.node.defaultChild as CfnElement)
      ];
      const assetDir = join(outdir, String(resource?.Metadata?.['aws:asset:path']));
      const written = JSON.parse(readFileSync(join(assetDir, 'openapi.json'), 'utf8'));
      expect(written).toEqual(JSON.parse(JSON.stringify(openApiDocument())));

      const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      for (const absent of [
        'submitApplication',
        'decideApplication',
        'createPayoutRun',
        'OpenApiGeneratorV31',
        // A response schema of another group's (the document is read from the file).
        'ApplicationListItem',
        // The local stage's fault injection (EDU_BUNDLED_FOR_AWS drops it from every deployed bundle).
        'inject-transaction-conflicts',
        'inject-item-throttling',
        'record-consumed-capacity',
        // Web Streams, loaded on first use (infra/constructs/web-streams-on-use.ts), not at cold start.
        'node:stream/web',
      ]) {
        expect(bundle, absent).not.toContain(absent);
      }
      expect(bundle).toContain('getOpenApi');

      const probe = join(assetDir, 'probe.mjs');
      writeFileSync(
        probe,
        [
          "import { handler } from './index.mjs';",
          "const event = { version: '2.0', routeKey: 'GET /openapi.json', rawPath: '/openapi.json', rawQueryString: '', headers: {}, isBase64Encoded: false,",
          "  requestContext: { accountId: 'bench', apiId: 'bench', domainName: 'localhost', domainPrefix: 'localhost', requestId: 'r1', routeKey: 'GET /openapi.json', stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now(),",
          "    http: { method: 'GET', path: '/openapi.json', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'probe' } } };",
          "const context = { functionName: 'public', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:cn-north-1:000000000000:function:public', memoryLimitInMB: '1024', awsRequestId: 'r1', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: () => 10000, callbackWaitsForEmptyEventLoop: false };",
          'const answer = await handler(event, context);',
          'process.stdout.write(JSON.stringify({ statusCode: answer.statusCode, body: JSON.parse(answer.body) }));',
        ].join('\n'),
      );
      const out = JSON.parse(
        execFileSync(process.execPath, [probe], {
          cwd: assetDir,
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH ?? '',
            TABLE_NAME: 'edu-subsidy-test',
            BUCKET_NAME: 'edu-subsidy-test',
            STAGE: 'aws',
            AWS_REGION: 'cn-north-1',
            LOG_LEVEL: 'silent',
            POWERTOOLS_METRICS_DISABLED: 'true',
          },
        }),
      ) as { statusCode: number; body: unknown };
      expect(out).toEqual({ statusCode: 200, body: written });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

interface TemplateJson {
  Resources: Record<string, { Metadata?: Record<string, string> } | undefined>;
}
