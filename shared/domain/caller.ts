import { AppError } from '../errors.ts';
import type { Role } from '../model/account.ts';
import type { Membership } from '../model/membership.ts';

/**
 * Who acts: the account (`sub`), its role and the org a reviewer or admin acts for. Every rule of
 * who may do what (R12 各级工会按权限) is about a caller. The token proves only the identity (`sub`,
 * name, a verified real name and ID hash where the issuer vouches for them); the role and org come
 * from the account's memberships (architecture.md §8), chosen by the request's `X-Acting-Org`.
 */
export interface Caller {
  sub: string;
  role: Role;
  /** The org a reviewer or admin acts for; absent for workers. */
  org: string | undefined;
  /** The name the issuer gives the account (`name` claim), if any. */
  name?: string | undefined;
  /** The issuer's verified real name (实名), if it vouches for one. */
  verifiedName?: string | undefined;
  /** The keyed hash (`resident-id` purpose) of the issuer's verified ID number, if it vouches for one. */
  verifiedIdHash?: string | undefined;
  /** The account's mobile number, when the issuer has verified it (admins add people by it). */
  phone?: string | undefined;
}

/** What a verified token says about the account: identity only, never a role. */
export type Identity = Omit<Caller, 'role' | 'org'>;

/** The header naming the org a request acts for (architecture.md §8). */
export const ACTING_ORG_HEADER = 'x-acting-org';

/** The org an admin or reviewer acts for (their tokens always carry one): 403 `forbidden` without one. */
export function actingOrg(caller: Caller): string {
  if (!caller.org) throw new AppError('forbidden');
  return caller.org;
}

/**
 * The caller a request acts as, from the account's memberships and the org it names (R12: accounts
 * act only for their own org). Named org: it must be one of the memberships (403 otherwise). No org
 * named: no membership is a worker, exactly one acts for that org, several must name one (403).
 *
 * @example actAs({ sub: 'u' }, [], undefined) // { sub: 'u', role: 'worker', org: undefined }
 */
export function actAs(
  identity: Identity,
  memberships: readonly Pick<Membership, 'orgId' | 'role'>[],
  namedOrg: string | undefined,
): Caller {
  if (namedOrg !== undefined) {
    const membership = memberships.find((m) => m.orgId === namedOrg);
    if (!membership) throw new AppError('forbidden', { message: `您不是 ${namedOrg} 的审核员或管理员` });
    return { ...identity, role: membership.role, org: membership.orgId };
  }
  if (memberships.length === 0) return { ...identity, role: 'worker', org: undefined };
  const [only] = memberships;
  if (memberships.length === 1 && only) return { ...identity, role: only.role, org: only.orgId };
  throw new AppError('forbidden', {
    message: '您在多个组织任职，请在请求头 X-Acting-Org 中指明代表哪个组织',
  });
}
