/** The console's words for the API's codes (architecture.md §7: the notice's own words). */
export const statusLabel: Record<string, string> = {
  draft: '草稿',
  in_review: '审核中',
  returned: '退回修改',
  approved: '已通过',
  rejected: '不通过',
  withdrawn: '已撤回',
  lapsed: '已失效',
  revoked: '已撤销',
};

export const levelLabel: Record<string, string> = {
  junior_college: '大专',
  bachelor: '本科',
};

export const runStatusLabel: Record<string, string> = {
  running: '计划中',
  paying: '发放中',
  awaiting_bank: '等待银行回单',
  succeeded: '已完成',
  failed: '失败',
};

export const orgKindLabel: Record<string, string> = {
  province: '省总工会',
  city: '市总工会',
  unit: '县(市、区)/开发区/市直工会',
  township: '乡镇(街道)工会',
  enterprise: '企业工会',
};

/** 名额状态 as the queue shows it: 已占名额 · 候补第 N 位. */
export function quotaLabel(state: string, waitlistPosition?: number): string {
  if (state === 'claimed') return '已占名额';
  if (state === 'waitlisted') return waitlistPosition ? `候补第 ${waitlistPosition} 位` : '候补';
  if (state === 'released') return '已释放';
  return '无';
}

/** 短信记录: what each SMS tells (one template per event, architecture.md §9). */
export const smsEventLabel: Record<string, string> = {
  submitted: '受理通知',
  promoted: '候补转正',
  returned: '退回修改',
  approved: '审核通过',
  rejected: '审核不通过',
  paid: '补助到账',
  lapsed: '申请失效',
  review_daily: '待审核日报',
  review_reminder: '批次截止提醒',
};

export const smsStatusLabel: Record<string, string> = {
  queued: '待发送',
  sending: '发送中',
  sent: '已发送',
  failed: '发送失败',
};
