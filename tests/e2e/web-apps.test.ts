import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../integration/harness.ts';
import { launchBrowser, signIn } from '../support/browser.ts';

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

describe('the built apps on the same origin as the API', () => {
  it('the union console signs a reviewer in and shows 待审核, then signs out', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await signIn(page, `${stack.url}/console/`, {
      sub: 'e2e-reviewer',
      name: '审核员甲',
      role: 'reviewer',
      org: 'lc',
    });
    await expect.poll(() => page.getByRole('heading', { name: '待审核' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('button', { name: '登录' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });

  it('the worker pages list the programmes on a phone, and a deep link loads the app', async () => {
    const page = await browser.newPage({
      viewport: { width: 360, height: 740 },
      hasTouch: true,
      isMobile: true,
    });
    await page.goto(`${stack.url}/m/`);
    await expect.poll(() => page.getByText('补助项目').first().isVisible()).toBe(true);
    const deep = await page.goto(`${stack.url}/m/applications/x`);
    expect(deep?.status()).toBe(200);
    expect(await page.title()).toContain('求学圆梦行动');
    await page.close();
  });
});
