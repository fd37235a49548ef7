/**
 * Issue 12: signing in through the local OIDC provider's page in Chromium — the consoles' one
 * sign-in module (oidc-client-ts, authorization code + PKCE) against the issuer runtime-config.json
 * names, the provider's Chinese page, and back to the app with an ID token the API accepts.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../infra/seed/accounts.ts';
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

/** The session the sign-in module keeps in the tab: an ID token of the local issuer. */
async function sessionToken(page: Page): Promise<string> {
  const raw = await page.evaluate(() => sessionStorage.getItem('edu-subsidy.session'));
  return (JSON.parse(raw ?? '{}') as { token?: string }).token ?? '';
}

describe('signing in through the provider’s page', () => {
  it('signs a demo reviewer in with 用户标识 and 密码; the console shows the reviewer’s queue', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${stack.url}/console/`);
    await page.getByRole('button', { name: '登录' }).click();
    // The provider's own page, on the issuer's origin, in Chinese.
    await page.waitForURL((url) => url.pathname.startsWith('/oidc/interaction/'));
    expect(new URL(page.url()).host).toBe(`localhost:${stack.port}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByLabel('用户标识').fill('reviewer-chiping');
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${stack.url}/console/`));
    await page.getByRole('button', { name: '退出登录' }).waitFor();
    // The code left the address bar once redeemed.
    expect(new URL(page.url()).searchParams.has('code')).toBe(false);
    await expect.poll(() => page.getByText('茌平区审核员').first().isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('heading', { name: '待审核' }).isVisible()).toBe(true);

    // The token the page holds is the provider's, and the API knows the account by its membership.
    const me = await stack.call('GET', '/v1/me', { token: await sessionToken(page) });
    expect(me.status).toBe(200);
    expect(me.body.memberships).toEqual([{ orgId: 'lc-chiping', orgName: '茌平区', role: 'reviewer' }]);
    await page.close();
  });

  it('refuses a wrong password on the provider’s page and stays there', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/m/`);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByLabel('用户标识').fill('admin-lc');
    await page.getByLabel('密码').fill('not-the-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('用户标识或密码不正确');
    expect(new URL(page.url()).pathname).toMatch(/^\/oidc\/interaction\//);
    await page.close();
  });

  it('signs any account in by 用户标识 and 姓名 (local stage) through the shared helper, on the worker pages', async () => {
    const page = await browser.newPage({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    await signIn(page, `${stack.url}/m/`, { sub: 'e2e-worker-1', name: '赵六', role: 'worker' });
    const me = await stack.call('GET', '/v1/me', { token: await sessionToken(page) });
    expect(me.body).toEqual({ sub: 'e2e-worker-1', name: '赵六', memberships: [] });
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('button', { name: '登录' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });
});
