import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../integration/harness.ts';
import { launchBrowser } from '../support/browser.ts';

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the public quota board in a browser', () => {
  it('shows lc-2022’s twelve units, 200 places and the notice’s contacts', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
    await page.goto(`${stack.url}/`);
    await page.selectOption('#programme', 'lc-2022');
    // The board first shows the newest programme; wait for lc-2022's own rows, not just any twelve.
    await page.waitForFunction(
      "document.querySelectorAll('#quotas tbody tr').length === 12 && document.querySelector('#quotas tbody td')?.textContent === '市直属单位'",
    );
    const rows = await page.$$eval('#quotas tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    );
    expect(rows[0]).toEqual(['市直属单位', '20', '0', '0', '40,000']);
    expect(rows.at(-1)).toEqual(['度假区', '5', '0', '0', '10,000']);
    const totals = await page.$$eval('#quotas tfoot td', (tds) => tds.map((td) => td.textContent));
    expect(totals).toEqual(['总计', '200', '0', '0', '400,000']);
    expect(await page.textContent('#windows')).toContain('申请时间 2022-01-01 至 2022-11-30');
    expect(await page.textContent('#contacts')).toContain('4000123318');
    const shots = mkdtempSync(join(tmpdir(), 'edu-subsidy-e2e-'));
    await page.screenshot({ path: join(shots, 'quota-board.png'), fullPage: true });
    await page.close();
  });
});
