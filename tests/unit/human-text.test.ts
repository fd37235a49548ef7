/**
 * Issue 10 point 9: names and reasons refuse characters that change how text displays. One helper,
 * `humanText`, is used by every human-readable field of the request schemas; this tests it and the
 * pure check under it, one class of characters at a time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displaySafe, isDisplaySafe } from '../../shared/domain/text.ts';
import { Applicant, CreateApplicationBody } from '../../shared/schemas/applications.ts';
import { humanText } from '../../shared/schemas/common.ts';
import { CreateOrgBody } from '../../shared/schemas/orgs.ts';
import { CreateProgrammeBody } from '../../shared/schemas/programmes.ts';
import { DecisionBody } from '../../shared/schemas/review.ts';

const name = humanText({ label: '姓名', max: 40 });

/** Every code point of an inclusive range, as strings. */
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));

const classes: [string, string[]][] = [
  ['zero-width and directional marks U+200B–U+200F', range(0x200b, 0x200f)],
  ['bidirectional embeddings and overrides U+202A–U+202E', range(0x202a, 0x202e)],
  ['bidirectional isolates U+2066–U+2069', range(0x2066, 0x2069)],
  ['the zero-width no-break space / BOM U+FEFF', ['\uFEFF']],
  ['C0 controls U+0000–U+001F (tab and line breaks included)', range(0x0000, 0x001f)],
  ['DEL and C1 controls U+007F–U+009F', range(0x007f, 0x009f)],
  ['word joiner and invisible operators U+2060–U+2064', range(0x2060, 0x2064)],
  ['line and paragraph separators, arabic letter mark', ['\u2028', '\u2029', '\u061C']],
  ['lone surrogates', ['\uD800', '\uDBFF', '\uDC00', '\uDFFF']],
];

describe('humanText (issue 10 point 9)', () => {
  it.each(classes)('refuses %s anywhere in the text, naming the field', (_, chars) => {
    expect(chars.length).toBeGreaterThan(0);
    for (const c of chars) {
      for (const text of [`${c}张三`, `张${c}三`, `张三${c}`]) {
        const parsed = Applicant.shape.name.safeParse(text);
        expect(parsed.success, JSON.stringify(text)).toBe(false);
        expect(parsed.error?.issues.some((i) => i.message.startsWith('姓名含有不可见字符'))).toBe(true);
      }
      expect(isDisplaySafe(`张${c}三`)).toBe(false);
    }
  });

  it('refuses the RLO that shows 三张 as 张三', () => {
    expect(name.safeParse('\u202e三张').success).toBe(false);
  });

  it('accepts ordinary names: Chinese, rare characters outside the BMP, a middle dot, Latin', () => {
    for (const ok of ['张三', '𠮷野家', '买买提·艾力', 'Zhang San', '欧阳娜娜']) {
      expect(name.parse(ok)).toBe(ok);
    }
  });

  it('normalises to NFC and trims, so one name has one spelling', () => {
    expect(name.parse('  Jose\u0301 ')).toBe('Jos\u00e9');
    expect(name.parse('\u2000张三\u3000')).toBe('张三');
  });

  it('keeps its length limits and empty-field message', () => {
    expect(name.safeParse('').error?.issues[0]?.message).toBe('姓名不能为空');
    expect(name.safeParse('   ').success).toBe(false);
    expect(name.safeParse('张'.repeat(41)).success).toBe(false);
    const optional = humanText({ label: '理由', min: 0, max: 5 });
    expect(optional.parse('')).toBe('');
    expect(optional.safeParse('a\u200bb').success).toBe(false);
  });

  it('agrees with isDisplaySafe on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        const parsed = humanText({ label: 'x', min: 0, max: 100 }).safeParse(s);
        if (parsed.success) expect(isDisplaySafe(parsed.data)).toBe(true);
        else expect(isDisplaySafe(s.normalize('NFC')) && s.trim().length > 0).toBe(false);
      }),
    );
  });

  it('is used by every human-readable field of the request schemas', () => {
    const bad = '\u202e三张';
    const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
      (r.error?.issues ?? []).map((i) => i.path.join('.'));
    const app = CreateApplicationBody.safeParse({
      programmeId: 'p',
      employerOrgId: 'e',
      applicant: { name: bad, idNumber: 'x', phone: 'x', positionLevel: 'frontline', migrantWorker: false },
      enrolment: { institution: bad, major: bad, level: 'bachelor', enrolledOn: '2026-03-01' },
      chsiReport: { verificationCode: 'ABCDEFGH', validUntil: '2027-01-01' },
      jobTitle: bad,
      relevance: bad,
      payoutAccount: { kind: 'bank', bankName: bad, accountName: bad, accountNumber: 'x' },
    });
    expect(paths(app)).toEqual(
      expect.arrayContaining([
        'applicant.name',
        'enrolment.institution',
        'enrolment.major',
        'jobTitle',
        'relevance',
        'payoutAccount.bankName',
        'payoutAccount.accountName',
      ]),
    );
    expect(paths(DecisionBody.safeParse({ decision: 'reject', reason: `不符合${bad}` }))).toContain('reason');
    expect(paths(CreateOrgBody.safeParse({ id: 'x', name: bad, kind: 'enterprise', parentId: 'y' }))).toEqual(
      ['name'],
    );
    const programme = CreateProgrammeBody.safeParse({
      title: bad,
      contacts: { hotline: bad, people: [{ name: bad, phone: bad, role: bad }] },
    });
    expect(paths(programme)).toEqual(
      expect.arrayContaining([
        'title',
        'contacts.hotline',
        'contacts.people.0.name',
        'contacts.people.0.phone',
        'contacts.people.0.role',
      ]),
    );
  });
});

describe('displaySafe (the bank file’s defence)', () => {
  it('removes what humanText refuses and normalises the rest', () => {
    expect(displaySafe('\u202e三张\u200b')).toBe('三张');
    expect(displaySafe('a\uD800b\u0085c')).toBe('abc');
    expect(displaySafe('  张三 ')).toBe('张三');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        expect(isDisplaySafe(displaySafe(s))).toBe(true);
      }),
    );
  });
});
