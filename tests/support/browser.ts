import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, headless, as every browser test drives it (never a browser fetched by npm). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}

/** Who signs in: an account id, and for reviewers and admins the org they act for. */
export interface Who {
  sub: string;
  name?: string;
  role: 'worker' | 'reviewer' | 'admin';
  org?: string;
}

/**
 * Signs `page` in as `who` through the app's own sign-in, as a person would: from the app at
 * `appUrl` (`…/console/`, `…/m/`), the button `登录`, the sign-in page's fields, back to the app.
 * Every browser test signs in through here, so the way people sign in changes in one place.
 */
export async function signIn(page: Page, appUrl: string, who: Who): Promise<void> {
  await page.goto(appUrl);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByLabel('用户标识').fill(who.sub);
  await page.getByLabel('角色').selectOption(who.role);
  if (who.org) await page.getByLabel('组织').fill(who.org);
  if (who.name) await page.getByLabel('姓名').fill(who.name);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((url) => url.href.startsWith(appUrl));
  await page
    .getByRole('button', { name: '退出登录' })
    .or(page.getByRole('link', { name: '退出登录' }))
    .waitFor();
}
