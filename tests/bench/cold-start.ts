import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { AppFunction } from '../../infra/constructs/app-function.ts';
import { repoRoot } from '../../infra/constructs/paths.ts';
import { EduSubsidyStack } from '../../infra/stacks/edu-subsidy-stack.ts';
import { routeList } from '../../shared/http/routes.ts';
import { deployedBuildOptions } from '../support/deployed-bundle.ts';
import { type BenchContext, quantile, round } from './support.ts';

export interface ColdStartFunction {
  name: string;
  bundleBytes: number;
  initMs: number;
}

export interface ColdStartResult {
  functions: ColdStartFunction[];
  baselineInitMs: number;
  maxBundleBytes: number;
  maxInitRatio: number;
  /** Init of a bundle that only builds the DynamoDB document client: the honest floor of a function here. */
  sdkFloorInitMs: number;
  /** The slowest function's init ÷ the floor's, each the median of the same rounds. */
  maxInitRatioToFloor: number;
}

export interface ColdStartDiagnostics {
  /** Init of a bundle that only builds the DynamoDB document client: the floor of every function here. */
  sdkFloorInitMs: number;
  sdkFloorBundleBytes: number;
  /** Source maps (`.map` beside each bundle, read only when an error is logged), by function. */
  sourceMapBytes: Record<string, number>;
  /**
   * The slowest function's init with `--enable-source-maps`, which the functions ran with until
   * 2026-12-01: what Node reading the source map at every cold start would cost.
   */
  slowestWithSourceMapsMs: number;
  /**
   * Each function's init above the floor: the median over the rounds of (function − floor) in the
   * same round. What the function's own code costs at init, with much of the machine's load
   * cancelled out, since both were measured a moment apart.
   */
  aboveFloorMs: Record<string, number>;
  /**
   * What a route's first request pays to build its request schemas, which no cold start builds
   * (`lazySchema`): each route validated once in a fresh process that has loaded every route table
   * and zod's configuration, median of {@link FIRST_USE_RUNS}. The median route, the slowest, and per
   * group every route one after the other (what a container serving them all pays over its life).
   */
  schemaFirstUse: {
    medianRouteMs: number;
    slowestRoute: { operationId: string; ms: number };
    allRoutesByGroupMs: Record<string, number>;
  };
  /** CPU time (user + system) of each import, median: the figure that load elsewhere moves least. */
  initCpuMs: Record<string, number>;
  sdkFloorInitCpuMs: number;
  baselineInitCpuMs: number;
}

/**
 * Fresh processes per bundle; the median is reported. The target reads the slowest of twelve
 * medians, and with 10 a burst of load elsewhere on the machine moved it by 0.1–0.2 of the floor
 * from one run to the next (2026-12-01, three runs: 1.33, 1.43 and 1.29): 20 narrow that spread, for
 * about 40 s more.
 */
const RUNS = 20;

/** Fresh processes per route for the first-use figures. */
const FIRST_USE_RUNS = 3;

/**
 * A bundle (built as the functions are, `deployedBuildOptions`) that loads every route table and zod's
 * configuration, then validates the routes named in `BENCH_ROUTES` once each — params, query and body
 * — and prints how long that took.
 */
function firstUseBundle(workDir: string): string {
  const entry = join(workDir, 'schema-first-use.ts');
  const outfile = join(workDir, 'schema-first-use.mjs');
  writeFileSync(
    entry,
    [
      `import ${JSON.stringify(join(repoRoot, 'shared', 'http', 'validation.ts'))};`,
      `import { routeList } from ${JSON.stringify(join(repoRoot, 'shared', 'http', 'routes.ts'))};`,
      "const wanted = new Set((process.env.BENCH_ROUTES ?? '').split(','));",
      'const started = performance.now();',
      'for (const route of routeList) {',
      '  if (!wanted.has(route.operationId)) continue;',
      '  for (const schema of [route.params, route.query, route.body]) schema?.safeParse(undefined);',
      '}',
      'process.stdout.write(String(performance.now() - started));',
    ].join('\n'),
  );
  buildSync({ ...deployedBuildOptions(), entryPoints: [entry], outfile, sourcemap: false });
  return outfile;
}

function schemaFirstUse(workDir: string): ColdStartDiagnostics['schemaFirstUse'] {
  const bundle = firstUseBundle(workDir);
  const time = (operationIds: readonly string[]) =>
    Number(
      execFileSync(process.execPath, [bundle], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', BENCH_ROUTES: operationIds.join(',') },
        encoding: 'utf8',
      }),
    );
  const median = (operationIds: readonly string[]) =>
    quantile(
      Array.from({ length: FIRST_USE_RUNS }, () => time(operationIds)),
      0.5,
    );
  const perRoute = routeList.map((r) => ({
    operationId: r.operationId,
    ms: round(median([r.operationId]), 1),
  }));
  const slowestRoute = perRoute.reduce((a, b) => (b.ms > a.ms ? b : a));
  const groups = [...new Set(routeList.map((r) => r.group))];
  return {
    medianRouteMs: round(
      quantile(
        perRoute.map((r) => r.ms),
        0.5,
      ),
      1,
    ),
    slowestRoute,
    allRoutesByGroupMs: Object.fromEntries(
      groups.map((g) => [
        g,
        round(median(routeList.filter((r) => r.group === g).map((r) => r.operationId)), 1),
      ]),
    ),
  };
}

