import { addMonths } from './dates.ts';

export type RuleId = 'R1' | 'R4' | 'R9' | 'R11';

export interface EligibilityFacts {
  positionLevel: string;
  level: string;
  enrolledOn: string;
  chsiValidUntil: string;
}

export interface ProgrammeTerms {
  levels: readonly string[];
  enrolmentYear: number;
}

/**
 * Rule failures that are not typos (422 `ineligible`):
 * - R1 目标人群: positions above section level are not eligible;
 * - R4 新入读: the level must be offered and the enrolment must fall in the programme's enrolment year;
 * - R11 学籍验证报告有效期为6个月以上: the CHSI report must stay valid six months past submission.
 * `onDate` is the (Shanghai) date of submission, or of the draft's last change before submitting.
 */
export function eligibilityFailures(
  facts: EligibilityFacts,
  terms: ProgrammeTerms,
  onDate: string,
): RuleId[] {
  const failed: RuleId[] = [];
  if (facts.positionLevel === 'above_section') failed.push('R1');
  if (!terms.levels.includes(facts.level) || Number(facts.enrolledOn.slice(0, 4)) !== terms.enrolmentYear) {
    failed.push('R4');
  }
  if (facts.chsiValidUntil < addMonths(onDate, 6)) failed.push('R11');
  return failed;
}

export const ruleMessages: Record<RuleId, string> = {
  R1: '仅限车间(工段、科室)主任(含)或科级(含)以下的一线职工',
  R4: '仅补助本项目年度新入读的大专及本科学历',
  // R9 实名注册: where the issuer vouches for a real name and ID number, the applicant is the account holder.
  R9: '申请人须为本账号实名认证的本人：姓名和身份证号须与实名信息一致',
  R11: '学信网学籍在线验证报告的有效期须在提交之日起6个月以上',
};
