/**
 * What one account (the token's `sub`) may hold at once (issue 10 point 8). Without these limits one
 * account could apply with many people's ID numbers and squat their places and R8 claims.
 */

/** Live drafts (created, not yet submitted or withdrawn) one account may hold across programmes. */
export const MAX_LIVE_DRAFTS_PER_ACCOUNT = 5;

/** Who the account is, as far as the platform knows it. */
export interface AccountIdentity {
  sub: string;
  /** The issuer's verified real name, once the identity issue supplies it. */
  verifiedName?: string;
  /** Keyed hash (`resident-id` purpose) of the issuer's verified ID number, once supplied. */
  verifiedIdHash?: string;
}

/** The applicant an application names, in the form the platform keeps it. */
export interface ApplicantIdentity {
  name: string;
  /** Keyed hash of the normalised ID number (R8), never the number. */
  idHash: string;
}

/**
 * Whether an account may apply as this applicant: the seam where the identity issue binds an
 * account to its verified real name (实名认证). Called when a draft is created and when it is
 * submitted; a `false` is answered 403 `forbidden`.
 *
 * Today it is permissive — the platform's issuers prove who someone is (`sub`) but carry no verified
 * name or ID number yet — so only the limits of {@link MAX_LIVE_DRAFTS_PER_ACCOUNT} and one live
 * application per account and programme stand between an account and many people's ID numbers.
 * The identity issue will compare `applicant.idHash` with `identity.verifiedIdHash` (and the name
 * with `verifiedName`) whenever the issuer supplies them, and refuse otherwise.
 */
export function applicantMatchesAccount(identity: AccountIdentity, applicant: ApplicantIdentity): boolean {
  if (identity.verifiedIdHash !== undefined && identity.verifiedIdHash !== applicant.idHash) return false;
  if (identity.verifiedName !== undefined && identity.verifiedName !== applicant.name) return false;
  return true;
}