/** What a handler module reads at import, as the CDK stack sets it in Lambda. */
const lambdaEnv = (dataDir: string) => ({
  TABLE_NAME: 'edu-subsidy-bench',
  BUCKET_NAME: 'edu-subsidy-bench',
  STAGE: 'local',
  DATA_DIR: dataDir,
  AWS_REGION: 'cn-north-1',
  LOG_LEVEL: 'silent',
  // The SMS functions build their notifier at import: the provider the stack was synthesized with,
  // credentials as the local stage gives them (no Secrets Manager call).
  SMS_PROVIDER: 'tencent',
  SMS_SECRET_ID: 'AKIDbench',
  SMS_SECRET_KEY: 'bench-secret',
  SMS_TEMPLATES: '{}',
  SMS_SIGN_NAME: '求学圆梦',
});

/**
 * Imports one bundle in the child and prints how long the import took (ms) and the CPU time it used
 * (user + system, ms): on a machine shared with other work, CPU time moves much less than wall time.
 */
const importProbe = [
  "import { pathToFileURL } from 'node:url';",
  'const cpu = process.cpuUsage();',
  'const started = performance.now();',
  'const mod = await import(pathToFileURL(process.env.BENCH_BUNDLE).href);',
  'const ms = performance.now() - started;',
  'const used = process.cpuUsage(cpu);',
  "if (typeof mod.handler !== 'function') throw new Error('no handler export');",
  'process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000 }));',
].join('\n');

interface Bundle {
  name: string;
  file: string;
  /** The function's `NODE_OPTIONS` in the template, passed to the child as Lambda passes them. */
  nodeOptions: string[];
}

/**
 * Synthesizes the CDK app in this process — every function bundled by `AppFunction` with
 * `functionBundling`, exactly as `cdk synth` does — plus a baseline function that only answers 200,
 * and returns each Node.js function's bundle, named after its construct path.
 */
function synthBundles(outdir: string): { functions: Bundle[]; baseline: Bundle; sdkFloor: Bundle } {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  // The CLI turns on the asset and path metadata that map a function to its bundle; do the same.
  const app = new App({
    outdir,
    context: {
      ...cdkJson.context,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:enable-path-metadata': true,
    },
  });
  // With SMS configured, as a deployment that texts workers is: its two SMS functions are measured too.
  new EduSubsidyStack(app, 'EduSubsidy', {
    sms: {
      provider: 'tencent',
      templates: { submitted: '2000001', returned: '2000003', approved: '2000004' },
      signName: '求学圆梦',
      appId: '1400000000',
      region: 'ap-guangzhou',
      secretArn: 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:edu-subsidy/sms-AbCdEf',
    },
  });
  const baselineStack = new Stack(app, 'BenchBaseline');
  new AppFunction(baselineStack, 'Baseline', {
    entry: join(import.meta.dirname, 'baseline-handler.ts'),
    description: 'cold-start baseline',
    environment: {},
    bundleAwsSdk: false,
  });
  new AppFunction(baselineStack, 'SdkFloor', {
    entry: join(import.meta.dirname, 'sdk-floor-handler.ts'),
    description: 'cold-start reference: the DynamoDB document client alone',
    environment: {},
    bundleAwsSdk: false,
  });
  const assembly = app.synth();
  const bundles = (stackName: string): Bundle[] => {
    const template = assembly.getStackByName(stackName).template as {
      Resources: Record<
        string,
        {
          Type: string;
          Properties?: { Runtime?: string; Environment?: { Variables?: Record<string, unknown> } };
          Metadata?: Record<string, string>;
        }
      >;
    };
    return Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Runtime?.startsWith('nodejs'))
      .flatMap((r) => {
        const asset = r.Metadata?.['aws:asset:path'];
        const path = r.Metadata?.['aws:cdk:path'] ?? '';
        if (!asset) return [];
        // EduSubsidy/Functions/PublicFunction/Function/Resource → Functions/PublicFunction
        const name = path.split('/').slice(1, -2).join('/');
        const nodeOptions = r.Properties?.Environment?.Variables?.NODE_OPTIONS;
        return [
          {
            name,
            file: join(outdir, asset, 'index.mjs'),
            nodeOptions: typeof nodeOptions === 'string' ? nodeOptions.split(/\s+/).filter(Boolean) : [],
          },
        ];
      });
  };
  const references = bundles('BenchBaseline');
  const baseline = references.find((b) => b.name === 'Baseline');
  const sdkFloor = references.find((b) => b.name === 'SdkFloor');
  if (!baseline || !sdkFloor) throw new Error('the reference functions were not synthesized');
  return { functions: bundles('EduSubsidy'), baseline, sdkFloor };
}

