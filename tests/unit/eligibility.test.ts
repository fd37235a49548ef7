import { describe, expect, it } from 'vitest';
import { type EligibilityFacts, eligibilityFailures, ruleMessages } from '../../shared/domain/eligibility.ts';

/**
 * The eligibility rules at the domain level (R1, R4, R11). The HTTP tests reach them through submit;
 * these pin each rule's boundary so that a weakened rule fails here, next to the rule.
 */
const terms = { levels: ['junior_college', 'bachelor'], enrolmentYear: 2022 };
const eligible: EligibilityFacts = {
  positionLevel: 'frontline',
  level: 'bachelor',
  enrolledOn: '2022-03-01',
  chsiValidUntil: '2023-06-01',
};
const failures = (change: Partial<EligibilityFacts>, onDate = '2022-05-10', programme = terms) =>
  eligibilityFailures({ ...eligible, ...change }, programme, onDate);

describe('eligibilityFailures', () => {
  it('passes a front-line worker newly enrolled this year with a report valid long enough', () => {
    expect(failures({})).toEqual([]);
  });

  it.each(['frontline', 'team_leader', 'section_head'])(
    'R1: admits the position level %s',
    (positionLevel) => {
      expect(failures({ positionLevel })).toEqual([]);
    },
  );

  it('R1: refuses positions above section level (车间主任或科级以下)', () => {
    expect(failures({ positionLevel: 'above_section' })).toEqual(['R1']);
  });

  it('R4: refuses a level the programme does not offer', () => {
    expect(failures({ level: 'master' })).toEqual(['R4']);
    expect(failures({ level: 'junior_college' }, '2022-05-10', { ...terms, levels: ['bachelor'] })).toEqual([
      'R4',
    ]);
  });

  it('R4: admits enrolments from the first to the last day of the enrolment year, and none outside it', () => {
    expect(failures({ enrolledOn: '2022-01-01' })).toEqual([]);
    expect(failures({ enrolledOn: '2022-12-31' })).toEqual([]);
    expect(failures({ enrolledOn: '2021-12-31' })).toEqual(['R4']);
    expect(failures({ enrolledOn: '2023-01-01' })).toEqual(['R4']);
  });

  it('R11: the CHSI report must be valid at least six calendar months from the submission date', () => {
    expect(failures({ chsiValidUntil: '2022-11-10' })).toEqual([]);
    expect(failures({ chsiValidUntil: '2022-11-09' })).toEqual(['R11']);
    // Six months from 31 August is the last day of February (addMonths clamps).
    expect(failures({ chsiValidUntil: '2023-02-28' }, '2022-08-31')).toEqual([]);
    expect(failures({ chsiValidUntil: '2023-02-27' }, '2022-08-31')).toEqual(['R11']);
  });

  it('reports every failed rule at once, in rule order', () => {
    expect(
      failures({ positionLevel: 'above_section', enrolledOn: '2021-09-01', chsiValidUntil: '2022-06-01' }),
    ).toEqual(['R1', 'R4', 'R11']);
  });

  it('has a message for each rule in the notice’s own words', () => {
    expect(ruleMessages.R1).toContain('科级(含)以下的一线职工');
    expect(ruleMessages.R4).toContain('新入读');
    expect(ruleMessages.R11).toContain('6个月以上');
  });
});
