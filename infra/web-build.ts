import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, webBuildDir } from './constructs/paths.ts';

/**
 * Builds the union console and the worker pages (`npm run web:build`) when `dist/web` lacks them, so
 * that `cdk synth` and the infra tests work from a clean clone; `npm run synth` always builds afresh.
 */
export function ensureWebBuilt(): void {
  const built = ['console', 'm'].every((app) => existsSync(join(webBuildDir, app, 'index.html')));
  if (built) return;
  const result = spawnSync('npm', ['run', '--silent', 'web:build'], {
    cwd: repoRoot,
    // A production build whoever asks: under a test runner NODE_ENV is `test`, and Vite would then
    // bundle React's development build, which the bench would measure and the e2e tests would serve.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0)
    throw new Error(`npm run web:build failed (exit ${result.status ?? result.signal})`);
}
