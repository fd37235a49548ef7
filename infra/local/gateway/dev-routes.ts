import type { IncomingMessage } from 'node:http';
import { decodeJwt, type JWTPayload } from 'jose';
import * as z from 'zod/mini';
import { AppError } from '../../../shared/errors.ts';
import { errorResult, type HttpResult, jsonResult } from '../../../shared/http/handler.ts';
import { fieldErrors } from '../../../shared/http/validation.ts';
import { Role } from '../../../shared/schemas/common.ts';
import type { DevAuthority } from '../dev-auth.ts';

const DevTokenRequest = z
  .strictObject({
    sub: z.string().check(z.minLength(1), z.maxLength(128)),
    role: Role,
    org: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    name: z.optional(z.string().check(z.maxLength(64))),
    ttlSeconds: z.optional(z.number().check(z.int(), z.gte(1), z.lte(7 * 24 * 3600))),
  })
  .check(
    z.refine((t) => t.role === 'worker' || t.org !== undefined, {
      message: '审核员和管理员需要 org',
      path: ['org'],
    }),
  );

/**
 * The local-only `/v1/dev/*` routes (never deployed): the dev authority's key set,
 * `POST /v1/dev/token`, and `GET /v1/dev/sms` — the messages the SMS provider stand-in received
 * (`{items: [{to, template, params, status, at}]}`). `undefined` for any other request.
 */
export async function devRoute(
  auth: DevAuthority,
  method: string,
  path: string,
  body: Buffer,
  sms?: { messages(): unknown[] },
): Promise<HttpResult | undefined> {
  if (path === '/v1/dev/jwks.json' && method === 'GET') return jsonResult(200, auth.jwks);
  if (path === '/v1/dev/sms' && method === 'GET' && sms) {
    return jsonResult(200, {
      items: sms.messages().map((m) => {
        const { to, template, params, status, at } = m as Record<string, unknown>;
        return { to, template, params, status, at };
      }),
    });
  }
  if (path === '/v1/dev/token' && method === 'POST') return devToken(auth, body);
  return undefined;
}

async function devToken(auth: DevAuthority, body: Buffer): Promise<HttpResult> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return errorResult(
      new AppError('validation_failed', { fields: [{ path: '(body)', message: '无法解析 JSON' }] }),
    );
  }
  const parsed = DevTokenRequest.safeParse(json);
  if (!parsed.success)
    return errorResult(new AppError('validation_failed', { fields: fieldErrors(parsed.error) }));
  const ttl = parsed.data.ttlSeconds ?? 12 * 3600;
  const token = await auth.issue(parsed.data, ttl);
  return jsonResult(201, { token, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() });
}

/** An issuer the gateway trusts, and its check of a token: the claims, or `undefined` when not valid. */
export interface TokenVerifier {
  issuer: string;
  verify(token: string): Promise<JWTPayload | undefined>;
}

/**
 * What API Gateway's JWT authorizer hands the function: the verified token's claims, each as a
 * string; `undefined` when the bearer token is missing, forged or expired (the gateway answers 401).
 * Locally two issuers are trusted: the OIDC provider people sign in with, and the dev authority
 * the tests use. The token's `iss`, read before anything is verified, only picks whose check it
 * gets, as a route's authorizer names its issuer; that check verifies `iss` with the signature.
 */
export async function bearerClaims(
  verifiers: readonly TokenVerifier[],
  req: IncomingMessage,
): Promise<Record<string, string> | undefined> {
  const header = req.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) return undefined;
  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    return undefined;
  }
  const payload = await verifiers.find((v) => v.issuer === issuer)?.verify(token);
  if (!payload) return undefined;
  return Object.fromEntries(
    Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
  );
}
