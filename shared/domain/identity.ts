/**
 * Identity numbers a worker gives when applying (design §5): the resident ID number that R8's
 * "one application per person and education level" is keyed on, the mainland mobile number, and the
 * payout account (R13). Also the masks every response uses for them (design §6, personal data).
 *
 * Validators accept what people type (surrounding spaces, a lowercase `x`, a `+86` prefix); the
 * normalisers return the one canonical form that must be stored, encrypted and hashed, so that
 * `11010519491231002x` and `11010519491231002X` are the same person for R8.
 */

import { isCalendarDate, shanghaiDate } from './dates.ts';

/** GB 11643-1999 weights of the first 17 characters. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character by weighted sum mod 11. */
const ID_CHECK_CHARS = '10X98765432';
const ID_RE = /^[1-9]\d{16}[\dX]$/;
const MOBILE_RE = /^1[3-9]\d{9}$/;

/** Canonical resident ID number: trimmed, with an uppercase check character `X`. */
export function normaliseIdNumber(value: string): string {
  return value.trim().toUpperCase();
}

/** The check character of the first 17 characters of `id` (anything after them is not weighed). */
function idCheckChar(id: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK_CHARS.charAt(sum % 11);
}

function birthDateOfCanonical(id: string): string {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/**
 * Whether `value` is an 18-character resident ID number (居民身份证号码, GB 11643-1999): an area
 * code not starting with 0, a birth date that exists between 1900-01-01 and today (Asia/Shanghai),
 * a sequence number and the mod-11 check character. Leading/trailing spaces and a lowercase `x`
 * are accepted; store and hash {@link normaliseIdNumber}'s result, never the raw input (R8).
 *
 * @example isResidentIdNumber('11010519491231002X') // true
 */
export function isResidentIdNumber(value: string): boolean {
  return isResidentIdNumberAsOf(value, shanghaiDate(new Date()));
}

/**
 * {@link isResidentIdNumber} with an explicit `today` (`YYYY-MM-DD`) that birth dates may not
 * exceed — for tests and for checks pinned to a submission date.
 */
export function isResidentIdNumberAsOf(value: string, today: string): boolean {
  const id = normaliseIdNumber(value);
  if (!ID_RE.test(id)) return false;
  const birth = birthDateOfCanonical(id);
  // isCalendarDate refuses years before 1900, which is the earliest birth date this accepts.
  if (!isCalendarDate(birth) || birth > today) return false;
  return idCheckChar(id) === id[17];
}

/**
 * The birth date (`YYYY-MM-DD`) encoded at positions 7–14 of a resident ID number. Does not
 * validate; call {@link isResidentIdNumber} first.
 */
export function birthDateOf(idNumber: string): string {
  return birthDateOfCanonical(normaliseIdNumber(idNumber));
}

/**
 * Builds a valid resident ID number with its check character — for tests, seeds and benchmarks
 * that need many distinct valid numbers.
 *
 * @param areaCode six digits, not starting with 0 (e.g. `371502`, 聊城市东昌府区)
 * @param birthDate `YYYY-MM-DD` or `YYYYMMDD`
 * @param sequence 0–999 (顺序码; odd for men, even for women)
 * @example makeResidentIdNumber('110105', '1949-12-31', 2) // '11010519491231002X'
 */
export function makeResidentIdNumber(areaCode: string, birthDate: string, sequence: number): string {
  const birth = birthDate.replaceAll('-', '');
  if (!/^[1-9]\d{5}$/.test(areaCode)) throw new Error('areaCode must be six digits not starting with 0');
  if (!/^\d{8}$/.test(birth)) throw new Error('birthDate must be YYYY-MM-DD or YYYYMMDD');
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 999) {
    throw new Error('sequence must be an integer from 0 to 999');
  }
  const first17 = `${areaCode}${birth}${String(sequence).padStart(3, '0')}`;
  return `${first17}${idCheckChar(first17)}`;
}

/** Canonical mainland mobile number: 11 digits, without spaces, dashes or a `+86`/`86` prefix. */
export function normaliseMobile(value: string): string {
  const digits = value.replace(/[\s-]/g, '');
  const withoutPrefix = digits.replace(/^(?:\+86|0086|86)(?=1\d{10}$)/, '');
  return withoutPrefix;
}

/**
 * Whether `value` is a mainland China mobile number (`1[3-9]` and nine more digits), optionally
 * written with a `+86`/`86` prefix, spaces or dashes.
 *
 * @example isMainlandMobile('+86 138 1234 5678') // true
 */
export function isMainlandMobile(value: string): boolean {
  return MOBILE_RE.test(normaliseMobile(value));
}

/** Whether a string of digits passes the Luhn (mod 10) check. Anything but digits fails. */
export function isLuhnValid(value: string): boolean {
  if (!/^\d+$/.test(value)) return false;
  let sum = 0;
  let double = false;
  for (let i = value.length - 1; i >= 0; i--) {
    let d = Number(value[i]);
    if (double) {
      d *= 2;
      // A two-digit product (10–18) counts as the sum of its digits.
      if (d >= 10) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Canonical bank card number: the digits without spaces. */
export function normaliseAccountNumber(value: string): string {
  return value.replace(/\s/g, '');
}

/**
 * Whether `value` is a bank card number for a payout (R13): 12–19 digits once spaces are removed,
 * Luhn-valid.
 *
 * @example isBankCardNumber('6222 0200 0000 0000 008') // digits-only, Luhn-checked
 */
export function isBankCardNumber(value: string): boolean {
  const digits = normaliseAccountNumber(value);
  return /^\d{12,19}$/.test(digits) && isLuhnValid(digits);
}

/**
 * Resident ID number as shown in responses: first 4, ten stars, last 4 (`3715**********123X`).
 * Values too short to keep 8 characters are fully starred.
 */
export function maskIdNumber(id: string): string {
  const v = normaliseIdNumber(id);
  if (v.length <= 8) return '*'.repeat(v.length);
  return `${v.slice(0, 4)}${'*'.repeat(10)}${v.slice(-4)}`;
}

/**
 * Bank card number as shown in responses: `6222 **** **** 1234`, whatever the card's length.
 * Values too short to keep 8 digits are fully starred.
 */
export function maskAccountNumber(accountNumber: string): string {
  const v = normaliseAccountNumber(accountNumber);
  if (v.length <= 8) return '*'.repeat(v.length);
  return `${v.slice(0, 4)} **** **** ${v.slice(-4)}`;
}

/** Wallet account id as shown in responses: first 2 and last 4 kept, stars between. */
export function maskWalletId(walletId: string): string {
  const v = walletId.trim();
  if (v.length <= 6) return '*'.repeat(v.length);
  return `${v.slice(0, 2)}${'*'.repeat(v.length - 6)}${v.slice(-4)}`;
}

/** Mobile number as shown in responses: `138****5678`. */
export function maskPhone(phone: string): string {
  const v = normaliseMobile(phone);
  if (v.length <= 7) return '*'.repeat(v.length);
  return `${v.slice(0, 3)}${'*'.repeat(v.length - 7)}${v.slice(-4)}`;
}

/**
 * Name as shown in responses: the first character and a star for each other one (`张**`). A
 * one-character name is fully starred. Counts Unicode code points, so rare characters outside
 * the BMP are not split.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*'.repeat(chars.length);
  return `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}
