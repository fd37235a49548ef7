import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openApiDocument } from '../shared/http/openapi.ts';

/**
 * `/openapi.json` as the API serves it, for tools that read the document from a file
 * (architecture.md §5):
 *
 * - `tsx scripts/openapi-document.ts out.json` writes it to `out.json` (`npm run web:types` writes
 *   `dist/openapi.json` and generates the web apps' client types from it);
 * - `tsx scripts/openapi-document.ts --lint [redocly|spectral|all]` writes it to a temporary file and
 *   runs Redocly (`redocly.yaml`, its recommended rules; what `npm run lint:openapi` runs) and/or
 *   Spectral (`.spectral.yaml`, `spectral:oas`) on it; the exit code is theirs.
 */
const [first, second] = process.argv.slice(2);
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;

if (first === '--lint') {
  const linters = second === 'all' ? ['redocly', 'spectral'] : [second ?? 'redocly'];
  const dir = mkdtempSync(join(tmpdir(), 'edu-subsidy-openapi-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, text);
  let status = 0;
  for (const linter of linters) {
    const args =
      linter === 'spectral'
        ? ['lint', file, '--ruleset', '.spectral.yaml', '--fail-severity', 'error']
        : linter === 'redocly'
          ? ['lint', file, '--config', 'redocly.yaml']
          : undefined;
    if (!args) {
      console.error(`unknown linter ${linter}: redocly, spectral or all`);
      process.exit(2);
    }
    const run = spawnSync(join('node_modules', '.bin', linter), args, { stdio: 'inherit' });
    status ||= run.status ?? 1;
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(status);
} else if (first) {
  mkdirSync(dirname(first), { recursive: true });
  writeFileSync(first, text);
} else {
  console.error('usage: tsx scripts/openapi-document.ts <file.json> | --lint [redocly|spectral|all]');
  process.exit(2);
}
