import { runtimeConfig } from './runtime-config.ts';

/**
 * The one sign-in module of the union console and the worker pages (architecture.md §6): everything
 * else asks it for the session and the request headers, so how people sign in (the local stand-in
 * page today, the deployment's OIDC issuer) changes here only. The session lives in this tab's
 * sessionStorage and holds nothing personal beyond the token and the name to greet.
 */
export interface Session {
  token: string;
  sub: string;
  name: string;
  /** What the stand-in sign-in chose; the API decides what the account may do. */
  role?: string;
  org?: string;
}

const SESSION_KEY = 'edu-subsidy.session';

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

/** Sends the browser to the sign-in page; it comes back to `returnTo` (default: this page) signed in. */
export async function beginSignIn(returnTo = location.pathname + location.search): Promise<void> {
  const config = await runtimeConfig();
  if (config.auth.kind === 'dev') {
    const url = new URL(config.auth.signInPath, location.origin);
    url.searchParams.set('returnTo', returnTo);
    location.assign(url.toString());
    return;
  }
  throw new Error(`sign-in kind ${config.auth.kind} is not supported by this build`);
}

/**
 * Finishes a sign-in that came back to this page (a redirect flow's callback); the session, if any.
 * The stand-in page stores the session itself, so there is nothing to finish for it.
 */
export async function completeSignIn(): Promise<Session | undefined> {
  return getSession();
}

/** Forgets the session of this tab. */
export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** The headers an API request carries for the signed-in account. */
export function authHeaders(): Record<string, string> {
  const session = getSession();
  return session ? { authorization: `Bearer ${session.token}` } : {};
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
