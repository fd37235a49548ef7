import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

/** Issuer and audience of local development tokens. */
export const DEV_ISSUER = 'edu-subsidy-local';
export const DEV_AUDIENCE = 'edu-subsidy-api';

export interface DevTokenClaims {
  sub: string;
  role: string;
  org?: string | undefined;
  name?: string | undefined;
}

/**
 * The tests' token authority (`POST /v1/dev/token`): an RS256 key pair kept under the data directory,
 * issuing tokens that the local gateway verifies exactly as API Gateway's JWT authorizer would
 * (signature, `alg`, issuer, audience, expiry). Exists only locally; no such route is deployed. People
 * sign in through the local OIDC provider (`oidc/provider.ts`) instead.
 */
export class DevAuthority {
  /** Built once: a key set per call would import the public key again for every request verified. */
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  private constructor(
    private readonly privateKey: Awaited<ReturnType<typeof importJWK>>,
    readonly jwks: JSONWebKeySet,
    private readonly kid: string,
    private readonly recordMembership: ((claims: DevTokenClaims) => Promise<void>) | undefined,
  ) {
    this.keySet = createLocalJWKSet(jwks);
  }

  /**
   * `recordMembership` writes the membership a token's `role` and `org` describe (architecture.md §8):
   * the API trusts no role claim, so a dev token for an admin of `lc` is an account that is one.
   */
  static async open(
    keyFile: string,
    options: { recordMembership?: (claims: DevTokenClaims) => Promise<void> } = {},
  ): Promise<DevAuthority> {
    let privateJwk: JWK;
    if (existsSync(keyFile)) {
      privateJwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
    } else {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      privateJwk = {
        ...(await exportJWK(privateKey)),
        kid: `dev-${Date.now().toString(36)}`,
        alg: 'RS256',
        use: 'sig',
      };
      mkdirSync(dirname(keyFile), { recursive: true });
      writeFileSync(keyFile, JSON.stringify(privateJwk), { mode: 0o600 });
    }
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
    const privateKey = await importJWK(privateJwk, 'RS256');
    const kid = privateJwk.kid ?? 'dev';
    return new DevAuthority(
      privateKey,
      { keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }] },
      kid,
      options.recordMembership,
    );
  }

  /**
   * A signed token for the claims, after recording the membership they describe. `role` and `org`
   * stay in the token for the tests that read them back; the API ignores both (the local gateway
   * only uses `org` as the request's `X-Acting-Org` when none is named, still checked against the
   * memberships).
   */
  async issue(claims: DevTokenClaims, ttlSeconds = 12 * 3600): Promise<string> {
    await this.recordMembership?.(claims);
    return new SignJWT({
      role: claims.role,
      ...(claims.org ? { org: claims.org } : {}),
      ...(claims.name ? { name: claims.name } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.privateKey);
  }

  /** Verified claims, or `undefined` for a forged, expired, `alg: none` or otherwise bad token. */
  async verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        algorithms: ['RS256'],
        issuer: DEV_ISSUER,
        audience: DEV_AUDIENCE,
        requiredClaims: ['sub', 'exp'],
      });
      return payload;
    } catch {
      return undefined;
    }
  }
}
