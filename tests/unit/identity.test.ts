import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  birthDateOf,
  isBankCardNumber,
  isLuhnValid,
  isMainlandMobile,
  isResidentIdNumber,
  isResidentIdNumberAsOf,
  makeResidentIdNumber,
  maskAccountNumber,
  maskIdNumber,
  maskName,
  maskPhone,
  maskWalletId,
  normaliseAccountNumber,
  normaliseIdNumber,
  normaliseMobile,
} from '../../shared/domain/identity.ts';

const today = '2022-06-01';

/** A date between 1900-01-01 and `today`, as YYYY-MM-DD. */
const birthDateArb = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date(`${today}T00:00:00Z`), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const areaCodeArb = fc.integer({ min: 100000, max: 999999 }).map(String);
const sequenceArb = fc.integer({ min: 0, max: 999 });

describe('resident ID numbers (GB 11643-1999)', () => {
  it('accepts published valid numbers, including an X check character', () => {
    expect(isResidentIdNumberAsOf('11010519491231002X', today)).toBe(true);
    expect(isResidentIdNumberAsOf('11010519491231002X', '1949-12-31')).toBe(true);
    // Check digit right, but born in 1880: before the 1900-01-01 floor.
    expect(isResidentIdNumberAsOf('440524188001010014', today)).toBe(false);
  });

  it('builds numbers with the right check character', () => {
    expect(makeResidentIdNumber('110105', '1949-12-31', 2)).toBe('11010519491231002X');
    expect(makeResidentIdNumber('440524', '18800101', 1)).toBe('440524188001010014');
  });

  it('accepts every generated number and reads its birth date back', () => {
    fc.assert(
      fc.property(areaCodeArb, birthDateArb, sequenceArb, (area, birth, seq) => {
        const id = makeResidentIdNumber(area, birth, seq);
        expect(id).toHaveLength(18);
        expect(isResidentIdNumberAsOf(id, today)).toBe(true);
        expect(birthDateOf(id)).toBe(birth);
      }),
    );
  });

  it('rejects any single changed character (the check digit catches it)', () => {
    fc.assert(
      fc.property(
        areaCodeArb,
        birthDateArb,
        sequenceArb,
        fc.integer({ min: 0, max: 17 }),
        fc.integer({ min: 1, max: 10 }),
        (area, birth, seq, position, delta) => {
          const id = makeResidentIdNumber(area, birth, seq);
          const alphabet = '0123456789X';
          const current = alphabet.indexOf(id[position] ?? '0');
          const replacement = alphabet[(current + delta) % 11] ?? '0';
          const changed = `${id.slice(0, position)}${replacement}${id.slice(position + 1)}`;
          expect(isResidentIdNumberAsOf(changed, today)).toBe(false);
        },
      ),
    );
  });

  it('normalises spaces and a lowercase x', () => {
    expect(normaliseIdNumber(' 11010519491231002x ')).toBe('11010519491231002X');
    expect(isResidentIdNumberAsOf(' 11010519491231002x', today)).toBe(true);
  });

  it('rejects wrong length, letters, leading 0 and a wrong check digit', () => {
    expect(isResidentIdNumberAsOf('11010519491231002', today)).toBe(false);
    expect(isResidentIdNumberAsOf('11010519491231002X1', today)).toBe(false);
    expect(isResidentIdNumberAsOf('1101051949123100AX', today)).toBe(false);
    expect(isResidentIdNumberAsOf('110105194912310021', today)).toBe(false);
    expect(isResidentIdNumberAsOf('X10105194912310021', today)).toBe(false);
    expect(isResidentIdNumberAsOf('', today)).toBe(false);
    // Leading 0 area code, even with a matching check digit.
    const sum = [0, 1, 0, 1, 0, 5, 1, 9, 4, 9, 1, 2, 3, 1, 0, 0, 2].reduce(
      (acc, d, i) => acc + d * ([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i] ?? 0),
      0,
    );
    expect(isResidentIdNumberAsOf(`01010519491231002${'10X98765432'[sum % 11]}`, today)).toBe(false);
  });

  it('rejects birth dates that do not exist, are before 1900 or after today', () => {
    // Build the check digit correctly so only the date is wrong.
    expect(isResidentIdNumberAsOf(makeResidentIdNumber('371502', '20220230', 1), today)).toBe(false);
    expect(isResidentIdNumberAsOf(makeResidentIdNumber('371502', '20221301', 1), today)).toBe(false);
    expect(isResidentIdNumberAsOf(makeResidentIdNumber('371502', '18991231', 1), today)).toBe(false);
    expect(isResidentIdNumberAsOf(makeResidentIdNumber('371502', '2022-06-02', 1), today)).toBe(false);
    expect(isResidentIdNumberAsOf(makeResidentIdNumber('371502', '2022-06-01', 1), today)).toBe(true);
    expect(isResidentIdNumberAsOf(makeResidentIdNumber('371502', '2000-02-29', 1), today)).toBe(true);
    expect(isResidentIdNumberAsOf(makeResidentIdNumber('371502', '1900-02-29', 1), today)).toBe(false);
  });

  it('accepts birth dates from 1900-01-01 to today, both included, and none outside', () => {
    const bornOn = (birth: string) => isResidentIdNumberAsOf(makeResidentIdNumber('371502', birth, 7), today);
    expect(bornOn('1900-01-01')).toBe(true);
    expect(bornOn('1899-12-31')).toBe(false);
    expect(bornOn(today)).toBe(true);
    expect(bornOn('2022-06-02')).toBe(false);
  });

  it('refuses a valid number with anything before or after it', () => {
    // '371502199005171231' has a digit check character: every prefix of 17 digits is a number too.
    const id = makeResidentIdNumber('371502', '1990-05-17', 123);
    expect(id).toMatch(/\d$/);
    expect(isResidentIdNumberAsOf(id, today)).toBe(true);
    expect(isResidentIdNumberAsOf(`${id}5`, today)).toBe(false);
    expect(isResidentIdNumberAsOf(`1${id}`, today)).toBe(false);
  });

  it('checks against the current date by default', () => {
    expect(isResidentIdNumber(makeResidentIdNumber('371502', '1990-05-17', 123))).toBe(true);
    expect(isResidentIdNumber(' 11010519491231002x')).toBe(true);
    expect(isResidentIdNumber(makeResidentIdNumber('371502', '2999-01-01', 123))).toBe(false);
    expect(isResidentIdNumber('11010519491231002')).toBe(false);
  });

  it('makeResidentIdNumber refuses bad input', () => {
    const area = 'areaCode must be six digits not starting with 0';
    expect(() => makeResidentIdNumber('071502', '1990-01-01', 1)).toThrow(area);
    expect(() => makeResidentIdNumber('37150', '1990-01-01', 1)).toThrow(area);
    expect(() => makeResidentIdNumber('3715021', '1990-01-01', 1)).toThrow(area);
    expect(() => makeResidentIdNumber('0371502', '1990-01-01', 1)).toThrow(area);
    const birth = 'birthDate must be YYYY-MM-DD or YYYYMMDD';
    expect(() => makeResidentIdNumber('371502', '1990-1-1', 1)).toThrow(birth);
    expect(() => makeResidentIdNumber('371502', '199001011', 1)).toThrow(birth);
    expect(() => makeResidentIdNumber('371502', 'x19900101', 1)).toThrow(birth);
    const sequence = 'sequence must be an integer from 0 to 999';
    expect(() => makeResidentIdNumber('371502', '1990-01-01', 1000)).toThrow(sequence);
    expect(() => makeResidentIdNumber('371502', '1990-01-01', -1)).toThrow(sequence);
    expect(() => makeResidentIdNumber('371502', '1990-01-01', 1.5)).toThrow(sequence);
    expect(makeResidentIdNumber('371502', '1990-01-01', 0)).toMatch(/^37150219900101000/);
    expect(makeResidentIdNumber('371502', '1990-01-01', 999)).toMatch(/^37150219900101999/);
  });
});

