import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { functionBundling } from '../../infra/constructs/app-function.ts';
import { lazyModuleCommands } from '../../infra/constructs/lazy-modules.ts';
import { synthStack } from './synth.ts';

/**
 * The catalogue function ships exceljs beside its bundle, not in it (issue 15: bundles ≤ 250 KB). What
 * Lambda would run is checked here: the commands CDK runs after bundling, then a fresh Node process in
 * that directory that imports `exceljs` by name, as `shared/adapters/excel.ts` does, and must get the
 * shipped file and a working exceljs (a workbook with Chinese text written and read back).
 */
describe('lazily imported packages', () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'edu-lazy-modules-'));
  afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

  it('are left out of the bundle and given to the after-bundling hook', () => {
    const bundling = functionBundling(false, { lazyModules: ['exceljs'] });
    expect(bundling.externalModules).toEqual(['@aws-sdk/*', 'exceljs']);
    expect(bundling.commandHooks?.afterBundling('/in', '/out')).toEqual(
      lazyModuleCommands(['exceljs'], '/out'),
    );
    expect(functionBundling(false).commandHooks).toBeUndefined();
  });

  it('are exceljs for the catalogue function and nothing for the other route functions', () => {
    const { stack } = synthStack();
    for (const [group, fn] of stack.functions.entries()) {
      const hook = fn.bundling.commandHooks?.afterBundling('/in', '/out') ?? [];
      const shipsExcel = hook.some((command) => command.includes('/out/node_modules/exceljs'));
      expect(shipsExcel, group).toBe(group === 'catalogue');
      expect(fn.bundling.externalModules?.includes('exceljs'), group).toBe(group === 'catalogue');
    }
  });

  it('ship exceljs as one file that a bare import resolves to', { timeout: 60_000 }, () => {
    for (const command of lazyModuleCommands(['exceljs'], outputDir)) {
      execFileSync('bash', ['-c', command], { stdio: 'pipe' });
    }
    const shipped = join(outputDir, 'node_modules', 'exceljs', 'index.js');
    expect(
      JSON.parse(readFileSync(join(outputDir, 'node_modules', 'exceljs', 'package.json'), 'utf8')),
    ).toEqual({
      name: 'exceljs',
      main: 'index.js',
      private: true,
    });
    expect(statSync(shipped).size).toBeGreaterThan(100_000);

    const probe = join(outputDir, 'probe.mjs');
    writeFileSync(
      probe,
      [
        "const m = await import('exceljs');",
        'const ExcelJS = m.default ?? m;',
        'const book = new ExcelJS.Workbook();',
        "const sheet = book.addWorksheet('专业目录');",
        "sheet.addRow(['院校', '专业', '学习形式']);",
        "sheet.addRow(['聊城职业技术学院', '数控技术', '业余']);",
        'const bytes = await book.xlsx.writeBuffer();',
        'const read = new ExcelJS.Workbook();',
        'await read.xlsx.load(bytes);',
        'const row = read.worksheets[0].getRow(2).values.slice(1);',
        "process.stdout.write(JSON.stringify({ resolved: import.meta.resolve('exceljs'), row }));",
      ].join('\n'),
    );
    const out = JSON.parse(execFileSync(process.execPath, [probe], { cwd: outputDir, encoding: 'utf8' })) as {
      resolved: string;
      row: string[];
    };
    expect(out.resolved).toBe(new URL(`file://${shipped}`).href);
    expect(out.row).toEqual(['聊城职业技术学院', '数控技术', '业余']);
  });
});
