import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import lighthouse from 'lighthouse';
import { computeMedianRun } from 'lighthouse/core/lib/median-run.js';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { ensureWebBuilt } from '../../infra/web-build.ts';
import { signIn } from '../support/browser.ts';
import { demoProgramme } from '../support/worker-flow.ts';
import { type BenchContext, quantile, startBenchStack } from './support.ts';

/**
 * The worker pages' weight and speed on a phone (issue 14; docs/benchmarks.md): the gzip bytes of
 * everything the first page load fetches (budget ≤ 150 KB) and Lighthouse's mobile performance score
 * (simulated slow 4G and a mid-range phone's CPU; budget ≥ 90) for the home page and the application
 * page, in Debian's Chromium (`CHROME_PATH`, default /usr/bin/chromium). Each score is the median of
 * {@link LIGHTHOUSE_RUNS} runs, each on an empty HTTP cache.
 */
export interface WebWorkerResult {
  firstLoadGzipBytes: number;
  lighthouse: { home: number; application: number };
}

/** One run's report. */
type Lhr = NonNullable<Awaited<ReturnType<typeof lighthouse>>>['lhr'];

/**
 * Lighthouse runs a page; the median score is reported. One run's score moved by 5–10 points with the
 * machine's load (docs/benchmarks.md, web); Lighthouse's own guidance is that the median score of five
 * runs is about twice as stable as one run's.
 */
const LIGHTHOUSE_RUNS = Math.max(1, Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 5));

const chromePath = process.env.CHROME_PATH ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Gzip bytes of the page at `url` and of every script, stylesheet and preload its HTML names. */
export async function firstLoadGzipBytes(url: string): Promise<number> {
  const html = await (await fetch(url)).text();
  const assets = new Set<string>();
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"[^>]*>/g)) {
    const tag = m[0];
    const href = m[1];
    if (!href) continue;
    if (tag.startsWith('<link') && !/rel="(?:stylesheet|modulepreload|preload)"/.test(tag)) continue;
    assets.add(new URL(href, url).href);
  }
  let bytes = gzipSync(html).length;
  for (const asset of assets) {
    const body = Buffer.from(await (await fetch(asset)).arrayBuffer());
    bytes += gzipSync(body, { level: 9 }).length;
  }
  return bytes;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The `web` suite's worker-pages part: starts its own seeded stack on the runner's DynamoDB Local. */
export async function webWorkerSuite(ctx: BenchContext): Promise<WebWorkerResult> {
  ensureWebBuilt();
  const stack = await startBenchStack(ctx, 'web-worker');
  const port = await freePort();
  const browser = await chromium.launch({
    executablePath: chromePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      `--remote-debugging-port=${port}`,
    ],
  });
  try {
    const base = stack.local.url;
    const firstLoad = await firstLoadGzipBytes(`${base}/m/`);
    ctx.log(`worker pages: first load ${(firstLoad / 1024).toFixed(1)} KB gzip`);
    const programme = await demoProgramme(base);

    // The application page needs a signed-in worker: sign in as tests do, in one tab, then let
    // Lighthouse drive that same tab (a session lives in its tab's sessionStorage).
    const context = browser.contexts()[0] ?? (await browser.newContext());
    const page = await context.newPage();
    await signIn(page, `${base}/m/`, { sub: 'bench-worker', name: '测一', role: 'worker' });
    const pp = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}`, defaultViewport: null });
    try {
      const target = (await pp.pages()).find((p) => p.url().startsWith(`${base}/m/`));
      if (!target) throw new Error('the signed-in tab is not visible to Lighthouse');
      // The worker's session lives in the tab's sessionStorage, so Lighthouse may not reset the origin's
      // storage (`disableStorageReset`), which would also have emptied the HTTP cache: every run would
      // then load the pages' scripts from the cache the sign-in and the runs before it filled. Empty
      // the cache (disk and memory, as Lighthouse does) before each run instead: a first visit's load.
      const cdp = await target.createCDPSession();
      const emptyHttpCache = async () => {
        await cdp.send('Network.enable');
        await cdp.send('Network.clearBrowserCache');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
        await cdp.send('Network.disable');
      };
      const score = async (url: string) => {
        const runs: Lhr[] = [];
        for (let run = 0; run < LIGHTHOUSE_RUNS; run++) {
          await emptyHttpCache();
          const result = await lighthouse(
            url,
            {
              onlyCategories: ['performance'],
              formFactor: 'mobile',
              disableStorageReset: true,
              logLevel: 'error',
            },
            undefined,
            target,
          );
          if (!result) throw new Error(`Lighthouse returned no result for ${url}`);
          runs.push(result.lhr);
        }
        const scores = runs.map((lhr) => Math.round((lhr.categories.performance?.score ?? 0) * 100));
        // The run to read the metrics of: Lighthouse's own pick, nearest the median FCP and time to
        // interactive. The score reported is the median score; that pick ignores total blocking time,
        // the metric that moves most with this machine's load.
        const audits = computeMedianRun(runs).audits;
        const ms = (id: string) => Math.round(audits[id]?.numericValue ?? Number.NaN);
        ctx.log(
          `  ${new URL(url).pathname}: scores ${scores.join(', ')}; the median run: FCP ${ms('first-contentful-paint')} ms, LCP ${ms('largest-contentful-paint')} ms, TBT ${ms('total-blocking-time')} ms, SI ${ms('speed-index')} ms, CLS ${audits['cumulative-layout-shift']?.numericValue?.toFixed(3)}`,
        );
        return quantile(scores, 0.5);
      };
      const home = await score(`${base}/m/`);
      const application = await score(`${base}/m/apply/${programme.id}`);
      ctx.log(`worker pages: Lighthouse mobile performance home ${home}, application ${application}`);
      return { firstLoadGzipBytes: firstLoad, lighthouse: { home, application } };
    } finally {
      await pp.disconnect();
    }
  } finally {
    await browser.close();
    await stack.stop();
  }
}
