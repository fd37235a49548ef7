import { createHash, randomBytes } from 'node:crypto';

/** The local provider's public client (infra/local/oidc/provider.ts). */
export const WEB_CLIENT_ID = 'edu-subsidy-web';

/** A cookie jar as small as a browser's for one origin: names and values, paths ignored. */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (!pair || at < 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface SignInResult {
  idToken: string;
  accessToken: string;
  /** The redirect the provider sent the browser back to, with `code` and `state`. */
  callback: URL;
}

/**
 * Signs in as a client would, with plain fetch: discovery, the authorization request with a PKCE
 * S256 challenge, the provider's sign-in form (password, or 用户标识 and 姓名 on the local stage),
 * then the code exchanged with the verifier at the token endpoint.
 */
export async function signInWithPkce(
  issuer: string,
  who: { sub: string; password?: string; name?: string },
  options: { redirectUri?: string } = {},
): Promise<SignInResult> {
  const granted = await authorizeWithPkce(issuer, who, options);
  const tokens = await exchangeCode(granted, granted.verifier);
  if (!tokens.ok) throw new Error(`token endpoint answered ${tokens.status}: ${JSON.stringify(tokens.body)}`);
  return { ...tokens.tokens, callback: granted.callback };
}

export interface AuthorizationCode {
  code: string;
  verifier: string;
  redirectUri: string;
  tokenEndpoint: string;
  callback: URL;
}

/** The first half of {@link signInWithPkce}: up to the code the provider redirects back with. */
export async function authorizeWithPkce(
  issuer: string,
  who: { sub: string; password?: string; name?: string },
  options: { redirectUri?: string } = {},
): Promise<AuthorizationCode> {
  const jar = new Jar();
  const origin = new URL(issuer).origin;
  const redirectUri = options.redirectUri ?? `${origin}/console/`;
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('hex');
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: WEB_CLIENT_ID,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile phone',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(8).toString('hex'),
  }).toString();

  const go = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(url, origin), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.take(res);
    return res;
  };
  let res = await go(authorize.href);
  let location = res.headers.get('location');
  if (res.status !== 303 || !location)
    throw new Error(`authorization answered ${res.status}: ${await res.text()}`);
  const page = await go(location);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no sign-in form at ${location}: ${page.status}`);
  const form = new URLSearchParams({ sub: who.sub, password: who.password ?? '', name: who.name ?? '' });
  res = await go(action, {
    method: 'POST',
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  location = res.headers.get('location');
  // Follow the provider's redirects (resume, and any interaction it needs) back to the client.
  for (let hops = 0; location && !location.startsWith(redirectUri) && hops < 6; hops++) {
    if (res.status >= 400) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
    res = await go(location);
    location = res.headers.get('location');
  }
  if (!location) throw new Error(`sign-in ended with ${res.status}: ${await res.text()}`);
  const callback = new URL(location);
  if (callback.searchParams.get('state') !== state) throw new Error('state changed on the way back');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, verifier, redirectUri, tokenEndpoint: discovery.token_endpoint, callback };
}

/** The code exchanged at the token endpoint with a PKCE verifier (the right one, or not). */
export async function exchangeCode(granted: AuthorizationCode, verifier: string) {
  const res = await fetch(granted.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: granted.code,
      redirect_uri: granted.redirectUri,
      client_id: WEB_CLIENT_ID,
      code_verifier: verifier,
    }).toString(),
  });
  const body = (await res.json()) as { id_token?: string; access_token?: string; error?: string };
  return {
    ok: res.ok && body.id_token !== undefined && body.access_token !== undefined,
    status: res.status,
    body,
    tokens: { idToken: body.id_token ?? '', accessToken: body.access_token ?? '' },
  };
}