/** One fresh Node process importing the bundle, with the function's `NODE_OPTIONS` and any flags told. */
function importOnce(bundle: Bundle, dataDir: string, flags: string[] = []): { ms: number; cpuMs: number } {
  const out = execFileSync(
    process.execPath,
    [...bundle.nodeOptions, ...flags, '--input-type=module', '-e', importProbe],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...lambdaEnv(dataDir), BENCH_BUNDLE: bundle.file },
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as { ms: number; cpuMs: number };
}

/**
 * Every Lambda bundle as CDK builds it: its size, and the median time over fresh processes to
 * import it (a cold start's init, the Node.js runtime's own start excluded), against the baseline.
 * The bundles live under the repository so that `@aws-sdk/*`, left out of them as the Lambda
 * runtime provides it, resolves from `node_modules`.
 */
export function coldStartSuite(ctx: BenchContext): {
  result: ColdStartResult;
  diagnostics: ColdStartDiagnostics;
} {
  const outdir = join(ctx.workDir, 'cdk.out');
  const dataDir = join(ctx.workDir, 'cold-start-data');
  mkdirSync(dataDir, { recursive: true });
  ctx.log('cold start: synthesizing and bundling every function…');
  const { functions, baseline, sdkFloor } = synthBundles(outdir);
  const all = [baseline, sdkFloor, ...functions];
  const samples = new Map<Bundle, number[]>(all.map((b) => [b, []]));
  const cpuSamples = new Map<Bundle, number[]>(all.map((b) => [b, []]));
  importOnce(baseline, dataDir); // the first process warms the file cache for everyone
  // Round-robin, so that a burst of load elsewhere on the machine spreads over every bundle.
  for (let run = 0; run < RUNS; run++) {
    for (const bundle of all) {
      const { ms, cpuMs } = importOnce(bundle, dataDir);
      samples.get(bundle)?.push(ms);
      cpuSamples.get(bundle)?.push(cpuMs);
    }
  }
  const median = (b: Bundle) => quantile(samples.get(b) ?? [], 0.5);
  const baselineInitMs = median(baseline);
  const measured = functions.map((f) => ({
    name: f.name,
    bundleBytes: statSync(f.file).size,
    initMs: round(median(f), 1),
  }));
  const slowest = functions.reduce((a, b) => (median(b) > median(a) ? b : a));
  const withSourceMaps = Array.from(
    { length: RUNS / 2 },
    () => importOnce(slowest, dataDir, ['--enable-source-maps']).ms,
  );
  const cpuMedian = (b: Bundle) => round(quantile(cpuSamples.get(b) ?? [], 0.5), 1);
  ctx.log('cold start: what each route’s first request pays for its schemas…');
  const firstUse = schemaFirstUse(ctx.workDir);
  return {
    result: {
      functions: measured,
      baselineInitMs: round(baselineInitMs, 1),
      maxBundleBytes: Math.max(...measured.map((f) => f.bundleBytes)),
      maxInitRatio: round(Math.max(...measured.map((f) => f.initMs)) / baselineInitMs, 2),
      sdkFloorInitMs: round(median(sdkFloor), 1),
      maxInitRatioToFloor: round(Math.max(...measured.map((f) => f.initMs)) / median(sdkFloor), 2),
    },
    diagnostics: {
      sdkFloorInitMs: round(median(sdkFloor), 1),
      sdkFloorBundleBytes: statSync(sdkFloor.file).size,
      sourceMapBytes: Object.fromEntries(functions.map((f) => [f.name, statSync(`${f.file}.map`).size])),
      slowestWithSourceMapsMs: round(quantile(withSourceMaps, 0.5), 1),
      schemaFirstUse: firstUse,
      initCpuMs: Object.fromEntries(functions.map((f) => [f.name, cpuMedian(f)])),
      sdkFloorInitCpuMs: cpuMedian(sdkFloor),
      baselineInitCpuMs: cpuMedian(baseline),
      aboveFloorMs: Object.fromEntries(
        functions.map((f) => {
          const floor = samples.get(sdkFloor) ?? [];
          const own = samples.get(f) ?? [];
          return [
            f.name,
            round(
              quantile(
                own.map((ms, i) => ms - (floor[i] ?? 0)),
                0.5,
              ),
              1,
            ),
          ];
        }),
      ),
    },
  };
}
