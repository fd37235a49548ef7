import { crc32, deflateSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addMonths, shanghaiDate } from '../../shared/domain/dates.ts';
import { bankCardFor, idNumberFor } from './fixtures.ts';

/**
 * The worker pages driven as a worker on a phone does (architecture.md §7), shared by the browser
 * tests and the screenshots: a 360×740 touch viewport, the words of the UI, real files.
 */

/** A phone: 360×740, touch, as the worker pages are built for. */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
}

/** The demo programme the seed opens today (infra/seed): its id and enrolment year. */
export async function demoProgramme(baseUrl: string): Promise<{ id: string; enrolmentYear: number }> {
  const res = await fetch(`${baseUrl}/v1/programmes`);
  const body = (await res.json()) as { programmes: { id: string }[] };
  const id = body.programmes.find((p) => p.id.startsWith('demo-'))?.id;
  if (!id) throw new Error('the seed has no demo programme');
  const one = (await (await fetch(`${baseUrl}/v1/programmes/${id}`)).json()) as { enrolmentYear: number };
  return { id, enrolmentYear: one.enrolmentYear };
}

/** A genuine PNG of `width`×`height` RGB pixels; `noise` makes it incompressible (a large photo). */
export function makePng(width: number, height: number, noise = false): Buffer {
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0;
    for (let x = 0; x < width * 3; x++) {
      if (noise) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        raw[y * row + 1 + x] = seed >>> 24;
      } else raw[y * row + 1 + x] = (x * 7 + y * 3) & 0xff;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: noise ? 0 : 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A genuine JPEG, drawn and encoded by the browser's own canvas. */
export async function makeJpeg(page: Page): Promise<Buffer> {
  // A string, evaluated in the page: the test's own TypeScript has no DOM.
  const dataUrl = await page.evaluate<string>(`(() => {
    const c = document.createElement('canvas');
    c.width = 640;
    c.height = 400;
    const g = c.getContext('2d');
    g.fillStyle = '#e8d9b0';
    g.fillRect(0, 0, 640, 400);
    g.fillStyle = '#333';
    g.font = '40px sans-serif';
    g.fillText('ID CARD', 40, 120);
    return c.toDataURL('image/jpeg', 0.9);
  })()`);
  return Buffer.from(dataUrl.split(',')[1] ?? '', 'base64');
}

/** A genuine PDF, printed by Chromium from a small page. */
export async function makePdf(browser: Browser): Promise<Buffer> {
  const page = await browser.newPage();
  await page.setContent('<h1>CHSI report</h1><p>verification code A1B2C3D4E5</p>');
  const pdf = await page.pdf({ format: 'A4' });
  await page.close();
  return pdf;
}

export interface Person {
  n: number;
  name: string;
}

type Employer = { search: string; name: string } | { trail: string[]; name: string };

/** The sections 基本信息 to 收款账户 filled in, leaving the page on 上传材料 with the draft saved. */
export async function fillSections(
  page: Page,
  person: Person,
  options: { enrolmentYear: number; employer: Employer },
): Promise<void> {
  await fillBasics(page, person);
  await chooseEmployer(page, options.employer);
  await fillEnrolment(page, person, options.enrolmentYear);
  await fillPayout(page, person);
}

/** 基本信息 filled in and saved, leaving the page on 工作单位. */
export async function fillBasics(page: Page, person: Person): Promise<void> {
  await page.getByLabel('姓名', { exact: true }).fill(person.name);
  await page.getByLabel('身份证号', { exact: true }).fill(idNumberFor(person.n));
  await page.getByLabel('手机号', { exact: true }).fill(`139${String(person.n).padStart(8, '0')}`);
  await page.getByLabel('职务层级').selectOption('frontline');
  await page.getByLabel('岗位', { exact: true }).fill('数控车床操作工');
  await page.getByRole('button', { name: '保存，下一步' }).click();
  await page.getByRole('heading', { name: /工作单位/ }).waitFor();
}

/** 工作单位 chosen by search or by walking the tree and saved, leaving the page on 报读信息. */
export async function chooseEmployer(page: Page, employer: Employer): Promise<void> {
  if ('search' in employer) {
    await page.getByPlaceholder('输入单位名称搜索').fill(employer.search);
  } else {
    for (const step of employer.trail) await page.getByText(step, { exact: true }).click();
  }
  await page.getByText(employer.name, { exact: true }).click();
  await page.getByText(`已选择：${employer.name}`).waitFor();
  await page.getByRole('button', { name: '保存，下一步' }).click();
  await page.getByRole('heading', { name: /报读信息/ }).waitFor();
}

/** A 大专 offering of the seeded catalogue: searched for by `search`, listed as `name`. */
export const seededOffering = { search: '数控', name: '聊城职业技术学院 数控技术' };

/**
 * 报读信息 filled in (eligible) and saved, leaving the page on 收款账户: the major chosen from the
 * catalogue (选学), or, with `declared`, another institution named by the worker (非合作院校).
 */
export async function fillEnrolment(
  page: Page,
  person: Person,
  enrolmentYear: number,
  options: { declared?: { institution: string; major: string } } = {},
): Promise<void> {
  const today = shanghaiDate(new Date());
  await page.getByLabel('学历层次').selectOption('junior_college');
  if (options.declared) {
    await page.getByLabel('我报读的院校不在目录中（非合作院校）').check();
    await page.getByLabel('院校', { exact: true }).fill(options.declared.institution);
    await page.getByLabel('专业', { exact: true }).fill(options.declared.major);
  } else {
    await page.getByPlaceholder('输入院校或专业搜索').fill(seededOffering.search);
    await page.getByText(seededOffering.name, { exact: true }).click();
    await page.getByText(`已选择：${seededOffering.name}`).waitFor();
  }
  await page.getByLabel('入学日期').fill(`${enrolmentYear}-03-01`);
  await page.getByLabel('学信网在线验证码').fill(`A1B2C3D4${String(person.n).padStart(6, '0')}`);
  await page.getByLabel('验证报告有效期至').fill(addMonths(today, 12));
  await page.getByLabel('专业与岗位关系说明').fill('所学专业与数控加工岗位直接相关');
  await page.getByText('符合申请条件').waitFor();
  await page.getByRole('button', { name: '保存，下一步' }).click();
  await page.getByRole('heading', { name: /收款账户/ }).waitFor();
}

/** 收款账户 filled in: the draft is created, leaving the page on 上传材料. */
export async function fillPayout(page: Page, person: Person): Promise<void> {
  await page.getByLabel('开户行').fill('中国工商银行聊城分行');
  await page.getByLabel('户名').fill(person.name);
  await page.getByLabel('银行卡号').fill(bankCardFor(person.n));
  await page.getByRole('button', { name: '保存并上传材料' }).click();
  await page.getByRole('heading', { name: /上传材料/ }).waitFor();
}

export type DocumentFiles = Record<
  'application_form' | 'chsi_report' | 'id_card_front' | 'id_card_back' | 'payout_proof',
  { name: string; mimeType: string; buffer: Buffer }
>;

const documentNames: Record<keyof DocumentFiles, string> = {
  application_form: '申请表（单位工会盖章）',
  chsi_report: '学信网学籍在线验证报告',
  id_card_front: '身份证正面',
  id_card_back: '身份证反面',
  payout_proof: '银行卡或钱包账号截图',
};

/**
 * Waits until the element at `selector` shows `text`; a timeout names what it showed instead.
 * (Plain polling, not vitest's: the screenshots run these flows outside a test.)
 */
async function sectionShows(page: Page, selector: string, text: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < until) {
    seen = (await page.locator(selector).textContent()) ?? '';
    if (seen.includes(text)) return;
    await page.waitForTimeout(200);
  }
  throw new Error(`${selector} never showed ${text}; it showed: ${seen}`);
}

