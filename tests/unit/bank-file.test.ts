import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bankPurpose, csvField, renderBankFile, UTF8_BOM, yuan } from '../../shared/domain/bank-file.ts';

describe('bank batch file (design §4 bank_file rail)', () => {
  it('writes integer fen as yuan with two decimals, exactly (R6: never floating point)', () => {
    expect(yuan(250000)).toBe('2500.00');
    expect(yuan(250005)).toBe('2500.05');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(0)).toBe('0.00');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (fen) => {
        const text = yuan(fen);
        expect(text).toMatch(/^\d+\.\d{2}$/);
        expect(BigInt(text.replace('.', ''))).toBe(BigInt(fen));
      }),
    );
    expect(() => yuan(1.5)).toThrow('amount 1.5 is not integer fen');
    // A claw-back owed is negative money: the sign stays in front of the yuan.
    expect(yuan(-5)).toBe('-0.05');
    expect(yuan(-250000)).toBe('-2500.00');
  });

  it('says what a line is for: a transfer to a union or a subsidy to a worker (用途)', () => {
    expect(bankPurpose('transfer', 'lc-2022')).toBe('求学圆梦行动补助拨付 lc-2022');
    expect(bankPurpose('payment', 'lc-2022')).toBe('求学圆梦行动补助 lc-2022');
  });

  it('quotes what CSV needs quoted and defuses spreadsheet formulas', () => {
    expect(csvField('张三')).toBe('张三');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+86')).toBe("'+86");
  });

  it('renders a BOM, a header and one CRLF line per row', () => {
    const text = renderBankFile([
      {
        key: 'k1',
        payeeName: '职工1',
        accountNumber: '6222020000000017',
        bankName: '工商银行',
        amountFen: 200000,
        purpose: bankPurpose('payment', 'lc-2022'),
        payeeRef: 'app:a1',
      },
    ]).toString('utf8');
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    expect(text.slice(1).split('\r\n')).toEqual([
      '业务编号,收款户名,收款账号,开户行,金额(元),用途,备注',
      'k1,职工1,6222020000000017,工商银行,2000.00,求学圆梦行动补助 lc-2022,app:a1',
      '',
    ]);
  });

  it('never carries hidden, direction-changing or control characters, even from an old record', () => {
    const text = renderBankFile([
      {
        key: 'k2',
        // Stored before the API refused them (issue 10 point 9): an RLO that shows 三张 as 张三,
        // zero-width characters, a BOM, a C1 control, a lone surrogate and a decomposed é.
        payeeName: '\u202e三张\u200b\u2066',
        accountNumber: '6222020000000017',
        bankName: '工商\uFEFF银行\u0085\uD800',
        amountFen: 100,
        purpose: 'cafe\u0301',
        payeeRef: 'app:a2\u200f',
      },
    ]).toString('utf8');
    const line = text.slice(1).split('\r\n')[1];
    expect(line).toBe('k2,三张,6222020000000017,工商银行,1.00,caf\u00e9,app:a2');
    // No control character but the CRLF line ends, nothing invisible or direction-changing.
    const codePoints = [...text.slice(1).replaceAll('\r\n', '')].map((c) => c.codePointAt(0) ?? 0);
    const hidden = codePoints.filter(
      (cp) =>
        cp < 0x20 ||
        (cp >= 0x7f && cp <= 0x9f) ||
        (cp >= 0x200b && cp <= 0x200f) ||
        (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069) ||
        cp === 0xfeff ||
        (cp >= 0xd800 && cp <= 0xdfff),
    );
    expect(hidden).toEqual([]);
  });
});
