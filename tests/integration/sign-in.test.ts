/**
 * Issue 12: signing in against the local OIDC provider end to end, as a client would with plain
 * fetch — authorization code + PKCE → ID token → GET /v1/me — and what the token may and may not do.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../infra/seed/accounts.ts';
import { authorizeWithPkce, exchangeCode, signInWithPkce, WEB_CLIENT_ID } from '../support/oidc.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
});

describe('the local OIDC provider under /oidc', () => {
  it('publishes its discovery document with the issuer http://localhost:PORT/oidc', async () => {
    const res = await fetch(`${stack.url}/oidc/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(`http://localhost:${stack.port}/oidc`);
    expect(doc.code_challenge_methods_supported).toContain('S256');
    expect(String(doc.jwks_uri)).toMatch(/\/oidc\/jwks$/);
    expect(String(doc.authorization_endpoint)).toMatch(/\/oidc\/auth$/);
  });

  it('signs a demo reviewer in with code + PKCE; GET /v1/me names the reviewer’s org', async () => {
    const { idToken } = await signInWithPkce(stack.oidc.issuer, {
      sub: 'reviewer-chiping',
      password: DEMO_PASSWORD,
    });
    const claims = decodeJwt(idToken);
    expect(claims).toMatchObject({ iss: stack.oidc.issuer, aud: WEB_CLIENT_ID, sub: 'reviewer-chiping' });
    expect(claims).not.toHaveProperty('role');
    expect(claims).not.toHaveProperty('org');
    const me = await stack.call('GET', '/v1/me', { token: idToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      sub: 'reviewer-chiping',
      name: '茌平区审核员',
      memberships: [{ orgId: 'lc-chiping', orgName: '茌平区', role: 'reviewer' }],
    });
    // The membership, not any claim, lets it read its queue.
    const queue = await stack.call('GET', '/v1/review/queue?programmeId=lc-2022', { token: idToken });
    expect(queue.status).toBe(200);
  });

  it('signs a worker in whose real name the issuer vouches for; a worker has no memberships', async () => {
    const { idToken } = await signInWithPkce(stack.oidc.issuer, {
      sub: 'worker-zhangwei',
      password: DEMO_PASSWORD,
    });
    expect(decodeJwt(idToken)).toMatchObject({ verified_name: '张伟', verified_id_hash: expect.any(String) });
    const me = await stack.call('GET', '/v1/me', { token: idToken });
    expect(me.body).toEqual({ sub: 'worker-zhangwei', name: '张伟', memberships: [] });
    const review = await stack.call('GET', '/v1/review/queue?programmeId=lc-2022', { token: idToken });
    expect(review.status).toBe(403);
  });

  it('signs any account in by 用户标识 and 姓名 without a password (local stage): a worker until granted', async () => {
    const { idToken } = await signInWithPkce(stack.oidc.issuer, { sub: 'someone-new', name: '赵六' });
    const me = await stack.call('GET', '/v1/me', { token: idToken });
    expect(me.body).toEqual({ sub: 'someone-new', name: '赵六', memberships: [] });
  });

  it('refuses a wrong password on its sign-in page', async () => {
    await expect(
      signInWithPkce(stack.oidc.issuer, { sub: 'admin-lc', password: 'wrong-password' }),
    ).rejects.toThrow(/no code|sign-in|answered/);
  });

  it('refuses to exchange a code without the PKCE verifier it was issued for', async () => {
    const granted = await authorizeWithPkce(stack.oidc.issuer, { sub: 'admin-lc', password: DEMO_PASSWORD });
    const wrong = await exchangeCode(granted, 'x'.repeat(43));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    // The control: the same flow with its own verifier gets tokens.
    const again = await authorizeWithPkce(stack.oidc.issuer, { sub: 'admin-lc', password: DEMO_PASSWORD });
    expect((await exchangeCode(again, again.verifier)).ok).toBe(true);
  });

  it('refuses a redirect URI outside /console/ and /m/', async () => {
    const origin = new URL(stack.oidc.issuer).origin;
    await expect(
      authorizeWithPkce(
        stack.oidc.issuer,
        { sub: 'admin-lc', password: DEMO_PASSWORD },
        { redirectUri: `${origin}/evil/` },
      ),
    ).rejects.toThrow(/authorization answered 400/);
    const ok = await authorizeWithPkce(
      stack.oidc.issuer,
      { sub: 'admin-lc', password: DEMO_PASSWORD },
      { redirectUri: `${origin}/m/callback` },
    );
    expect(ok.callback.pathname).toBe('/m/callback');
  });

  it('answers 401 for a token of the provider whose signature does not match', async () => {
    const { idToken } = await signInWithPkce(stack.oidc.issuer, { sub: 'admin-lc', password: DEMO_PASSWORD });
    const [h, p] = idToken.split('.');
    const forged = `${h}.${p}.${'A'.repeat(342)}`;
    const res = await stack.call('GET', '/v1/me', { token: forged });
    expect(res.status).toBe(401);
  });

  it('serves /runtime-config.json naming the issuer and the client', async () => {
    const res = await stack.call('GET', '/runtime-config.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      apiBasePath: '/v1',
      auth: {
        kind: 'oidc',
        issuer: stack.oidc.issuer,
        clientId: WEB_CLIENT_ID,
        scope: 'openid profile phone',
      },
    });
  });
});
