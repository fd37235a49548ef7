import { AppError } from '../errors.ts';
import type { Role } from '../model/account.ts';

/**
 * Who acts: the account (`sub`), its role and the org a reviewer or admin acts for. Every rule of
 * who may do what (R12 各级工会按权限) is about a caller; the HTTP edge reads one from a verified token.
 */
export interface Caller {
  sub: string;
  role: Role;
  /** The org a reviewer or admin acts for; absent for workers. */
  org: string | undefined;
}

/** The org an admin or reviewer acts for (their tokens always carry one): 403 `forbidden` without one. */
export function actingOrg(caller: Caller): string {
  if (!caller.org) throw new AppError('forbidden');
  return caller.org;
}
