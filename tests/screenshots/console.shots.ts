import { join } from 'node:path';
import { attachmentKinds } from '../../shared/domain/documents.ts';
import { signIn } from '../support/browser.ts';
import { draftBody, postUpload, sampleFiles } from '../support/fixtures.ts';
import type { ShotsContext } from './run.ts';

type Stack = ShotsContext['stack'];

async function call(stack: Stack, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A few submitted applications in the demo programme (documents verified), so the pages show rows. */
async function seedApplications(stack: Stack, programmeId: string, enrolmentYear: number) {
  const employers = ['lc-dcf-gucheng-textile', 'lc-cp-wenzhuang-aluminium'];
  for (let n = 0; n < 8; n++) {
    const token = await stack.auth.issue({ sub: `shots-worker-${n}`, role: 'worker' });
    const draft = await call(stack, 'POST', '/v1/applications', token, {
      ...draftBody(9000 + n, { programmeId, employerOrgId: employers[n % 2] as string, enrolmentYear }),
      applicant: {
        ...draftBody(9000 + n, { programmeId, employerOrgId: '', enrolmentYear }).applicant,
        name: ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强'][n],
      },
    });
    const id = draft.id as string;
    for (const kind of attachmentKinds) {
      const form = await call(stack, 'POST', `/v1/applications/${id}/attachments`, token, {
        kind,
        contentType: 'image/png',
        sizeBytes: sampleFiles['image/png'].length,
      });
      await postUpload(form.upload as never, sampleFiles['image/png'], 'image/png');
    }
    for (let i = 0; i < 100; i++) {
      const view = await call(stack, 'GET', `/v1/applications/${id}`, token);
      if ((view.attachments as { status: string }[]).every((a) => a.status !== 'pending')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await call(stack, 'POST', `/v1/applications/${id}/submit`, token);
  }
}

/** The union console's pages with a few applications in the demo programme (README "Web apps"). */
export async function shoot({ browser, baseUrl, outDir, stack }: ShotsContext): Promise<void> {
  const programmes = (await (await fetch(`${baseUrl}/v1/programmes`)).json()) as {
    programmes: { id: string; enrolmentYear: number }[];
  };
  const demo = programmes.programmes.find((p) => p.id.startsWith('demo-'));
  if (demo) await seedApplications(stack, demo.id, demo.enrolmentYear);
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
  const page = await context.newPage();
  // The enterprise union's reviewer sees the queue and an application; the city admin the rest.
  await signIn(page, `${baseUrl}/console/`, {
    sub: 'demo-reviewer',
    name: '古城镇纺织厂工会审核员',
    role: 'reviewer',
    org: 'lc-dcf-gucheng-textile',
  });
  await page.goto(`${baseUrl}/console/review`);
  await page.getByRole('link', { name: /^查看/ }).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(outDir, 'console-review.png'), fullPage: true });
  await page.getByRole('link', { name: /^查看/ }).first().click();
  await page.getByRole('heading', { name: /申请 \d+/ }).waitFor({ timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(outDir, 'console-application.png'), fullPage: true });
  await context.close();
  // The city admin in a browser of their own (the reviewer's provider session stays in the first).
  const adminContext = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, `${baseUrl}/console/`, {
    sub: 'demo-admin',
    name: '聊城市总工会管理员',
    role: 'admin',
    org: 'lc',
  });
  const shots: [path: string, file: string, ready: string][] = [
    ['/applications', 'console-applications.png', '申请查询'],
    ['/quotas', 'console-quotas.png', '调剂名额'],
    ['/programmes', 'console-programmes.png', '项目管理'],
    ['/programmes/new', 'console-programme-new.png', '新建项目'],
    ['/payouts', 'console-payouts.png', '补助发放'],
    ['/orgs', 'console-orgs.png', '组织'],
    ['/stats', 'console-stats.png', '各单位申请'],
    ['/sms', 'console-sms.png', '短信记录'],
  ];
  for (const [path, file, heading] of shots) {
    await adminPage.goto(`${baseUrl}/console${path}`);
    await adminPage.getByRole('heading', { name: heading }).first().waitFor({ timeout: 30_000 });
    await adminPage.waitForLoadState('networkidle');
    await adminPage.screenshot({ path: join(outDir, file), fullPage: true });
  }
  await adminContext.close();
}
