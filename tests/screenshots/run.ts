/**
 * `npm run screenshots`: starts a local stack with the seed data (on its own DynamoDB Local), launches
 * Debian's Chromium and runs every `tests/screenshots/*.shots.ts` module's `shoot(ctx)`, each writing
 * PNGs under docs/screenshots/ (the README shows them). Needs `npm run web:build` first (the script does it).
 */
import '../../infra/local/quiet-logs.ts';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { startDynamoDbLocal } from '../../infra/local/dynamodb.ts';
import { startLocalStack } from '../../infra/local/stack.ts';
import { settableClock } from '../../shared/clock.ts';
import type { TestStack } from '../integration/harness.ts';
import { launchBrowser } from '../support/browser.ts';
import { httpCaller } from '../support/http-call.ts';

export interface ShotsContext {
  browser: Browser;
  baseUrl: string;
  outDir: string;
  /** The stack, with the tests' way of calling it (the seeding of the worker's pictures uses it). */
  stack: TestStack;
}

const here = import.meta.dirname;
const outDir = resolve(here, '../../docs/screenshots');

async function main() {
  mkdirSync(outDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'edu-subsidy-shots-'));
  const dynamo = await startDynamoDbLocal();
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    dynamodbEndpoint: dynamo.endpoint,
    tableName: 'screenshots',
    bucketName: 'screenshots',
    seed: true,
  });
  const browser = await launchBrowser();
  try {
    for (const file of readdirSync(here)
      .filter((f) => f.endsWith('.shots.ts'))
      .sort()) {
      const mod = (await import(pathToFileURL(join(here, file)).href)) as {
        shoot: (ctx: ShotsContext) => Promise<void>;
      };
      console.log(`screenshots: ${file}`);
      const caller: TestStack = {
        ...stack,
        clock: settableClock(),
        token: (claims) => stack.auth.issue(claims),
        call: httpCaller(stack.url),
      };
      await mod.shoot({ browser, baseUrl: stack.url, outDir, stack: caller });
    }
  } finally {
    await browser.close();
    await stack.stop();
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`screenshots in ${outDir}`);
}

await main();