describe('mainland mobile numbers', () => {
  it('accepts 1[3-9] and nine digits, with or without +86/86', () => {
    expect(isMainlandMobile('13812345678')).toBe(true);
    expect(isMainlandMobile('19912345678')).toBe(true);
    expect(isMainlandMobile('+8613812345678')).toBe(true);
    expect(isMainlandMobile('8613812345678')).toBe(true);
    expect(isMainlandMobile('+86 138-1234-5678')).toBe(true);
  });

  it('rejects other numbers', () => {
    expect(isMainlandMobile('12812345678')).toBe(false);
    expect(isMainlandMobile('1381234567')).toBe(false);
    expect(isMainlandMobile('138123456789')).toBe(false);
    expect(isMainlandMobile('+8513812345678')).toBe(false);
    expect(isMainlandMobile('0531-12345678')).toBe(false);
    expect(isMainlandMobile('1381234567a')).toBe(false);
  });

  it('normalises to 11 digits', () => {
    expect(normaliseMobile('+86 138 1234 5678')).toBe('13812345678');
    expect(normaliseMobile('8613812345678')).toBe('13812345678');
    expect(normaliseMobile('13812345678')).toBe('13812345678');
    expect(normaliseMobile('008613812345678')).toBe('13812345678');
  });

  it('strips a country prefix only at the start and only when a whole mobile number follows', () => {
    // What is stored is this canonical form, so a mangled number must stay visibly mangled.
    expect(normaliseMobile('0 86 138 1234 5678')).toBe('08613812345678');
    expect(normaliseMobile('86138123456789')).toBe('86138123456789');
  });
});

