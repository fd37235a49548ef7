import type { Identity } from '../domain/caller.ts';
import { AppError } from '../errors.ts';

// The caller is a domain notion (services decide by it); re-exported for the HTTP layer's imports.
export { ACTING_ORG_HEADER, actAs, actingOrg, type Caller, type Identity } from '../domain/caller.ts';

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * The token claims the API reads (architecture.md §8): identity only. `role`, `org` and any
 * `custom:*` claim are ignored — what an account may do is the platform's membership data.
 */
export const identityClaims = {
  sub: 'sub',
  name: 'name',
  /** The issuer's verified real name (实名认证), when it vouches for one. */
  verifiedName: 'verified_name',
  /** The platform's keyed hash (`resident-id`) of the issuer's verified ID number. */
  verifiedIdHash: 'verified_id_hash',
  /** OIDC's standard claims; the number counts only with `phone_number_verified`. */
  phone: 'phone_number',
  phoneVerified: 'phone_number_verified',
} as const;

const text = (value: Claims[string]) => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * Reads who the caller is from API Gateway's verified JWT claims (the JWT authorizer has checked
 * the signature, issuer, audience and expiry). A claim set without a `sub` is 401.
 */
export function identityFromClaims(claims: Claims | undefined): Identity {
  const sub = text(claims?.[identityClaims.sub]);
  if (!claims || !sub) throw new AppError('unauthenticated', { message: '登录凭证无效' });
  const name = text(claims[identityClaims.name]);
  const verifiedName = text(claims[identityClaims.verifiedName]);
  const verifiedIdHash = text(claims[identityClaims.verifiedIdHash]);
  const verified = claims[identityClaims.phoneVerified];
  const phone = verified === true || verified === 'true' ? text(claims[identityClaims.phone]) : undefined;
  return {
    ...(phone ? { phone } : {}),
    sub,
    ...(name ? { name } : {}),
    ...(verifiedName ? { verifiedName } : {}),
    ...(verifiedIdHash ? { verifiedIdHash } : {}),
  };
}
