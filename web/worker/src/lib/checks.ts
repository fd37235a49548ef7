import { addMonths, isCalendarDate } from '../../../../shared/domain/dates.ts';
import { eligibilityFailures, type RuleId, ruleMessages } from '../../../../shared/domain/eligibility.ts';
import {
  birthDateOf,
  isBankCardNumber,
  isMainlandMobile,
  isResidentIdNumber,
  normaliseIdNumber,
} from '../../../../shared/domain/identity.ts';

/**
 * The checks a worker sees while typing (architecture.md §7): the very functions the API validates
 * with (shared/domain), so the page and the server never disagree about an ID number or a card.
 * Each returns the message to show under the field, or undefined when the value is fine.
 */

export function idNumberProblem(value: string): string | undefined {
  const v = normaliseIdNumber(value);
  if (v.length === 0) return '请填写身份证号';
  if (v.length !== 18) return `身份证号须为18位（已填${v.length}位）`;
  if (!/^[1-9]\d{16}[\dX]$/.test(v)) return '身份证号只能是数字，最后一位可以是X';
  if (!isCalendarDate(birthDateOf(v))) return '身份证号中的出生日期不存在';
  if (!isResidentIdNumber(v)) return '身份证号校验码不对，请逐位核对';
  return undefined;
}

export function mobileProblem(value: string): string | undefined {
  if (value.trim().length === 0) return '请填写手机号';
  return isMainlandMobile(value) ? undefined : '手机号须为11位中国大陆手机号';
}

export function bankCardProblem(value: string): string | undefined {
  const digits = value.replace(/\s/g, '');
  if (digits.length === 0) return '请填写银行卡号';
  if (!/^\d+$/.test(digits)) return '银行卡号只能是数字';
  if (digits.length < 12 || digits.length > 19) return '银行卡号须为12–19位';
  return isBankCardNumber(digits) ? undefined : '银行卡号校验不通过，请逐位核对';
}

/** R13 齐鲁工惠钱包: the account id as the API accepts it. */
export function walletIdProblem(value: string): string | undefined {
  return /^[A-Za-z0-9_-]{6,40}$/.test(value.trim())
    ? undefined
    : '钱包账号为 6–40 位字母、数字、下划线或短横线';
}

export function required(value: string | undefined, label: string): string | undefined {
  return value && value.trim().length > 0 ? undefined : `请填写${label}`;
}

export function dateProblem(value: string, label: string): string | undefined {
  if (!value) return `请填写${label}`;
  return isCalendarDate(value) ? undefined : `${label}不是有效日期`;
}

/** R1, R4, R11 as the server checks them at submission, shown before the worker submits. */
export function eligibilityProblems(
  facts: { positionLevel: string; level: string; enrolledOn: string; chsiValidUntil: string },
  terms: { levels: readonly string[]; enrolmentYear: number },
  today: string,
): { rule: RuleId; message: string }[] {
  return eligibilityFailures(facts, terms, today).map((rule) => ({ rule, message: ruleMessages[rule] }));
}

/** The earliest CHSI valid-until date R11 accepts if the worker submits today. */
export function earliestChsiValidUntil(today: string): string {
  return addMonths(today, 6);
}