/** Appends the Luhn check digit to a string of digits. */
function withLuhnDigit(payload: string): string {
  for (let d = 0; d <= 9; d++) if (isLuhnValid(`${payload}${d}`)) return `${payload}${d}`;
  throw new Error('unreachable');
}

describe('bank card numbers', () => {
  it('Luhn-checks known numbers', () => {
    expect(isLuhnValid('79927398713')).toBe(true);
    expect(isLuhnValid('79927398710')).toBe(false);
    expect(isLuhnValid('4111111111111111')).toBe(true);
    // A doubled 5 makes 10, which counts as 1: numbers made by this code's own check digit cannot show that.
    expect(isLuhnValid('5555555555554444')).toBe(true);
    expect(isLuhnValid('59')).toBe(true);
    expect(isLuhnValid('')).toBe(false);
    expect(isLuhnValid('4111 1111 1111 1111')).toBe(false);
    // Anything but digits fails, even where it would read as a zero.
    expect(isLuhnValid('0')).toBe(true);
    expect(isLuhnValid('0 ')).toBe(false);
    expect(isLuhnValid(' 0')).toBe(false);
  });

  it('accepts Luhn-valid 12–19 digit numbers, spaces allowed', () => {
    expect(isBankCardNumber('4111111111111111')).toBe(true);
    expect(isBankCardNumber('4111 1111 1111 1111')).toBe(true);
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{10,17}$/), (payload) => {
        const card = withLuhnDigit(payload);
        expect(isBankCardNumber(card)).toBe(true);
        const last = Number(card.at(-1));
        expect(isBankCardNumber(`${card.slice(0, -1)}${(last + 1) % 10}`)).toBe(false);
      }),
    );
  });

  it('rejects wrong lengths and non-digits', () => {
    expect(isBankCardNumber(withLuhnDigit('1234567890'))).toBe(false); // 11 digits
    expect(isBankCardNumber(withLuhnDigit('1234567890123456789'))).toBe(false); // 20 digits
    expect(isBankCardNumber('4111-1111-1111-1111')).toBe(false);
    expect(normaliseAccountNumber(' 6222 0200 1234 ')).toBe('622202001234');
  });
});

describe('masks', () => {
  it('masks ID numbers as first 4, ten stars, last 4', () => {
    expect(maskIdNumber('37150219900517123x')).toBe('3715**********123X');
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
  });

  it('masks account numbers as first 4 and last 4 whatever the length', () => {
    expect(maskAccountNumber('6222021234567891234')).toBe('6222 **** **** 1234');
    expect(maskAccountNumber('6222 0212 3456 1234')).toBe('6222 **** **** 1234');
    expect(maskAccountNumber('622202121234')).toBe('6222 **** **** 1234');
  });

  it('stars values too short to keep their first and last characters, and no longer ones', () => {
    expect(maskIdNumber('12345678')).toBe('********');
    expect(maskIdNumber('123456789')).toBe('1234**********6789');
    expect(maskAccountNumber('1234 5678')).toBe('********');
    expect(maskAccountNumber('123456789')).toBe('1234 **** **** 6789');
    expect(maskWalletId('abcdefg')).toBe('ab*defg');
    expect(maskPhone('1234567')).toBe('*******');
    expect(maskPhone('12345678')).toBe('123*5678');
  });

  it('ignores surrounding spaces of wallet ids and names', () => {
    expect(maskWalletId('  wx1234567890  ')).toBe('wx******7890');
    expect(maskName(' 张三 ')).toBe('张*');
  });

  it('masks wallet ids, phones and names', () => {
    expect(maskWalletId('wx1234567890')).toBe('wx******7890');
    expect(maskWalletId('ab1234')).toBe('******');
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('138****5678');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李四')).toBe('李*');
    expect(maskName('𠀋小明')).toBe('𠀋**');
    expect(maskName('王')).toBe('*');
  });

  it('never reveals more than the kept characters', () => {
    fc.assert(
      fc.property(areaCodeArb, birthDateArb, sequenceArb, (area, birth, seq) => {
        const masked = maskIdNumber(makeResidentIdNumber(area, birth, seq));
        expect(masked).toHaveLength(18);
        expect(masked.slice(4, 14)).toBe('*'.repeat(10));
        // The birth date is entirely hidden.
        expect(masked).not.toContain(birth.replaceAll('-', ''));
      }),
    );
  });
});
