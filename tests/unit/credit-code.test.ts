import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  creditCodeCheckChar,
  isUnifiedSocialCreditCode,
  makeCreditCode,
  normaliseCreditCode,
} from '../../shared/domain/credit-code.ts';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts published codes with their check characters', () => {
    for (const code of ['91350100M000100Y43', '91110000600037341L', '91440300708461136T']) {
      expect(isUnifiedSocialCreditCode(code), code).toBe(true);
    }
  });

  it('computes the check character as 31 minus the weighted sum mod 31', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckChar('91110000600037341')).toBe('L');
    // A sum divisible by 31 gives 0, not the 31st character.
    expect(creditCodeCheckChar('00000000000000000')).toBe('0');
  });

  it('refuses a wrong check character', () => {
    expect(isUnifiedSocialCreditCode('91350100M000100Y44')).toBe(false);
    expect(isUnifiedSocialCreditCode('91110000600037341K')).toBe(false);
  });

  it('refuses wrong lengths, letters outside the alphabet and letters in the division code', () => {
    expect(isUnifiedSocialCreditCode('91350100M000100Y4')).toBe(false);
    expect(isUnifiedSocialCreditCode('91350100M000100Y433')).toBe(false);
    expect(isUnifiedSocialCreditCode('')).toBe(false);
    // I, O, S, V and Z are not in the code's alphabet.
    for (const letter of 'IOSVZ') {
      const code = `91350100${letter}000100Y43`;
      expect(isUnifiedSocialCreditCode(code), code).toBe(false);
    }
    // Positions 3–8 are the administrative division: digits only.
    expect(isUnifiedSocialCreditCode(makeCreditCode('9135A100M000100Y4'))).toBe(false);
  });

  it('accepts spaces around and a lower case, and normalises them away', () => {
    expect(isUnifiedSocialCreditCode(' 91110000600037341l ')).toBe(true);
    expect(normaliseCreditCode(' 91110000600037341l ')).toBe('91110000600037341L');
  });

  it('detects every single changed character (property)', () => {
    const char = fc.constantFrom(...ALPHABET);
    const first17 = fc
      .tuple(
        fc.array(char, { minLength: 2, maxLength: 2 }),
        fc.array(fc.constantFrom(...'0123456789'), { minLength: 6, maxLength: 6 }),
        fc.array(char, { minLength: 9, maxLength: 9 }),
      )
      .map(([a, b, c]) => [...a, ...b, ...c].join(''));
    fc.assert(
      fc.property(first17, fc.integer({ min: 0, max: 17 }), char, (body, at, replacement) => {
        const code = makeCreditCode(body);
        expect(isUnifiedSocialCreditCode(code)).toBe(true);
        const changed = `${code.slice(0, at)}${replacement}${code.slice(at + 1)}`;
        if (changed !== code && (at < 2 || at > 7 || /\d/.test(replacement))) {
          expect(isUnifiedSocialCreditCode(changed)).toBe(false);
        }
      }),
    );
  });
});
