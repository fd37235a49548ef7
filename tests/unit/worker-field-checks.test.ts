import { describe, expect, it } from 'vitest';
import { makeResidentIdNumber } from '../../shared/domain/identity.ts';
import { Applicant, PayoutAccount } from '../../shared/schemas/applications.ts';
import {
  bankCardProblem,
  eligibilityProblems,
  idNumberProblem,
  mobileProblem,
  walletIdProblem,
} from '../../web/worker/src/lib/checks.ts';
import { bankCardFor, idNumberFor } from '../support/fixtures.ts';

/**
 * The worker pages check fields as they are typed (architecture.md §7) with the server's own rules:
 * for every value here, the page finds a problem exactly when the API's schema refuses it.
 */
const valid = idNumberFor(42);
const idNumbers = [
  valid,
  valid.toLowerCase(),
  ` ${valid} `,
  '11010519491231002X',
  '11010519491231002x',
  `${valid.slice(0, 17)}${valid[17] === '0' ? '1' : '0'}`, // wrong check character
  makeResidentIdNumber('110105', '19490230', 2), // right check character, 1949-02-30 does not exist
  makeResidentIdNumber('110105', '29990101', 2), // right check character, born in the future
  '01010519491231002X', // area code starting with 0
  valid.slice(0, 17),
  `${valid}1`,
  '',
];
const mobiles = ['13800138000', '+86 138 0013 8000', '138-0013-8000', '12800138000', '1380013800', 'abc', ''];
const cards = [
  bankCardFor(7),
  `${bankCardFor(7).slice(0, 4)} ${bankCardFor(7).slice(4)}`,
  '6222020000000000009',
  '12345',
  'abcd',
  '',
];

const wallets = [
  'qlgh_wallet-01',
  ' qlgh_wallet-01 ',
  'abc12',
  'a'.repeat(40),
  'a'.repeat(41),
  '钱包账号12',
  'ab cd ef',
  '',
];

describe('the page and the API agree on each field', () => {
  it.each(idNumbers)('ID number %j', (v) => {
    const api = Applicant.shape.idNumber.safeParse(v).success;
    expect(idNumberProblem(v) === undefined).toBe(api);
  });
  it.each(mobiles)('mobile %j', (v) => {
    expect(mobileProblem(v) === undefined).toBe(Applicant.shape.phone.safeParse(v).success);
  });
  it.each(cards)('bank card %j', (v) => {
    const api = PayoutAccount.safeParse({
      kind: 'bank',
      bankName: '工行',
      accountName: '张三',
      accountNumber: v,
    }).success;
    expect(bankCardProblem(v) === undefined).toBe(api);
  });
  it.each(wallets)('wallet account %j', (v) => {
    const api = PayoutAccount.safeParse({ kind: 'wallet', walletId: v }).success;
    expect(walletIdProblem(v) === undefined).toBe(api);
  });
});

describe('eligibility before submitting (R1, R4, R11)', () => {
  const terms = { levels: ['junior_college', 'bachelor'], enrolmentYear: 2026 };
  const fine = {
    positionLevel: 'frontline',
    level: 'bachelor',
    enrolledOn: '2026-03-01',
    chsiValidUntil: '2027-06-01',
  };
  it('passes an eligible worker and names each failed rule otherwise', () => {
    expect(eligibilityProblems(fine, terms, '2026-12-01')).toEqual([]);
    const failed = eligibilityProblems(
      {
        positionLevel: 'above_section',
        level: 'bachelor',
        enrolledOn: '2025-09-01',
        chsiValidUntil: '2027-05-31',
      },
      terms,
      '2026-12-01',
    );
    expect(failed.map((f) => f.rule)).toEqual(['R1', 'R4', 'R11']);
    expect(failed.every((f) => f.message.length > 0)).toBe(true);
  });
});
