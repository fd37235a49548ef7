/**
 * The worker pages' words for the API's codes (architecture.md §7): what a worker reads for a
 * position level, an education level, a review status, a place, a document kind and a timeline event.
 */

export const positionLevelNames: Record<string, string> = {
  frontline: '一线职工',
  team_leader: '班组长',
  section_head: '车间(工段、科室)主任或科级',
  above_section: '科级以上',
};

export const levelNames: Record<string, string> = { junior_college: '大专', bachelor: '本科' };

/** 学习形式 of the catalogue's offerings. */
export const studyModeNames: Record<string, string> = {
  correspondence: '函授',
  spare_time: '业余',
  online: '网络',
};

export const statusNames: Record<string, string> = {
  draft: '草稿（未提交）',
  in_review: '审核中',
  returned: '已退回，待修改',
  approved: '审核通过',
  rejected: '未通过',
  withdrawn: '已撤回',
  lapsed: '已过期',
  revoked: '已撤销',
};

/** R11: the five documents, in the order a worker gathers them. */
export const documentKinds = [
  { kind: 'application_form', name: '申请表（单位工会盖章）' },
  { kind: 'chsi_report', name: '学信网学籍在线验证报告' },
  { kind: 'id_card_front', name: '身份证正面' },
  { kind: 'id_card_back', name: '身份证反面' },
  { kind: 'payout_proof', name: '银行卡或钱包账号截图' },
] as const;
export type DocumentKind = (typeof documentKinds)[number]['kind'];

/** 已占名额 · 候补第 N 位 — the same words as the union console's 名额状态. */
export function placeWords(quota: { state: string; waitlistPosition?: number | undefined }): string {
  switch (quota.state) {
    case 'claimed':
      return '已占名额';
    case 'waitlisted':
      return quota.waitlistPosition ? `候补第 ${quota.waitlistPosition} 位` : '候补中';
    case 'released':
      return '名额已释放';
    default:
      return '尚未占用名额';
  }
}

export const paymentStatusNames: Record<string, string> = {
  pending: '发放中',
  paid: '已到账',
  failed: '发放失败',
};

/** A timeline event in plain words (R14); `org` names the union that acted. */
export function timelineWords(
  event: { type: string; reason?: string | undefined; [k: string]: unknown },
  org: (id: string | undefined) => string,
): string {
  const by = org(typeof event.orgId === 'string' ? event.orgId : undefined);
  switch (event.type) {
    case 'created':
      return '创建了申请草稿';
    case 'submitted':
      return '提交了申请';
    case 'waitlist_entry':
    case 'waitlisted':
      return '名额已满，进入候补';
    case 'place_claimed':
    case 'claimed':
      return '占得名额';
    case 'promoted':
      return '前面有人让出名额，由候补转为已占名额';
    case 'approved_step':
      return `${by}审核通过`;
    case 'approved':
      return `${by}审核通过，申请已批准`;
    case 'returned':
      return `${by}退回修改${event.reason ? `：${event.reason}` : ''}`;
    case 'resubmitted':
      return '修改后重新提交';
    case 'rejected':
      return `${by}审核未通过${event.reason ? `：${event.reason}` : ''}`;
    case 'withdrawn':
      return '撤回了申请，名额已让给下一位';
    case 'lapsed':
      return '审核期结束仍未审完，申请已过期';
    case 'payment':
    case 'payout_due':
    case 'payment_pending':
      return '补助已安排发放';
    case 'payment_paid':
      return '补助已到账';
    case 'payment_failed':
      return `补助发放未成功${event.reason ? `（${event.reason.replace(/^[a-z_]+:\s*/, '')}）` : ''}，工会将在下一批重新发放；收款账户有误的，请在发放记录中修改`;
    case 'document_downloaded':
      return `${by}查看了您的申请材料`;
    case 'payout_account_changed':
      return `修改了收款账户${typeof event.accountMasked === 'string' ? `（${event.accountMasked}）` : ''}，下一批发放付到新账户`;
    case 'revoked':
      return `申请被撤销${event.reason ? `：${event.reason}` : ''}`;
    default:
      return event.type;
  }
}

const smsNames: Record<string, string> = {
  submitted: '受理通知',
  promoted: '候补转正通知',
  returned: '退回修改通知',
  approved: '审核通过通知',
  rejected: '审核结果通知',
  paid: '补助到账通知',
  lapsed: '申请失效通知',
};

/** One SMS about the application, in plain words: which, and whether it went out. */
export function smsWords(n: { event: string; status: string; to?: string | undefined }): string {
  const what = `短信${smsNames[n.event] ?? ''}`;
  const to = n.to ? `（${n.to}）` : '';
  if (n.status === 'sent') return `${what}已发送${to}`;
  if (n.status === 'failed') return `${what}发送失败，请留意平台消息`;
  return `${what}待发送${to}`;
}
