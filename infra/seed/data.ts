import { addDays, shanghaiDate } from '../../shared/domain/dates.ts';
import type { ProgrammeInput } from '../../shared/schemas/programmes.ts';
import type { Org } from '../../shared/schemas/views/orgs.ts';

type SeedOrg = Omit<Org, 'path'>;

/** 山东省总工会 → 聊城市总工会 → the twelve units of the 2022 attachment table (architecture.md §2). */
export const unitOrgs: SeedOrg[] = [
  { id: 'lc-shizhi', name: '市直属单位', kind: 'unit', parentId: 'lc', directToCity: true },
  { id: 'lc-dongchangfu', name: '东昌府区', kind: 'unit', parentId: 'lc' },
  { id: 'lc-chiping', name: '茌平区', kind: 'unit', parentId: 'lc' },
  { id: 'lc-linqing', name: '临清市', kind: 'unit', parentId: 'lc' },
  { id: 'lc-guanxian', name: '冠县', kind: 'unit', parentId: 'lc' },
  { id: 'lc-shenxian', name: '莘县', kind: 'unit', parentId: 'lc' },
  { id: 'lc-yanggu', name: '阳谷县', kind: 'unit', parentId: 'lc' },
  { id: 'lc-donge', name: '东阿县', kind: 'unit', parentId: 'lc' },
  { id: 'lc-gaotang', name: '高唐县', kind: 'unit', parentId: 'lc' },
  { id: 'lc-kaifaqu', name: '开发区', kind: 'unit', parentId: 'lc' },
  { id: 'lc-gaoxinqu', name: '高新区', kind: 'unit', parentId: 'lc' },
  { id: 'lc-dujiaqu', name: '度假区', kind: 'unit', parentId: 'lc' },
];

/** Demo townships and enterprises for trying the product locally; not part of the notice. */
export const demoOrgs: SeedOrg[] = [
  { id: 'lc-dcf-gucheng', name: '古城镇工会', kind: 'township', parentId: 'lc-dongchangfu' },
  {
    id: 'lc-dcf-gucheng-textile',
    name: '古城纺织有限公司工会（演示）',
    kind: 'enterprise',
    parentId: 'lc-dcf-gucheng',
  },
  {
    id: 'lc-dcf-machinery',
    name: '东昌机械制造有限公司工会（演示）',
    kind: 'enterprise',
    parentId: 'lc-dongchangfu',
  },
  { id: 'lc-cp-wenzhuang', name: '温庄街道工会', kind: 'township', parentId: 'lc-chiping' },
  {
    id: 'lc-cp-wenzhuang-aluminium',
    name: '温庄铝业有限公司工会（演示）',
    kind: 'enterprise',
    parentId: 'lc-cp-wenzhuang',
  },
  { id: 'lc-lq-yandian', name: '烟店镇工会', kind: 'township', parentId: 'lc-linqing' },
  {
    id: 'lc-lq-yandian-bearing',
    name: '烟店轴承有限公司工会（演示）',
    kind: 'enterprise',
    parentId: 'lc-lq-yandian',
  },
  { id: 'lc-sz-power', name: '市直供电服务中心工会（演示）', kind: 'enterprise', parentId: 'lc-shizhi' },
  { id: 'lc-sz-transit', name: '市直公交运营公司工会（演示）', kind: 'enterprise', parentId: 'lc-shizhi' },
  {
    id: 'lc-kfq-logistics',
    name: '开发区物流园有限公司工会（演示）',
    kind: 'enterprise',
    parentId: 'lc-kaifaqu',
  },
];

export const rootOrgs: SeedOrg[] = [
  { id: 'sd', name: '山东省总工会', kind: 'province', parentId: null },
  { id: 'lc', name: '聊城市总工会', kind: 'city', parentId: 'sd' },
];

/** Every seeded org with its materialised path, parents before children. */
export function seedOrgs(): Org[] {
  const all = [...rootOrgs, ...unitOrgs, ...demoOrgs];
  const byId = new Map<string, Org>();
  for (const org of all) {
    const parent = org.parentId ? byId.get(org.parentId) : undefined;
    if (org.parentId && !parent) throw new Error(`seed org ${org.id} listed before its parent`);
    byId.set(org.id, { ...org, path: [...(parent?.path ?? []), org.id] });
  }
  return [...byId.values()];
}

