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
 * `appUrl` (`…/console/`, `…/m/`), the button `登录`, the local OIDC provider's page (authorization
 * code + PKCE) by `用户标识` and `姓名` — the local stage's sign-in without a password — and back to
 * the app. What the account may do is its memberships, not anything typed there: the membership
 * `who` describes is recorded first through `POST /v1/dev/token`. Every browser test signs in
 * through here, so the way people sign in changes in one place.
 */
export async function signIn(page: Page, appUrl: string, who: Who): Promise<void> {
  const recorded = await fetch(new URL('/v1/dev/token', appUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sub: who.sub,
      role: who.role,
      ...(who.org ? { org: who.org } : {}),
      ...(who.name ? { name: who.name } : {}),
    }),
  });
  if (recorded.status !== 201) throw new Error(`POST /v1/dev/token answered ${recorded.status}`);
  await page.goto(appUrl);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByLabel('用户标识').fill(who.sub);
  await page.getByLabel('姓名').fill(who.name ?? who.sub);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((url) => url.href.startsWith(appUrl));
  await page
    .getByRole('button', { name: '退出登录' })
    .or(page.getByRole('link', { name: '退出登录' }))
    .waitFor();
}
