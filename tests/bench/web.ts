import { gzipSync } from 'node:zlib';
import { launchBrowser, signIn } from '../support/browser.ts';
import { rushProgrammeBody } from '../support/rush.ts';
import { reviewerOrgId, seedQueue } from './queue.ts';
import { type BenchContext, round, startBenchStack } from './support.ts';
import { type WebWorkerResult, webWorkerSuite } from './web-worker.ts';

/** The union console's figures (architecture.md §7); other apps add their own keys beside `console`. */
export interface WebResult {
  console: {
    /** Gzip bytes of everything the first page (待审核) fetches from /console/: HTML, scripts, styles. */
    firstLoadGzipBytes: number;
    firstLoadFiles: number;
    /** Median of 3 loads: navigation start until the first row of a 1,000-application queue shows. */
    queueFirstPageMs: number;
    queueItems: number;
  };
  /** The worker pages (`tests/bench/web-worker.ts`): first load and Lighthouse's mobile scores. */
  worker: WebWorkerResult;
}

const QUEUE_ITEMS = 1000;

/**
 * `web`: the console's first load in gzip bytes (budget ≤ 350 KB; exceljs, the PDF viewer and ECharts
 * are lazy chunks) and the time until a reviewer's queue of 1,000 applications shows its first page,
 * in Debian's Chromium against the local stack.
 */
export async function webSuite(ctx: BenchContext): Promise<WebResult> {
  const stack = await startBenchStack(ctx, 'web');
  const browser = await launchBrowser();
  try {
    const admin = await stack.token({ sub: 'bench-admin', role: 'admin', org: 'sd' });
    const programmeId = 'bench-web';
    const res = await stack.call('POST', '/v1/programmes', {
      token: admin,
      body: rushProgrammeBody(programmeId, 20),
    });
    if (res.status !== 201) throw new Error(`programme: ${res.status} ${JSON.stringify(res.body)}`);
    ctx.log(`web: ${QUEUE_ITEMS} applications in one reviewer's queue…`);
    await seedQueue(stack, programmeId, 0, QUEUE_ITEMS);

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await signIn(page, `${stack.local.url}/console/`, {
      sub: 'bench-reviewer',
      role: 'reviewer',
      org: reviewerOrgId,
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const target = `${stack.local.url}/console/review?programme=${programmeId}`;

    // First load: every HTML, script and style response under /console/ while the queue appears.
    const fetched = new Map<string, Promise<Buffer>>();
    page.on('response', (r) => {
      const url = new URL(r.url());
      const type = r.request().resourceType();
      if (url.pathname.startsWith('/console/') && ['document', 'script', 'stylesheet'].includes(type))
        fetched.set(url.pathname, r.body());
    });
    await page.goto(target);
    await page.getByRole('link', { name: '查看 1', exact: true }).waitFor({ timeout: 60_000 });
    const bodies = await Promise.all(fetched.values());
    const firstLoadGzipBytes = bodies.reduce((n, b) => n + gzipSync(b).length, 0);

    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await page.goto(target);
      await page.getByRole('link', { name: '查看 1', exact: true }).waitFor({ timeout: 60_000 });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    await context.close();
    ctx.log('web: the worker pages (first load, Lighthouse)…');
    const worker = await webWorkerSuite(ctx);
    return {
      worker,
      console: {
        firstLoadGzipBytes,
        firstLoadFiles: bodies.length,
        queueFirstPageMs: round(times[1] ?? 0, 0),
        queueItems: QUEUE_ITEMS,
      },
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}