/** Chooses each document from the album, one after the other, and waits for all five verdicts. */
export async function uploadDocuments(page: Page, files: DocumentFiles): Promise<void> {
  for (const [kind, file] of Object.entries(files) as [
    keyof DocumentFiles,
    DocumentFiles[keyof DocumentFiles],
  ][]) {
    await page.getByLabel(`${documentNames[kind]}：从相册或文件选择`).setInputFiles(file);
    await sectionShows(page, `[data-kind="${kind}"]`, '已核验');
  }
}

/** Small genuine files of every type the API takes (R11): PNG, JPEG and PDF. */
export async function smallDocuments(browser: Browser, page: Page): Promise<DocumentFiles> {
  const png = makePng(320, 200);
  const jpeg = await makeJpeg(page);
  const pdf = await makePdf(browser);
  return {
    application_form: { name: 'form.png', mimeType: 'image/png', buffer: png },
    chsi_report: { name: 'chsi.pdf', mimeType: 'application/pdf', buffer: pdf },
    id_card_front: { name: 'front.jpg', mimeType: 'image/jpeg', buffer: jpeg },
    id_card_back: { name: 'back.jpg', mimeType: 'image/jpeg', buffer: jpeg },
    payout_proof: { name: 'card.png', mimeType: 'image/png', buffer: png },
  };
}
