/**
 * 统一社会信用代码 (unified social credit code, GB 32100-2015): the employer id an enterprise union
 * registers with (R12). 18 characters: registration authority (1), organisation type (1), the
 * administrative division (6 digits), the organisation code (9) and a check character, each from
 * the 31-character alphabet below (digits and capitals without I, O, S, V, Z).
 */

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** Canonical form: trimmed, upper case. */
export function normaliseCreditCode(value: string): string {
  return value.trim().toUpperCase();
}

/** The check character of the first 17 characters (GB 32100-2015 §5, mod 31). */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}

/**
 * Whether `value` is a unified social credit code: 18 characters of the code's alphabet, digits
 * where the administrative division stands, and the right check character. Spaces around and a
 * lower case are accepted; store {@link normaliseCreditCode}'s result.
 *
 * @example isUnifiedSocialCreditCode('91350100M000100Y43') // true
 */
export function isUnifiedSocialCreditCode(value: string): boolean {
  const code = normaliseCreditCode(value);
  if (!SHAPE.test(code)) return false;
  return creditCodeCheckChar(code.slice(0, 17)) === code.charAt(17);
}

/** A valid code from its first 17 characters — for tests and seeds. */
export function makeCreditCode(first17: string): string {
  if (first17.length !== 17) throw new Error('a credit code has 17 characters before its check character');
  return `${first17}${creditCodeCheckChar(first17)}`;
}
