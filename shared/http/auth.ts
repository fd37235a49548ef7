import type { Caller } from '../domain/caller.ts';
import { AppError } from '../errors.ts';
import { Role } from '../schemas/common.ts';

// The caller is a domain notion (services decide by it); re-exported for the HTTP layer's imports.
export { actingOrg, type Caller } from '../domain/caller.ts';

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * Reads the caller from API Gateway's verified JWT claims. Cognito puts custom attributes under
 * `custom:role` / `custom:org`; the local issuer uses `role` / `org`. Any malformed claim set is 401.
 */
export function callerFromClaims(claims: Claims | undefined): Caller {
  if (!claims) throw new AppError('unauthenticated');
  const sub = claims.sub;
  const role = Role.safeParse(claims.role ?? claims['custom:role']);
  const org = claims.org ?? claims['custom:org'];
  if (typeof sub !== 'string' || sub.length === 0 || !role.success) {
    throw new AppError('unauthenticated', { message: '登录凭证无效' });
  }
  if (role.data !== 'worker' && (typeof org !== 'string' || org.length === 0)) {
    throw new AppError('unauthenticated', { message: '登录凭证缺少所属组织' });
  }
  return { sub, role: role.data, org: typeof org === 'string' && org.length > 0 ? org : undefined };
}
