import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../integration/harness.ts';
import {
  approvedApplication,
  expectOk,
  runReaching,
  settledAttachments,
  submittedApplication,
  uploadAllDocuments,
} from '../support/api.ts';
import { seriousAxeViolations } from '../support/axe.ts';
import { launchBrowser, signIn } from '../support/browser.ts';
import { draftBody, idNumberFor } from '../support/fixtures.ts';
import { fastPayoutRetries } from '../support/payout-run.ts';
import { pdfText } from '../support/pdf-text.ts';
import {
  chooseEmployer,
  demoProgramme,
  fillBasics,
  fillEnrolment,
  fillPayout,
  fillSections,
  makePng,
  phoneContext,
  seededOffering,
  smallDocuments,
  uploadDocuments,
} from '../support/worker-flow.ts';

/**
 * The worker pages (issue 14, architecture.md §7) in Debian's Chromium on a 360×740 touch screen,
 * through the real local stack and its seeded demo programme, in the UI's own words.
 */

let stack: TestStack;
let browser: Browser;
let programme: { id: string; enrolmentYear: number };

beforeAll(async () => {
  stack = await startTestStack({ workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false } });
  browser = await launchBrowser();
  programme = await demoProgramme(stack.url);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function workerPage(sub: string, name: string): Promise<Page> {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await signIn(page, `${stack.url}/m/`, { sub, name, role: 'worker' });
  return page;
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

const apply = (n: number, sub: string, employerOrgId: string) => ({
  n,
  sub,
  programmeId: programme.id,
  employerOrgId,
  enrolmentYear: programme.enrolmentYear,
});

describe('a worker applies from a phone', () => {
  let first: Page;
  let firstId: string;
  let firstSequence: string;

  it('completes the whole application: checks while typing, real files, a 12 MB photo compressed, an interrupted upload retried, the receipt and the place', async () => {
    // 市直属单位 has two places: someone took one already, this worker takes the last.
    await submittedApplication(stack, apply(900, 'e2e-earlier', 'lc-sz-transit'));
    first = await workerPage('e2e-worker-a', '张晓红');

    // Home: the open programme, its window, the places left per unit and whom to call (R16).
    await first.getByRole('heading', { name: '各单位剩余名额' }).waitFor();
    await first.getByText('剩余 1 个').waitFor();
    await expect.poll(() => first.getByRole('link', { name: '4000123318' }).isVisible()).toBe(true);
    await expectAccessible(first);

    await first.getByRole('button', { name: '我要申请' }).click();
    await first.getByRole('heading', { name: /基本信息/ }).waitFor();
    // As the worker types, the server's own rules answer (GB 11643 check digit, mobile).
    await first.getByLabel('身份证号', { exact: true }).fill('371502198501010011');
    await first.getByText('身份证号校验码不对，请逐位核对').waitFor();
    await first.getByLabel('手机号', { exact: true }).fill('1234');
    await first.getByText('手机号须为11位中国大陆手机号').waitFor();
    await expectAccessible(first);

    await fillSections(
      first,
      { n: 901, name: '张晓红' },
      {
        enrolmentYear: programme.enrolmentYear,
        employer: { search: '供电', name: '市直供电服务中心工会（演示）' },
      },
    );
    firstId = new URL(first.url()).pathname.split('/')[3] ?? '';
    expect(firstId).toMatch(/^[a-z0-9]{8,40}$/);
    // 选学: the major was chosen from the catalogue, so every reviewer sees a partner institution.
    const chosen = await expectOk(stack, 'getApplication', {
      token: await stack.token({ sub: 'e2e-worker-a', role: 'worker' }),
      params: { id: firstId },
    });
    expect(chosen.enrolment).toMatchObject({
      institution: '聊城职业技术学院',
      major: '数控技术',
      level: 'junior_college',
      nonPartner: false,
    });
    await expectAccessible(first);

    // The first POST to the S3 emulator drops, as a patchy network does; the page asks for a fresh form.
    let aborted = 0;
    let s3Posts = 0;
    await first.route(
      (url) => url.origin !== new URL(stack.url).origin,
      async (route) => {
        if (route.request().method() === 'POST') {
          s3Posts++;
          if (aborted === 0) {
            aborted++;
            await route.abort('connectionreset');
            return;
          }
        }
        await route.continue();
      },
    );
    const files = await smallDocuments(browser, first);
    const bigPhoto = makePng(2100, 2000, true);
    expect(bigPhoto.length).toBeGreaterThan(12 * 1024 * 1024);
    await uploadDocuments(first, {
      ...files,
      application_form: { name: 'stamped-form.png', mimeType: 'image/png', buffer: bigPhoto },
    });
    await first.getByText(/照片已压缩：12\.\d MB →/).waitFor();
    expect(aborted).toBe(1);
    expect(s3Posts).toBe(6);
    const token = await stack.token({ sub: 'e2e-worker-a', role: 'worker' });
    // The aborted attempt's form was never used: it stays pending and never counts.
    const { attachments } = await expectOk(stack, 'getApplication', { token, params: { id: firstId } });
    expect(attachments.filter((a) => a.status === 'pending')).toHaveLength(1);
    const form = attachments.filter((a) => a.kind === 'application_form' && a.status === 'verified');
    expect(form).toHaveLength(1);
    expect(form[0]?.sizeBytes).toBeLessThan(10 * 1024 * 1024);
    expect(form[0]?.contentType).toBe('image/jpeg');
    expect(new Set(attachments.filter((a) => a.status === 'verified').map((a) => a.contentType))).toEqual(
      new Set(['image/jpeg', 'image/png', 'application/pdf']),
    );
    await expectAccessible(first);

    await first.getByRole('button', { name: '下一步' }).click();
    await first.getByRole('heading', { name: /确认提交/ }).waitFor();
    await first.getByText('符合申请条件').waitFor();
    await expectAccessible(first);
    await first.getByRole('button', { name: '提交申请' }).click();

    const receipt = first.getByRole('status', { name: '受理回执' });
    await receipt.waitFor();
    const receiptText = (await receipt.textContent()) ?? '';
    firstSequence = /受理号 (\d+)/.exec(receiptText)?.[1] ?? '';
    expect(firstSequence).not.toBe('');
    expect(receiptText).toContain('已占名额');
    expect(receiptText).toMatch(/回执摘要 \S{16,}/);
    await expectAccessible(first);
  });

  it('prints the 申请表: an A4 PDF that holds the applicant’s name and 受理号', async () => {
    await first.getByRole('link', { name: '打印申请表' }).click();
    const sheet = first.getByRole('article', { name: '申请表' });
    await sheet.waitFor();
    await first.getByRole('img', { name: /二维码/ }).waitFor();
    expect(await sheet.textContent()).toContain(`受理号：${firstSequence}`);
    await expectAccessible(first);
    await first.emulateMedia({ media: 'print' });
    const pdf = await first.pdf({ format: 'A4', printBackground: true });
    await first.emulateMedia({ media: 'screen' });
    const { text, size, pages } = await pdfText(pdf);
    // A4 is 595.3 × 841.9 points; Chromium rounds to whole pixels at 96 dpi.
    expect(Math.abs(size[0] - 595.3)).toBeLessThan(1.5);
    expect(Math.abs(size[1] - 841.9)).toBeLessThan(1.5);
    expect(pages).toBe(1);
    expect(text.replace(/\s/g, '')).toContain('张晓红');
    expect(text.replace(/\s/g, '')).toContain(`受理号：${firstSequence}`);
  });

  it('a second worker is waitlisted, sees the position, and is promoted when the first withdraws', async () => {
    // The second worker's draft and documents came from another phone earlier; here it submits.
    const token = await stack.token({ sub: 'e2e-worker-b', role: 'worker' });
    const draft = await expectOk(stack, 'createApplication', {
      token,
      body: draftBody(902, apply(902, 'e2e-worker-b', 'lc-sz-power')),
    });
    await uploadAllDocuments(stack, token, draft.id);
    await settledAttachments(stack, { token, id: draft.id });

    const second = await workerPage('e2e-worker-b', '李建国');
    await second.goto(`${stack.url}/m/apply/${programme.id}`);
    // The saved draft resumes where the worker left it: every document in, at 确认提交.
    await second.getByRole('heading', { name: /确认提交/ }).waitFor();
    await second.getByRole('button', { name: '提交申请' }).click();
    const receipt = second.getByRole('status', { name: '受理回执' });
    await receipt.getByText('候补第 1 位').waitFor();
    await expectAccessible(second);

    await first.goto(`${stack.url}/m/applications/${firstId}`);
    await first.getByRole('button', { name: '撤回申请' }).click();
    const dialog = first.getByRole('dialog');
    await dialog.getByText('名额将让给下一位候补的职工').waitFor();
    await dialog.getByRole('button', { name: '确定撤回' }).click();
    await first.getByText('已撤回').first().waitFor();

    // The waitlisted worker's page follows the place live.
    await expect
      .poll(() => second.locator('.w-place').textContent(), { timeout: 20_000, interval: 500 })
      .toBe('已占名额');
    await second.getByText('前面有人让出名额，由候补转为已占名额').waitFor();
  });

  it('a returned application shows the reason, is corrected and resubmitted, keeping its receipt', async () => {
    const { id, token, submit } = await submittedApplication(
      stack,
      apply(903, 'e2e-worker-c', 'lc-dcf-gucheng-textile'),
    );
    const view = await expectOk(stack, 'getApplication', { token, params: { id } });
    const org = view.review.currentOrgId as string;
    const reviewer = await stack.token({ sub: `reviewer-${org}`, role: 'reviewer', org });
    await expectOk(stack, 'decideApplication', {
      token: reviewer,
      params: { id },
      body: { decision: 'return', reason: '岗位名称请写全称' },
    });

    const page = await workerPage('e2e-worker-c', '职工903');
    await page.getByRole('link', { name: '我的申请' }).click();
    await page.getByRole('link', { name: new RegExp(`受理号 ${submit.body.receipt.sequence}`) }).click();
    await page.getByRole('link', { name: '修改后重新提交' }).click();
    await page.getByRole('note').getByText('岗位名称请写全称').waitFor();
    await expectAccessible(page);
    await page.getByLabel('岗位', { exact: true }).fill('数控车床操作工（高级）');
    await page.getByRole('button', { name: '保存，下一步' }).click();
    await page.getByRole('heading', { name: /工作单位/ }).waitFor();
    await page.getByRole('button', { name: '确认提交' }).click();
    await page.getByRole('button', { name: '修改后重新提交' }).click();
    await page.getByText('审核中').first().waitFor();
    await page.getByText(`受理号：${submit.body.receipt.sequence}`).waitFor();
    // The SMS that told the worker of the return is in 办理记录 (sent, or waiting out quiet hours).
    await page.getByText(/短信退回修改通知(已发送|待发送)/).waitFor();
    const after = await expectOk(stack, 'getApplication', { token, params: { id } });
    expect(after.status).toBe('in_review');
    expect(after.jobTitle).toBe('数控车床操作工（高级）');
    expect(after.receipt).toEqual(submit.body.receipt);
  });

  it('closes WeChat at 收款账户 and, on another phone, resumes there with every saved step', async () => {
    const person = { n: 905, name: '王秀英' };
    const declared = { institution: '山东科技大学', major: '机械电子工程' };
    const phone1 = await workerPage('e2e-worker-e', person.name);
    await phone1.getByRole('button', { name: '我要申请' }).click();
    await phone1.getByRole('heading', { name: /基本信息/ }).waitFor();
    await fillBasics(phone1, person);
    // The catalogue cannot be reached (after the page's own retries): it says so and offers 重试.
    const offline = (route: Route) => route.abort('internetdisconnected');
    await phone1.route('**/offerings?**', offline);
    await chooseEmployer(phone1, { trail: ['东昌府区', '古城镇工会'], name: '古城纺织有限公司工会（演示）' });
    await phone1.getByText('加载失败').waitFor({ timeout: 20_000 });
    await phone1.unroute('**/offerings?**', offline);
    await phone1.getByRole('button', { name: '重试' }).click();
    await phone1.getByText(seededOffering.name, { exact: true }).waitFor();
    await fillEnrolment(phone1, person, programme.enrolmentYear, { declared });
    // WeChat closed: nothing of the page survives, not even its browser storage.
    await phone1.context().close();

    const phone2 = await workerPage('e2e-worker-e', person.name);
    await phone2.getByRole('button', { name: '我要申请' }).click();
    await phone2.getByRole('heading', { name: /收款账户/ }).waitFor();
    await expectAccessible(phone2);
    // What the earlier steps saved is there: the name, the ID number kept (masked), the employer, the enrolment.
    await phone2.getByRole('button', { name: '基本信息' }).click();
    expect(await phone2.getByLabel('姓名', { exact: true }).inputValue()).toBe(person.name);
    expect(await phone2.getByLabel('岗位', { exact: true }).inputValue()).toBe('数控车床操作工');
    await phone2.getByText(/已保存 3715\*{10}\d{3}[\dX]/).waitFor();
    expect(await phone2.getByLabel('手机号', { exact: true }).getAttribute('placeholder')).toBe(
      '139****0905',
    );
    await phone2.getByRole('button', { name: '保存，下一步' }).click();
    await phone2.getByText('已选择：古城纺织有限公司工会（演示）').waitFor();
    await phone2.getByRole('button', { name: '保存，下一步' }).click();
    await phone2.getByRole('heading', { name: /报读信息/ }).waitFor();
    expect(await phone2.getByLabel('院校', { exact: true }).inputValue()).toBe(declared.institution);
    expect(await phone2.getByLabel('专业', { exact: true }).inputValue()).toBe(declared.major);
    await phone2.getByRole('button', { name: '保存，下一步' }).click();
    await phone2.getByRole('heading', { name: /收款账户/ }).waitFor();
    await fillPayout(phone2, person);

    // 收款账户 made the draft from the saved form, with the ID number typed on the first phone.
    const token = await stack.token({ sub: 'e2e-worker-e', role: 'worker' });
    const { applications } = await expectOk(stack, 'listMyApplications', { token, query: {} });
    expect(applications.map((a) => [a.status, a.applicant.name, a.employerOrgId])).toEqual([
      ['draft', person.name, 'lc-dcf-gucheng-textile'],
    ]);
    expect(applications[0]?.applicant.idNumber).toBe(
      `${idNumberFor(person.n).slice(0, 4)}**********${idNumberFor(person.n).slice(-4)}`,
    );
    expect(applications[0]?.enrolment).toMatchObject({ ...declared, nonPartner: true });
    const form = await stack.call('GET', `/v1/me/application-forms/${programme.id}`, { token });
    expect(form.status).toBe(404);
  });

  it('a payout shows on 发放记录 with each funder’s share', async () => {
    const { id } = await approvedApplication(stack, apply(904, 'e2e-worker-d', 'lc-dcf-machinery'));
    const admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
    const started = await stack.call('POST', `/v1/programmes/${programme.id}/payout-runs`, {
      token: admin,
      body: {},
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect((await runReaching(stack, admin, started.body.runId)).status).toBe('succeeded');

    const page = await workerPage('e2e-worker-d', '职工904');
    await page.goto(`${stack.url}/m/applications/${id}`);
    const payments = page.getByRole('region', { name: '发放记录' });
    await payments.getByText('已到账').waitFor();
    const shares = payments.getByRole('list', { name: '资金来源' });
    await expect.poll(() => shares.textContent()).toContain('山东省总工会 1,000.00 元');
    expect(await shares.textContent()).toContain('聊城市总工会 1,000.00 元');
    expect(await shares.textContent()).toContain('东昌府区 500.00 元');
    await page.getByRole('region', { name: '审核进度' }).getByText('已通过').first().waitFor();
    await expectAccessible(page);
  });
});
