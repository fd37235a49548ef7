import { join } from 'node:path';
import { signIn } from '../support/browser.ts';
import type { ShotsContext } from './run.ts';

/** The union console's pages, as the seeded city admin sees them (README "Web apps"). */
export async function shoot({ browser, baseUrl, outDir }: ShotsContext): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await signIn(page, `${baseUrl}/console/`, {
    sub: 'demo-admin',
    name: '聊城市总工会管理员',
    role: 'admin',
    org: 'lc',
  });
  const shots: [path: string, file: string, ready: string][] = [
    ['/review', 'console-review.png', '待审核'],
    ['/quotas', 'console-quotas.png', '调剂名额'],
    ['/programmes', 'console-programmes.png', '项目管理'],
    ['/programmes/new', 'console-programme-new.png', '新建项目'],
    ['/payouts', 'console-payouts.png', '补助发放'],
    ['/orgs', 'console-orgs.png', '组织'],
    ['/stats', 'console-stats.png', '各单位申请'],
  ];
  for (const [path, file, heading] of shots) {
    await page.goto(`${baseUrl}/console${path}`);
    await page.getByRole('heading', { name: heading }).first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(outDir, file), fullPage: true });
  }
  await context.close();
}
