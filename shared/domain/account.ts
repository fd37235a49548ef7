/**
 * What one account (the token's `sub`) may hold at once (issue 10 point 8). Without these limits one
 * account could apply with many people's ID numbers and squat their places and R8 claims.
 */

/** Keyed-hash purpose of resident ID numbers (R8, and the issuer's `verified_id_hash`, architecture.md §8). */
export const ID_HASH_PURPOSE = 'resident-id';
/** Keyed-hash purpose of mobile numbers (an account found by its verified phone). */
export const PHONE_HASH_PURPOSE = 'mobile';

/** Live drafts (created, not yet submitted or withdrawn) one account may hold across programmes. */
export const MAX_LIVE_DRAFTS_PER_ACCOUNT = 5;

/** Who the account is, as far as the platform knows it. */
export interface AccountIdentity {
  sub: string;
  /** The issuer's verified real name (`verified_name` claim), if it vouches for one. */
  verifiedName?: string;
  /** Keyed hash (`resident-id` purpose) of the issuer's verified ID number (`verified_id_hash`). */
  verifiedIdHash?: string;
}

/** The applicant an application names, in the form the platform keeps it. */
export interface ApplicantIdentity {
  name: string;
  /** Keyed hash of the normalised ID number (R8), never the number. */
  idHash: string;
}

/**
 * Whether an account may apply as this applicant (R9 实名注册): where the issuer vouches for a
 * verified ID number (its keyed hash) or real name, the applicant must be that person; what the
 * issuer does not vouch for is not compared. Called when a draft is created and when it is
 * submitted; a `false` is answered 422 `ineligible` with rule `R9`.
 */
export function applicantMatchesAccount(identity: AccountIdentity, applicant: ApplicantIdentity): boolean {
  if (identity.verifiedIdHash !== undefined && identity.verifiedIdHash !== applicant.idHash) return false;
  if (identity.verifiedName !== undefined && identity.verifiedName !== applicant.name) return false;
  return true;
}
