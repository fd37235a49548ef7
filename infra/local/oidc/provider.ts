import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { DemoAccount } from '../../seed/accounts.ts';
import { memoryStore } from './memory-store.ts';
import { escapeHtml, interactionRoute, OIDC_MOUNT } from './sign-in.ts';

export { OIDC_MOUNT };

/** The one public client of the consoles and the worker pages: authorization code with PKCE. */
export const LOCAL_CLIENT_ID = 'edu-subsidy-web';
/** Pages that may receive the authorization code: anything under the console and the worker pages. */
const REDIRECT_PREFIXES = ['/console/', '/m/'] as const;

export interface LocalOidcOptions {
  /** `http://localhost:PORT`: the issuer is this origin plus `/oidc`. */
  origin: string;
  dataDir: string;
  accounts: readonly DemoAccount[];
  /** The platform's keyed hash (`resident-id`) of an ID number, as the issuer vouches for it. */
  idHash: (idNumber: string) => Promise<string>;
}

/** The provider's claims of an account: identity only (architecture.md §8), never a role or org. */
export interface LocalAccountClaims {
  sub: string;
  name: string;
  phone_number?: string;
  phone_number_verified?: boolean;
  verified_name?: string;
  verified_id_hash?: string;
}

function keyFile<T>(file: string, make: () => Promise<T>): Promise<T> {
  if (existsSync(file)) return Promise.resolve(JSON.parse(readFileSync(file, 'utf8')) as T);
  return make().then((value) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
    return value;
  });
}

/**
 * The local stand-in for the deployment's OIDC issuer (architecture.md §8): the certified
 * `oidc-provider`, mounted under `/oidc` on the API's origin, with the demo accounts, a Chinese
 * sign-in page, keys kept under the data directory and one public client (code + PKCE). Tokens it
 * issues carry identity only; the local gateway verifies them as API Gateway's JWT authorizer would.
 */
export class LocalOidc {
  /** Accounts signed in by 用户标识 and 姓名 alone (local stage): their names, for their tokens. */
  private readonly adHoc = new Map<string, string>();
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  private constructor(
    readonly issuer: string,
    readonly provider: Provider,
    readonly jwks: JSONWebKeySet,
    private readonly options: LocalOidcOptions,
  ) {
    this.keySet = createLocalJWKSet(jwks);
  }

  readonly clientId = LOCAL_CLIENT_ID;

