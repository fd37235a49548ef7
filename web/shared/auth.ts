import type { User, UserManager } from 'oidc-client-ts';
import { runtimeConfig } from './runtime-config.ts';

/**
 * The one sign-in module of the union console and the worker pages (architecture.md §8): the
 * authorization code with PKCE (oidc-client-ts) against whatever issuer `/runtime-config.json`
 * names — the local `oidc-provider`, Cognito or the deployment's own — the same code path
 * everywhere. Everything else asks this module for the session and the request headers. The
 * session lives in this tab's sessionStorage and holds nothing personal beyond the ID token and the
 * name to greet; what the account may do is its memberships, which the API reads.
 */
export interface Session {
  /** The issuer's ID token, sent as the bearer token (its `aud` is the client id, as the API expects). */
  token: string;
  sub: string;
  name: string;
  /** The org this tab acts for (`X-Acting-Org`), when the account belongs to several. */
  org?: string;
}

const SESSION_KEY = 'edu-subsidy.session';
/** oidc-client-ts keeps a sign-in's state (PKCE verifier, nonce) under this prefix until the callback. */
const STATE_PREFIX = 'edu-subsidy.oidc.';

/** The app a page belongs to (`/console/` or `/m/`): where the issuer sends the code back. */
function appRoot(): string {
  const first = location.pathname.split('/')[1];
  return `${location.origin}/${first ? `${first}/` : ''}`;
}

let manager: Promise<UserManager> | undefined;
/**
 * The OIDC client, loaded only to sign in or to finish a sign-in: a page opened with a session in
 * this tab never downloads it (the console's first load, docs/benchmarks.md).
 */
function userManager(): Promise<UserManager> {
  manager ??= Promise.all([runtimeConfig(), import('oidc-client-ts')]).then(([config, oidc]) => {
    const { InMemoryWebStorage, UserManager, WebStorageStateStore } = oidc;
    if (config.auth.kind !== 'oidc') {
      throw new Error(`sign-in kind ${config.auth.kind} is not supported by this build`);
    }
    return new UserManager({
      authority: config.auth.issuer,
      client_id: config.auth.clientId,
      redirect_uri: appRoot(),
      post_logout_redirect_uri: appRoot(),
      response_type: 'code',
      scope: config.auth.scope ?? 'openid profile',
      // The verifier and state survive the redirect in this tab only; the user object is not kept
      // by the library at all (this module keeps the session).
      stateStore: new WebStorageStateStore({ store: sessionStorage, prefix: STATE_PREFIX }),
      userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
      loadUserInfo: false,
      automaticSilentRenew: false,
    });
  });
  return manager;
}

/** The signed-in session of this tab, or undefined (also when the token has expired). */
export function getSession(): Session | undefined {
  const raw = sessionStorage.getItem(SESSION_KEY);
  if (!raw) return undefined;
  try {
    const session = JSON.parse(raw) as Session;
    if (!session.token || tokenExpired(session.token)) {
      sessionStorage.removeItem(SESSION_KEY);
      return undefined;
    }
    return session;
  } catch {
    sessionStorage.removeItem(SESSION_KEY);
    return undefined;
  }
}

/**
 * Sends the browser to the issuer's sign-in page (authorization code + PKCE); it comes back to this
 * app, which {@link completeSignIn} finishes, and then to `returnTo` (default: this page).
 */
export async function beginSignIn(returnTo = location.pathname + location.search): Promise<void> {
  await (await userManager()).signinRedirect({ state: { returnTo } });
}

let completing: Promise<Session | undefined> | undefined;

/**
 * Finishes a sign-in that came back to this page (`?code=…&state=…`): the code is exchanged with
 * the PKCE verifier for the tokens, the session stored, and the address put back to where sign-in
 * began. Without a callback in the address, the session, if any.
 */
export function completeSignIn(): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  if (!params.has('state') || !(params.has('code') || params.has('error'))) {
    return Promise.resolve(getSession());
  }
  // React runs effects twice in development: the code can be redeemed only once.
  completing ??= (async () => {
    const user = await (await userManager()).signinRedirectCallback();
    storeSession(user);
    const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo ?? location.pathname;
    history.replaceState(null, '', returnTo);
    return getSession();
  })();
  return completing;
}

function storeSession(user: User): void {
  if (!user.id_token) throw new Error('the issuer returned no ID token');
  const profile = user.profile as { sub: string; name?: string; verified_name?: string };
  const session: Session = {
    token: user.id_token,
    sub: profile.sub,
    name: profile.verified_name ?? profile.name ?? profile.sub,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

/** Forgets the session of this tab (and any sign-in still under way). */
export function signOut(): void {
  for (const key of Object.keys(sessionStorage)) {
    if (key === SESSION_KEY || key.startsWith(STATE_PREFIX)) sessionStorage.removeItem(key);
  }
}

/** Chooses the org this tab acts for (an account with several memberships must name one). */
export function actFor(org: string | undefined): void {
  const session = getSession();
  if (!session) return;
  const { org: _previous, ...rest } = session;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(org ? { ...rest, org } : rest));
}

/** The headers an API request carries for the signed-in account. */
export function authHeaders(): Record<string, string> {
  const session = getSession();
  if (!session) return {};
  return {
    authorization: `Bearer ${session.token}`,
    ...(session.org ? { 'x-acting-org': session.org } : {}),
  };
}

function tokenExpired(token: string): boolean {
  const payload = token.split('.')[1];
  if (!payload) return true;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return typeof json.exp === 'number' && json.exp * 1000 <= Date.now();
  } catch {
    return true;
  }
}