const PLACE_SHARE_FEN = 100_000; // 1000 元 per place, from the province and from the city (R6)

/** 附件: 2022年一线职工“求学圆梦行动”名额分配表 — places per unit. */
export const lc2022Places: Record<string, number> = {
  'lc-shizhi': 20,
  'lc-dongchangfu': 20,
  'lc-chiping': 20,
  'lc-linqing': 20,
  'lc-guanxian': 20,
  'lc-shenxian': 20,
  'lc-yanggu': 20,
  'lc-donge': 20,
  'lc-gaotang': 20,
  'lc-kaifaqu': 10,
  'lc-gaoxinqu': 5,
  'lc-dujiaqu': 5,
};

/** The 2022 Liaocheng programme exactly as the notice of 2022-02-22 sets it. */
export const lc2022: ProgrammeInput = {
  id: 'lc-2022',
  title: '2022年一线职工“求学圆梦行动”',
  ownerOrgId: 'lc',
  year: 2022,
  enrolmentYear: 2022,
  applicationWindow: { opensOn: '2022-01-01', closesOn: '2022-11-30' },
  reviewBatches: [
    { id: 'batch-1', opensOn: '2022-05-05', closesOn: '2022-06-10' },
    { id: 'batch-2', opensOn: '2022-11-01', closesOn: '2022-12-09' },
  ],
  levels: ['junior_college', 'bachelor'],
  allocations: Object.entries(lc2022Places).map(([unitOrgId, places]) => ({
    unitOrgId,
    places,
    funding: [
      { funderOrgId: 'sd', amountFen: PLACE_SHARE_FEN },
      { funderOrgId: 'lc', amountFen: PLACE_SHARE_FEN },
    ],
  })),
  allocationPolicy: 'first_come_first_served',
  contacts: {
    hotline: '4000123318',
    people: [
      { name: '宋燕', phone: '0531-85826289', role: '山东省“求学圆梦”职工教育运营中心' },
      { name: '张滨', phone: '0531-68828301', role: '山东省“求学圆梦”职工教育运营中心' },
      { name: '魏丽婷', phone: '0635-8261102', role: '聊城市总工会“求学圆梦行动”联系人' },
    ],
  },
};

/**
 * A demo programme whose application window and first review batch are open on the day the data is
 * first seeded, so a newcomer can apply, review and pay at once. Small units show the waitlist quickly.
 */
export function demoProgramme(today: Date = new Date()): ProgrammeInput {
  const date = shanghaiDate(today);
  const opensOn = addDays(date, -30);
  const year = Number(opensOn.slice(0, 4));
  return {
    id: `demo-${date.replaceAll('-', '')}`,
    title: `演示项目：一线职工“求学圆梦行动”（${date} 起可试用）`,
    ownerOrgId: 'lc',
    year,
    enrolmentYear: Number(date.slice(0, 4)),
    applicationWindow: { opensOn, closesOn: addDays(date, 150) },
    reviewBatches: [
      { id: 'batch-1', opensOn: addDays(date, -7), closesOn: addDays(date, 160) },
      { id: 'batch-2', opensOn: addDays(date, 161), closesOn: addDays(date, 200) },
    ],
    levels: ['junior_college', 'bachelor'],
    allocations: [
      {
        unitOrgId: 'lc-dongchangfu',
        places: 3,
        funding: [
          { funderOrgId: 'sd', amountFen: PLACE_SHARE_FEN },
          { funderOrgId: 'lc', amountFen: PLACE_SHARE_FEN },
          { funderOrgId: 'lc-dongchangfu', amountFen: 50_000 },
        ],
      },
      {
        unitOrgId: 'lc-chiping',
        places: 3,
        funding: [
          { funderOrgId: 'sd', amountFen: PLACE_SHARE_FEN },
          { funderOrgId: 'lc', amountFen: PLACE_SHARE_FEN },
        ],
      },
      {
        unitOrgId: 'lc-shizhi',
        places: 2,
        funding: [
          { funderOrgId: 'sd', amountFen: PLACE_SHARE_FEN },
          { funderOrgId: 'lc', amountFen: PLACE_SHARE_FEN },
        ],
      },
    ],
    allocationPolicy: 'first_come_first_served',
    contacts: {
      hotline: '4000123318',
      people: [{ name: '魏丽婷', phone: '0635-8261102', role: '聊城市总工会' }],
    },
  };
}
