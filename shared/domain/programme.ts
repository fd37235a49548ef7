import type { FieldError } from '../model/field-error.ts';
import type { Org } from '../model/org.ts';
import type { ProgrammeInput } from '../model/programme.ts';
import { shareTotalFen } from './quota.ts';

/**
 * The rules a programme must satisfy beyond its shape: dates ordered, review batches after the
 * application window opens and not overlapping (R10, R12), allocations only on `unit` orgs under the
 * owner (R5), funders that exist and sit on the unit's path (R6), unique ids, and money each funder
 * commits that stays an exact integer of fen.
 * Returns every problem found, each with the path of the offending field.
 */
export function programmeErrors(input: ProgrammeInput, orgs: ReadonlyMap<string, Org>): FieldError[] {
  const errors: FieldError[] = [];
  const add = (path: string, message: string) => errors.push({ path, message });

  const owner = orgs.get(input.ownerOrgId);
  if (!owner) add('ownerOrgId', '主办组织不存在');

  const window = input.applicationWindow;
  if (window.opensOn > window.closesOn) add('applicationWindow.closesOn', '申请截止日期不能早于开始日期');
  if (Number(window.opensOn.slice(0, 4)) !== input.year) {
    add('applicationWindow.opensOn', '申请开始日期应在项目年度内');
  }

  const batchIds = new Set<string>();
  input.reviewBatches.forEach((batch, i) => {
    const at = `reviewBatches.${i}`;
    if (batchIds.has(batch.id)) add(`${at}.id`, '审核批次编号重复');
    batchIds.add(batch.id);
    if (batch.opensOn > batch.closesOn) add(`${at}.closesOn`, '审核结束日期不能早于开始日期');
    if (batch.opensOn < window.opensOn) add(`${at}.opensOn`, '审核批次不能早于申请开始日期');
    const previous = input.reviewBatches[i - 1];
    if (previous && batch.opensOn <= previous.closesOn) {
      add(`${at}.opensOn`, '审核批次须按时间顺序排列且不能重叠');
    }
  });
  const lastBatch = input.reviewBatches.at(-1);
  if (lastBatch && lastBatch.closesOn < window.closesOn) {
    add(`reviewBatches.${input.reviewBatches.length - 1}.closesOn`, '最后一批审核不能早于申请截止日期结束');
  }

  if (new Set(input.levels).size !== input.levels.length) add('levels', '学历层次重复');

  const units = new Set<string>();
  const committedFen = new Map<string, number>();
  input.allocations.forEach((allocation, i) => {
    const at = `allocations.${i}`;
    const unit = orgs.get(allocation.unitOrgId);
    if (units.has(allocation.unitOrgId)) add(`${at}.unitOrgId`, '同一单位只能分配一次');
    units.add(allocation.unitOrgId);
    if (!unit) {
      add(`${at}.unitOrgId`, '单位不存在');
    } else if (unit.kind !== 'unit') {
      add(`${at}.unitOrgId`, '名额只能分配给县(市、区)级单位');
    } else if (owner && !unit.path.includes(owner.id)) {
      add(`${at}.unitOrgId`, '单位不在主办组织之下');
    }
    const funders = new Set<string>();
    allocation.funding.forEach((share, j) => {
      const sharePath = `${at}.funding.${j}`;
      if (funders.has(share.funderOrgId)) add(`${sharePath}.funderOrgId`, '同一资助方只能出现一次');
      funders.add(share.funderOrgId);
      const funder = orgs.get(share.funderOrgId);
      if (!funder) {
        add(`${sharePath}.funderOrgId`, '资助方不存在');
      } else if (unit && !unit.path.includes(funder.id)) {
        // R6/R7: the money of an allocation comes from the unit itself or the unions above it.
        add(`${sharePath}.funderOrgId`, '资助方必须是该单位或其上级工会');
      }
      // A share without `places` funds every place of the unit, never more.
      if ((share.places ?? 0) > allocation.places) {
        add(`${sharePath}.places`, '资助名额不能超过分配名额');
      }
      // R6 money is integer fen: a funder's total across the programme must be counted exactly (≤ 2^53 − 1).
      const committed = (committedFen.get(share.funderOrgId) ?? 0) + shareTotalFen(share, allocation.places);
      if (
        !Number.isSafeInteger(committed) &&
        Number.isSafeInteger(committedFen.get(share.funderOrgId) ?? 0)
      ) {
        add(`${sharePath}.amountFen`, '该资助方的补助总额过大');
      }
      committedFen.set(share.funderOrgId, committed);
    });
  });
  // R6 乡镇/单位工会可配套: a top-up comes from a township, an employer or a unit inside the programme.
  const topUpFunders = new Set<string>();
  (input.topUps ?? []).forEach((topUp, i) => {
    const at = `topUps.${i}.funderOrgId`;
    const funder = orgs.get(topUp.funderOrgId);
    if (topUpFunders.has(topUp.funderOrgId)) add(at, '同一配套方只能出现一次');
    topUpFunders.add(topUp.funderOrgId);
    if (!funder) add(at, '配套方不存在');
    else if (!['township', 'enterprise', 'unit'].includes(funder.kind))
      add(at, '配套方须为县级、乡镇或企业(单位)工会');
    else if (!funder.path.some((id) => units.has(id))) add(at, '配套方须在本项目的名额分配单位之下');
  });
  return errors;
}

/** Every org id a programme refers to, to load them in one batch before validating. */
export function referencedOrgIds(input: ProgrammeInput): string[] {
  const ids = new Set<string>([input.ownerOrgId]);
  for (const a of input.allocations) {
    ids.add(a.unitOrgId);
    for (const f of a.funding) ids.add(f.funderOrgId);
  }
  for (const t of input.topUps ?? []) ids.add(t.funderOrgId);
  return [...ids];
}
