import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

/** Where the provider is mounted on the local origin (discovery at `/oidc/.well-known/openid-configuration`). */
export const OIDC_MOUNT = '/oidc';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const INTERACTION = new RegExp(`^${OIDC_MOUNT}/interaction/([\\w-]+)(/login)?$`);

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function page(res: ServerResponse, uid: string, clientName: string, error?: string, sub = '') {
  const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · 求学圆梦行动</title>
<style>
  body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 24rem; margin: 2rem auto; padding: 0 1rem; color: #1f1f1f; }
  h1 { font-size: 1.4rem; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; margin-top: .3rem; }
  button { margin-top: 1.5rem; width: 100%; padding: .7rem; font-size: 1rem; background: #b71c1c; color: #fff; border: 0; border-radius: 4px; }
  .hint { color: #555; font-size: .9rem; }
  .error { color: #b71c1c; }
</style>
</head>
<body>
<main>
<h1>登录${escapeHtml(clientName)}</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${OIDC_MOUNT}/interaction/${escapeHtml(uid)}/login">
  <label for="sub">用户标识</label>
  <input id="sub" name="sub" autocomplete="username" required value="${escapeHtml(sub)}">
  <label for="password">密码</label>
  <input id="password" name="password" type="password" autocomplete="current-password">
  <label for="name">姓名</label>
  <input id="name" name="name" autocomplete="name">
  <p class="hint">本地演示环境：不填密码时，可按用户标识和姓名登录任意账号；能做什么仍由账号所属组织决定。</p>
  <button type="submit">登录</button>
</form>
</main>
</body>
</html>`;
  res.writeHead(error ? 400 : 200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

/** What the sign-in page needs of the local provider (`LocalOidc`). */
export interface SignInHost {
  provider: Provider;
  checkPassword(sub: string, password: string): unknown;
  rememberAdHoc(sub: string, name: string): void;
}

/**
 * The local provider's Chinese sign-in page (architecture.md §8): a demo account by 用户标识 and 密码,
 * or — local stage only — any account by 用户标识 and 姓名 without a password. `false` when the
 * request is not an interaction route (the provider serves it).
 */
export async function interactionRoute(
  oidc: SignInHost,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const match = INTERACTION.exec(url.pathname);
  if (!match) return false;
  const method = (req.method ?? 'GET').toUpperCase();
  let details: Awaited<ReturnType<typeof oidc.provider.interactionDetails>>;
  try {
    details = await oidc.provider.interactionDetails(req, res);
  } catch {
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><p>登录会话已过期，请返回重新登录。</p></html>',
    );
    return true;
  }
  const clientName = '求学圆梦行动';
  if (!match[2]) {
    if (method !== 'GET') return false;
    if (details.prompt.name === 'login') {
      page(res, details.uid, clientName);
    } else {
      // The platform's own client: what it asks for is granted without a consent screen.
      const grant = new oidc.provider.Grant({
        clientId: String(details.params.client_id),
        accountId: String(details.session?.accountId),
      });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      await oidc.provider.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        {
          mergeWithLastSubmission: true,
        },
      );
    }
    return true;
  }
  if (method !== 'POST') return false;
  const form = await formOf(req);
  const sub = (form.get('sub') ?? '').trim();
  const password = form.get('password') ?? '';
  const name = (form.get('name') ?? '').trim();
  if (!sub || sub.length > 128) {
    page(res, details.uid, clientName, '请填写用户标识');
    return true;
  }
  if (password) {
    if (!oidc.checkPassword(sub, password)) {
      page(res, details.uid, clientName, '用户标识或密码不正确', sub);
      return true;
    }
  } else {
    if (!name || name.length > 64) {
      page(res, details.uid, clientName, '请填写密码，或（本地演示）填写姓名', sub);
      return true;
    }
    oidc.rememberAdHoc(sub, name);
  }
  await oidc.provider.interactionFinished(
    req,
    res,
    { login: { accountId: sub } },
    {
      mergeWithLastSubmission: false,
    },
  );
  return true;
}
