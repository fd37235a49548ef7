import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originalStack } from '../../shared/source-stack.ts';
import { deployedBuildOptions } from '../support/deployed-bundle.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * A function bundled as `functionBundling` bundles it (`deployedBuildOptions`: minified ESM, a
 * source map without the sources beside `index.mjs`), run by a Node started without `--enable-source-maps`, as Lambda runs
 * the functions: its logged stack must name the source line that threw, not a line and column of `index.mjs`.
 */
describe('stacks of logged errors in a deployed bundle', () => {
  let dir: string;
  let out: { raw: string; summary: { errorType: string; stack: string } };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'source-stack-'));
    writeFileSync(
      join(dir, 'entry.ts'),
      [
        `import { errorSummary } from ${JSON.stringify(join(repoRoot, 'shared', 'logger.ts'))};`,
        '',
        'function refuseToPay(): never {',
        "  throw new TypeError('账号 6222020200112233 不可读');",
        '}',
        '',
        'try {',
        '  refuseToPay();',
        '} catch (err) {',
        '  process.stdout.write(JSON.stringify({ raw: (err as Error).stack, summary: errorSummary(err) }));',
        '}',
        '',
      ].join('\n'),
    );
    await build({
      ...deployedBuildOptions(),
      entryPoints: [join(dir, 'entry.ts')],
      outfile: join(dir, 'out', 'index.mjs'),
    });
    const env = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' };
    out = JSON.parse(
      execFileSync(process.execPath, [join(dir, 'out', 'index.mjs')], { env, encoding: 'utf8' }),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs minified: the raw stack points into index.mjs', () => {
    expect(out.raw.split('\n')[1]).toMatch(/index\.mjs:\d+:\d+\)?$/);
  });

  it('logs the frames at the source line that threw and the line that called it', () => {
    const frames = out.summary.stack.split('\n');
    expect(out.summary.errorType).toBe('TypeError');
    expect(frames[0]).toMatch(/\(entry\.ts:4:9\)$/);
    expect(frames[1]).toMatch(/entry\.ts:8:3\)?$/);
    expect(out.summary.stack).not.toContain('index.mjs');
  });

  it('keeps the message out of the log', () => {
    expect(out.summary.stack).not.toContain('6222020200112233');
  });
});

describe('originalStack', () => {
  it('leaves a frame whose file has no source map as it is', () => {
    const frames = '    at pay (/nowhere/index.mjs:1:200)\n    at node:internal/process/task_queues:105:5';
    expect(originalStack(frames)).toBe(frames);
  });
});
