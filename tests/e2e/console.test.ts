import { readFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../../infra/seed/accounts.ts';
import { startTestStack, type TestStack } from '../integration/harness.ts';
import { expectOk, programmeBody, publishProgramme, submittedApplication } from '../support/api.ts';
import { launchBrowser, signIn, type Who } from '../support/browser.ts';
import { signInWithPkce } from '../support/oidc.ts';

/**
 * The union console in Chromium through the real local stack (issue 13's "done means"), in the words
 * of architecture.md §7: the four-level chain approved in the console, a return the worker then
 * sees, 批量通过 of 20, 调剂名额, a programme created through the form, a payout run to `succeeded`
 * with its bank file, an export parsed back, a reviewer of another unit seeing none of it, and axe
 * on every page.
 */

let stack: TestStack;
let browser: Browser;
const programmeId = 'e2e-console';
const enrolmentYear = Number(new Date().toISOString().slice(0, 4));
const TEXTILE_CHAIN = ['lc-dcf-gucheng-textile', 'lc-dcf-gucheng', 'lc-dongchangfu', 'lc'];
let chainApp: { id: string; token: string; sequence: number };
let returnApp: { id: string; token: string; sequence: number };
const bulkApps: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ payoutRail: 'bank_file' });
  browser = await launchBrowser();
  await publishProgramme(
    stack,
    programmeBody({
      id: programmeId,
      title: '控制台测试项目',
      enrolmentYear,
      allocations: [
        { unitOrgId: 'lc-dongchangfu', places: 10, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
        { unitOrgId: 'lc-chiping', places: 30, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
      ],
    }),
  );
  const submitted = async (n: number, employerOrgId: string) => {
    const app = await submittedApplication(stack, { n, programmeId, employerOrgId, enrolmentYear });
    return { id: app.id, token: app.token, sequence: app.submit.body.receipt.sequence };
  };
  chainApp = await submitted(8100, 'lc-dcf-gucheng-textile');
  returnApp = await submitted(8101, 'lc-dcf-gucheng-textile');
  for (let i = 0; i < 20; i += 5) {
    const batch = await Promise.all(
      [0, 1, 2, 3, 4].map((k) => submitted(8200 + i + k, 'lc-cp-wenzhuang-aluminium')),
    );
    bulkApps.push(...batch.map((b) => b.id));
  }
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A fresh tab signed in as `who` (its own sessionStorage), on the console page `path`. */
async function consoleAs(who: Who, path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await signIn(page, `${stack.url}/console/`, { name: who.sub, ...who });
  await page.goto(`${stack.url}/console${path}${path.includes('?') ? '&' : '?'}programme=${programmeId}`);
  return page;
}

/** axe-core: no serious or critical violation on the page as it is now. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  expect(bad, `axe on ${what}`).toEqual([]);
}

const reviewerOf = (org: string): Who => ({ sub: `rv-${org}`, role: 'reviewer', org });

describe('the union console', () => {
  it('approves the four-level chain (enterprise → township → county → city) entirely in the console', async () => {
    for (const [step, org] of TEXTILE_CHAIN.entries()) {
      const page = await consoleAs(reviewerOf(org), '/review');
      await page.getByRole('link', { name: `查看 ${chainApp.sequence}` }).click();
      await page.getByRole('heading', { name: /申请 \d+/ }).waitFor();
      if (step === 0) await expectAccessible(page, 'the application page');
      await page.getByRole('button', { name: '通过', exact: true }).click();
      // The API's answer, not the 3-second toast alone: a busy machine can miss a toast, never the answer.
      const decided = page.waitForResponse(
        (r) =>
          r.request().method() === 'POST' && r.url().endsWith(`/v1/applications/${chainApp.id}/decisions`),
      );
      await page.getByRole('dialog').getByRole('button', { name: '确定' }).click();
      expect((await decided).status()).toBe(200);
      await page.context().close();
    }
    const view = await expectOk(stack, 'getApplication', {
      token: chainApp.token,
      params: { id: chainApp.id },
    });
    expect(view.status).toBe('approved');
    expect(view.review.chain.map((s) => s.decision)).toEqual(['approve', 'approve', 'approve', 'approve']);
    // Four sign-ins and four decisions: ~30 s on an idle machine, more under load.
  }, 120_000);

  it('returns an application with a reason that the worker’s view then shows', async () => {
    const page = await consoleAs(reviewerOf(TEXTILE_CHAIN[0] as string), '/review');
    await expectAccessible(page, '待审核');
    await page.getByRole('link', { name: `查看 ${returnApp.sequence}` }).click();
    await page.getByRole('button', { name: '退回修改' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: '确定' }).click();
    await dialog.getByText('请填写理由').waitFor();
    await dialog.getByLabel('理由', { exact: true }).fill('学信网验证报告已过期，请重新上传');
    const decided = page.waitForResponse(
      (r) =>
        r.request().method() === 'POST' && r.url().endsWith(`/v1/applications/${returnApp.id}/decisions`),
    );
    await dialog.getByRole('button', { name: '确定' }).click();
    expect((await decided).status()).toBe(200);
    await page.context().close();
    const view = await expectOk(stack, 'getApplication', {
      token: returnApp.token,
      params: { id: returnApp.id },
    });
    expect(view.status).toBe('returned');
    expect(view.review.chain[0]?.reason).toBe('学信网验证报告已过期，请重新上传');
  });

  it('approves 20 applications at once with 批量通过', async () => {
    const page = await consoleAs(reviewerOf('lc-cp-wenzhuang-aluminium'), '/review');
    await page.getByRole('link', { name: /^查看/ }).nth(19).waitFor();
    // The filters ask the API for the whole queue: none of the 20 is for a bachelor's degree.
    const level = async (label: string) => {
      await page.getByLabel('学历层次').click();
      await page.locator('.ant-select-item-option').filter({ hasText: label }).click();
    };
    await level('本科');
    await page.getByText('暂无待审核的申请').waitFor();
    await level('大专');
    await page.getByRole('link', { name: /^查看/ }).nth(19).waitFor();
    // What was selected under one filter is dropped by the next: nothing is approved unseen.
    await page.getByRole('checkbox', { name: '全选' }).check();
    await level('本科');
    await page.getByText('暂无待审核的申请').waitFor();
    expect(await page.getByRole('button', { name: '批量通过' }).isDisabled()).toBe(true);
    await level('大专');
    await page.getByRole('link', { name: /^查看/ }).nth(19).waitFor();
    await page.getByRole('checkbox', { name: '全选' }).check();
    await page.getByRole('button', { name: '批量通过' }).click();
    await page.getByRole('dialog').getByText('确定通过所选的 20 件申请？').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await page.getByText('已通过 20 件').waitFor();
    await page.getByText('暂无待审核的申请').waitFor();
    await page.context().close();
    const next = await stack.token({ sub: 'rv-wz', role: 'reviewer', org: 'lc-cp-wenzhuang' });
    const queue = await expectOk(stack, 'reviewQueue', {
      token: next,
      query: { programmeId, limit: '100' },
    });
    expect(queue.items.map((a) => a.id).sort()).toEqual([...bulkApps].sort());
  });

  it('shows the API’s refusal of a reallocation below the claimed count, then moves places', async () => {
    const page = await consoleAs({ sub: 'admin-lc', role: 'admin', org: 'lc' }, '/quotas');
    await page.getByRole('heading', { name: '调剂名额' }).waitFor();
    await expectAccessible(page, '名额');
    const pick = async (label: string, option: string) => {
      await page.getByLabel(label).fill(option);
      await page.keyboard.press('Enter');
    };
    await pick('调出单位', '东昌府区');
    await pick('调入单位', '茌平区');
    await page.getByLabel('名额数').fill('10');
    await page.getByRole('button', { name: '调剂名额' }).click();
    await page.getByRole('alert').filter({ hasText: /名额/ }).waitFor();
    await page.getByLabel('名额数').fill('5');
    await page.getByRole('button', { name: '调剂名额' }).click();
    await page.getByText('已调剂 5 个名额').waitFor();
    await page.context().close();
    const board = await expectOk(stack, 'getQuotas', { params: { programmeId } });
    expect(board.units.map((u) => [u.unitOrgId, u.places])).toEqual([
      ['lc-dongchangfu', 5],
      ['lc-chiping', 35],
    ]);
  });

  it('creates a programme through the form, visible on the public board', async () => {
    const page = await consoleAs({ sub: 'admin-sd', role: 'admin', org: 'sd' }, '/programmes/new');
    await page.getByLabel('项目编号').fill('e2e-form');
    await page.getByLabel('项目名称').fill('表单创建的项目');
    await page.getByLabel('主办组织').fill('lc');
    await page.getByLabel('第 1 行 单位').fill('lc-kaifaqu');
    await page.getByLabel('第 1 行 名额').fill('0');
    await page.getByLabel('第 1 行 资助方').fill('sd');
    await expectAccessible(page, '新建项目');
    await page.getByRole('button', { name: '保存' }).click();
    // The API's message stands beside the cell it names.
    await page.getByRole('alert').filter({ hasText: '请按提示修改后再保存' }).waitFor();
    await page.getByText('名额必须是正整数').waitFor();
    await page.getByLabel('第 1 行 名额').fill('7');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('heading', { name: '项目管理' }).waitFor();
    await page.getByRole('cell', { name: '表单创建的项目', exact: true }).waitFor();
    await expectAccessible(page, '项目管理');
    await page.goto(`${stack.url}/`);
    await page.selectOption('#programme', 'e2e-form');
    await page.waitForFunction("document.querySelector('#quotas tbody td')?.textContent === '开发区'");
    expect(await page.$$eval('#quotas tbody tr', (trs) => trs.length)).toBe(1);
    await page.context().close();
  });

  it('starts a payout run, downloads its bank file, imports the results and follows it to succeeded', async () => {
    const page = await consoleAs({ sub: 'admin-lc', role: 'admin', org: 'lc' }, '/payouts');
    await page.getByRole('button', { name: '发起发放' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('1 件').waitFor();
    await dialog.getByRole('button', { name: '确定' }).click();
    await page.getByText('等待银行回单').waitFor({ timeout: 30_000 });
    await expectAccessible(page, '补助发放');
    const buttons = page.getByRole('button', { name: /^下载银行文件/ });
    const files = await buttons.count();
    expect(files).toBeGreaterThan(0);
    for (let i = 0; i < files; i++) {
      const [download] = await Promise.all([page.waitForEvent('download'), buttons.nth(i).click()]);
      const csv = readFileSync((await download.path()) as string, 'utf8');
      const keys = csv.match(/\b[0-9a-f]{40}\b/g) ?? [];
      expect(keys.length).toBeGreaterThan(0);
      const results = `业务编号,结果,银行流水号,失败原因\n${keys.map((k, n) => `${k},成功,BANK${n}`).join('\n')}\n`;
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page
          .getByRole('button', { name: /^导入银行回单/ })
          .nth(i)
          .click(),
      ]);
      await chooser.setFiles({ name: 'results.csv', mimeType: 'text/csv', buffer: Buffer.from(results) });
      await page
        .getByText(/已导入：成功 \d+ 笔/)
        .first()
        .waitFor();
    }
    await page.getByText('已完成').first().waitFor({ timeout: 30_000 });
    await page.context().close();
    const admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
    const runs = await expectOk(stack, 'listPayoutRuns', { token: admin, params: { programmeId } });
    expect(runs.items[0]?.status).toBe('succeeded');
    expect(runs.items[0]?.totals).toEqual([{ funderOrgId: 'sd', totalFen: 100_000 }]);
  });

  it('exports 待审核 to an .xlsx equal to what the API lists', async () => {
    const org = 'lc-cp-wenzhuang';
    const page = await consoleAs(reviewerOf(org), '/review');
    await page.getByRole('link', { name: /^查看/ }).nth(19).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '导出 Excel' }).click(),
    ]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path()) as string);
    const sheet = book.worksheets[0];
    const rows: unknown[][] = [];
    sheet?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]?.slice(0, 4)).toEqual(['受理号', '姓名', '身份证号', '工作单位']);
    const token = await stack.token({ sub: `rv-${org}`, role: 'reviewer', org });
    const queue = await expectOk(stack, 'reviewQueue', { token, query: { programmeId, limit: '100' } });
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3]])).toEqual(
      queue.items.map((a) => [a.sequence, a.applicant.name, a.applicant.idNumber, a.employerOrgId]),
    );
    // Numbers are numbers and times are dates.
    expect(typeof rows[1]?.[0]).toBe('number');
    expect(rows[1]?.[8]).toBeInstanceOf(Date);
    await page.context().close();
  });

  it('finds an application by 受理号 in 申请查询, with its status', async () => {
    const page = await consoleAs({ sub: 'admin-lc', role: 'admin', org: 'lc' }, '/applications');
    await page.getByRole('link', { name: /^查看/ }).first().waitFor();
    await expectAccessible(page, '申请查询');
    await page.getByRole('searchbox', { name: '姓名或受理号' }).fill(String(chainApp.sequence));
    await page.keyboard.press('Enter');
    // 受理号 count per allocation unit (architecture.md §3): other units may show the same number.
    const rows = page.getByRole('row').filter({ has: page.getByRole('link', { name: /^查看/ }) });
    await expect.poll(() => rows.count()).toBeLessThanOrEqual(2);
    await page.getByRole('cell', { name: '已通过', exact: true }).waitFor();
    expect(await rows.filter({ hasText: '已通过' }).count()).toBe(1);
    for (const row of await rows.all()) {
      expect(await row.getByRole('cell').first().textContent()).toContain(String(chainApp.sequence));
    }
    await page.context().close();
  });

  it('lists an org’s people for its admin, adds a reviewer by verified phone and removes them', async () => {
    // The account has signed in once with its verified number (GET /v1/me remembers it).
    const zhang = demoAccounts.find((a) => a.sub === 'worker-zhangwei');
    const { idToken } = await signInWithPkce(stack.oidc.issuer, {
      sub: 'worker-zhangwei',
      name: zhang?.name ?? '',
    });
    expect((await stack.call('GET', '/v1/me', { token: idToken })).status).toBe(200);

    const page = await consoleAs({ sub: 'admin-chiping', role: 'admin', org: 'lc-chiping' }, '/orgs');
    await page.getByRole('tree').getByText(/^茌平/).first().click();
    const people = page.getByRole('region', { name: '人员' });
    await people.getByRole('cell', { name: 'admin-chiping', exact: true }).waitFor();
    await people.getByLabel('手机号').fill(zhang?.phone ?? '');
    await people.getByRole('button', { name: '添加人员' }).click();
    const row = people.getByRole('row').filter({ hasText: 'worker-zhangwei' });
    await row.getByRole('cell', { name: '审核员', exact: true }).waitFor();
    await expectAccessible(page, '组织人员');
    await row.getByRole('button', { name: '移除' }).click();
    await page.getByRole('button', { name: '确定' }).click();
    await expect.poll(() => row.count()).toBe(0);
    await page.context().close();
  });

  it('lists the programme’s SMS in 短信记录 and an application’s SMS in its timeline', async () => {
    const page = await consoleAs({ sub: 'admin-lc', role: 'admin', org: 'lc' }, '/sms');
    await page.getByRole('heading', { name: '短信记录' }).waitFor();
    // Every submission queued its 受理通知 (sent, or waiting for the morning in quiet hours).
    await page.getByRole('cell', { name: '受理通知', exact: true }).first().waitFor();
    const statuses = await page.getByRole('row').filter({ hasText: '受理通知' }).allTextContents();
    expect(statuses.length).toBeGreaterThanOrEqual(22);
    for (const row of statuses) expect(row).toMatch(/已发送|待发送|发送中/);
    await expectAccessible(page, '短信记录');
    await page.goto(`${stack.url}/console/applications/${chainApp.id}`);
    await page
      .getByText(/短信：受理通知/)
      .first()
      .waitFor();
    await page
      .getByText(/短信：审核通过/)
      .first()
      .waitFor();
    await page.context().close();
  });

  it('shows a reviewer of another unit none of it', async () => {
    const page = await consoleAs(reviewerOf('lc-kaifaqu'), '/review');
    await page.getByText('暂无待审核的申请').waitFor();
    await page.goto(`${stack.url}/console/applications?programme=${programmeId}`);
    await page.getByText('暂无申请').waitFor();
    await page.goto(`${stack.url}/console/applications/${chainApp.id}`);
    await page.getByText('申请不存在').waitFor();
    await page.goto(`${stack.url}/console/stats?programme=${programmeId}`);
    await page.getByRole('heading', { name: '各单位申请' }).waitFor();
    await expectAccessible(page, '统计');
    expect(await page.getByRole('cell', { name: '东昌府区' }).count()).toBe(0);
    await page.goto(`${stack.url}/console/orgs`);
    await page.getByRole('tree').waitFor();
    await expectAccessible(page, '组织');
    await page.context().close();
  });
});
