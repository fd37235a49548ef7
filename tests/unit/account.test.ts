import { describe, expect, it } from 'vitest';
import { applicantMatchesAccount } from '../../shared/domain/account.ts';

/** The seam where an account is bound to its verified real name (实名认证, issue 10 point 8). */
describe('applicantMatchesAccount', () => {
  const applicant = { name: '张三', idHash: 'h1' };

  it('lets an account with no verified identity apply as anyone (today’s issuers carry none)', () => {
    expect(applicantMatchesAccount({ sub: 'w1' }, applicant)).toBe(true);
  });

  it('requires the verified ID number and name, each when the issuer supplies it', () => {
    expect(applicantMatchesAccount({ sub: 'w1', verifiedIdHash: 'h1' }, applicant)).toBe(true);
    expect(applicantMatchesAccount({ sub: 'w1', verifiedIdHash: 'h2' }, applicant)).toBe(false);
    expect(applicantMatchesAccount({ sub: 'w1', verifiedName: '张三' }, applicant)).toBe(true);
    expect(applicantMatchesAccount({ sub: 'w1', verifiedName: '李四' }, applicant)).toBe(false);
    expect(
      applicantMatchesAccount({ sub: 'w1', verifiedIdHash: 'h1', verifiedName: '李四' }, applicant),
    ).toBe(false);
    expect(
      applicantMatchesAccount({ sub: 'w1', verifiedIdHash: 'h2', verifiedName: '张三' }, applicant),
    ).toBe(false);
  });
});
