import { AppError } from '../errors.ts';
import { Role } from '../schemas/common.ts';

/** Who is calling, from the verified JWT's claims: account id, role and the org it acts for. */
export interface Caller {
  sub: string;
  role: Role;
  /** The org a reviewer or admin acts for; absent for workers. */
  org: string | undefined;
}

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

/** The org an admin or reviewer acts for (their tokens always carry one). */
export function actingOrg(caller: Caller): string {
  if (!caller.org) throw new AppError('forbidden');
  return caller.org;
}