  static async start(options: LocalOidcOptions): Promise<LocalOidc> {
    const issuer = `${options.origin}${OIDC_MOUNT}`;
    const signingKey = await keyFile<JWK>(join(options.dataDir, 'oidc-signing-key.json'), async () => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      return {
        ...(await exportJWK(privateKey)),
        kid: `oidc-${Date.now().toString(36)}`,
        alg: 'RS256',
        use: 'sig',
      };
    });
    const cookieKeys = await keyFile<string[]>(join(options.dataDir, 'oidc-cookie-keys.json'), async () => [
      randomBytes(32).toString('base64url'),
    ]);
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicKey } = signingKey;
    let self: LocalOidc | undefined;
    const config: Configuration = {
      adapter: memoryStore(),
      clients: [
        {
          client_id: LOCAL_CLIENT_ID,
          client_name: '求学圆梦行动',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: REDIRECT_PREFIXES.map((p) => `${options.origin}${p}`),
          post_logout_redirect_uris: [
            `${options.origin}/`,
            ...REDIRECT_PREFIXES.map((p) => `${options.origin}${p}`),
          ],
        },
      ],
      pkce: { required: () => true },
      jwks: { keys: [signingKey as never] },
      cookies: { keys: cookieKeys },
      claims: {
        openid: ['sub'],
        profile: ['name', 'verified_name', 'verified_id_hash'],
        phone: ['phone_number', 'phone_number_verified'],
      },
      scopes: ['openid', 'profile', 'phone', 'offline_access'],
      // The API reads identity from the ID token, as it does from Cognito's: its claims go in it.
      conformIdTokenClaims: false,
      clientBasedCORS: () => true,
      features: {
        devInteractions: { enabled: false },
        rpInitiatedLogout: { enabled: true },
      },
      interactions: { url: (_ctx, interaction) => `${OIDC_MOUNT}/interaction/${interaction.uid}` },
      // The consoles and worker pages are the platform's own: no consent screen.
      loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
        const client = ctx.oidc.client;
        const session = ctx.oidc.session;
        if (!client || !session?.accountId) return undefined;
        const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
        if (grantId) {
          const existing = await ctx.oidc.provider.Grant.find(grantId);
          if (existing) return existing;
        }
        const grant = new ctx.oidc.provider.Grant({
          clientId: client.clientId,
          accountId: session.accountId,
        });
        grant.addOIDCScope('openid profile phone offline_access');
        await grant.save();
        session.grantIdFor(client.clientId, grant.jti);
        return grant;
      },
      findAccount: async (_ctx, sub) => {
        const claims = await self?.claimsOf(sub);
        if (!claims) return undefined;
        return { accountId: sub, claims: async () => ({ ...claims }) };
      },
      ttl: {
        IdToken: 3600,
        AccessToken: 3600,
        Interaction: 600,
        Session: 12 * 3600,
        Grant: 12 * 3600,
        RefreshToken: 12 * 3600,
      },
      renderError: async (ctx, out) => {
        ctx.type = 'html';
        ctx.body = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>登录出错</title><h1>登录出错</h1><p>${escapeHtml(String(out.error_description ?? out.error))}</p></html>`;
      },
    };
    const provider = new Provider(issuer, config);
    // Redirect URIs are registered as prefixes (any page under /console/ or /m/), on localhost and 127.0.0.1.
    const allowed = (value: string) => {
      try {
        const url = new URL(value);
        const port = new URL(options.origin).port;
        return (
          url.protocol === 'http:' &&
          (url.hostname === 'localhost' || url.hostname === '127.0.0.1') &&
          url.port === port &&
          (REDIRECT_PREFIXES.some((p) => url.pathname.startsWith(p)) || url.pathname === '/')
        );
      } catch {
        return false;
      }
    };
    provider.Client.prototype.redirectUriAllowed = allowed;
    provider.Client.prototype.postLogoutRedirectUriAllowed = allowed;
    self = new LocalOidc(issuer, provider, { keys: [publicKey] }, options);
    return self;
  }

  /** The claims of a demo account or of an account signed in by name (local stage). */
  async claimsOf(sub: string): Promise<LocalAccountClaims | undefined> {
    const account = this.options.accounts.find((a) => a.sub === sub);
    if (!account) {
      const name = this.adHoc.get(sub);
      return name === undefined ? undefined : { sub, name };
    }
    return {
      sub,
      name: account.name,
      ...(account.phone ? { phone_number: account.phone, phone_number_verified: true } : {}),
      ...(account.verified
        ? {
            verified_name: account.verified.name,
            verified_id_hash: await this.options.idHash(account.verified.idNumber),
          }
        : {}),
    };
  }

  /** A demo account whose password matches, else `undefined`. */
  checkPassword(sub: string, password: string): DemoAccount | undefined {
    const account = this.options.accounts.find((a) => a.sub === sub);
    return account && account.password === password ? account : undefined;
  }

  /** Local stage: any account by 用户标识 and 姓名, no password (what it may do still comes from its memberships). */
  rememberAdHoc(sub: string, name: string): void {
    if (!this.options.accounts.some((a) => a.sub === sub)) this.adHoc.set(sub, name);
  }

  /** Serves `/oidc/*`: the sign-in pages, then the provider itself (mounted, as Express would). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (await interactionRoute(this, req, res, url)) return;
    const original = req.url ?? '/';
    Object.assign(req, { originalUrl: original });
    req.url = original.slice(OIDC_MOUNT.length) || '/';
    await this.provider.callback()(req, res);
  }

  /**
   * What API Gateway's JWT authorizer checks of this issuer's tokens: RS256 signature by its JWKS,
   * `iss`, `aud` (the client id, as Cognito ID tokens carry it) and expiry.
   */
  async verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        algorithms: ['RS256'],
        issuer: this.issuer,
        audience: LOCAL_CLIENT_ID,
        requiredClaims: ['sub', 'exp'],
      });
      return payload;
    } catch {
      return undefined;
    }
  }
}
