import type { CatalogueLevel, InstitutionKind, StudyMode } from '../../shared/domain/catalogue.ts';

/**
 * Partner institutions (合作院校) and their part-time offerings for the seeded programmes (issue 16):
 * real Shandong institutions that run 成人高等教育 and open-university programmes, with majors that
 * match the seeded enterprises' industries (machinery, textiles, aluminium, bearings, power supply,
 * transit, logistics) and the usual fields of front-line workers (nursing, accounting, computing).
 *
 * 学校标识码: 聊城大学 4137010447 is as the Ministry of Education lists it. The others are given as
 * remembered from the Ministry's list and checked for shape only (41, Shandong 37, then the 学校代码:
 * 山东理工大学 10433, 齐鲁工业大学 10431); 聊城职业技术学院's and 山东开放大学's are plausible codes
 * of the right shape. Verify them against the Ministry's current list before a real deployment.
 * Tuition is per year in fen, typical of 2022 函授 and 网络 fees; not any institution's tariff.
 */

export interface SeedInstitution {
  code: string;
  name: string;
  kind: InstitutionKind;
  city: string;
  contacts: { name: string; phone: string; role?: string }[];
}

export interface SeedOffering {
  institutionCode: string;
  major: string;
  level: CatalogueLevel;
  mode: StudyMode;
  years: number;
  tuitionFen: number;
  tags: string[];
  /** A county's own local partner, for its unit only. */
  unitOrgId?: string;
}

const LCU = '4137010447'; // 聊城大学
const LCVTC = '4137012837'; // 聊城职业技术学院 (plausible code)
const SDUT = '4137010433'; // 山东理工大学
const QLU = '4137010431'; // 齐鲁工业大学
const SDOU = '4137051324'; // 山东开放大学 (plausible code)

export const seedInstitutions: SeedInstitution[] = [
  {
    code: LCU,
    name: '聊城大学',
    kind: 'general_university',
    city: '聊城',
    contacts: [{ name: '继续教育学院招生办', phone: '0635-8238000', role: '成人高等教育招生' }],
  },
  {
    code: LCVTC,
    name: '聊城职业技术学院',
    kind: 'general_university',
    city: '聊城',
    contacts: [{ name: '继续教育学院', phone: '0635-8233000', role: '成人高等教育招生' }],
  },
  { code: SDUT, name: '山东理工大学', kind: 'general_university', city: '淄博', contacts: [] },
  { code: QLU, name: '齐鲁工业大学', kind: 'general_university', city: '济南', contacts: [] },
  { code: SDOU, name: '山东开放大学', kind: 'open_university', city: '济南', contacts: [] },
];

/** The city's partner list, offered to every unit of a programme. */
const programmeOfferings: SeedOffering[] = [
  {
    institutionCode: LCU,
    major: '机械设计制造及其自动化',
    level: 'bachelor',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 280_000,
    tags: ['机械'],
  },
  {
    institutionCode: LCU,
    major: '电气工程及其自动化',
    level: 'bachelor',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 280_000,
    tags: ['电气'],
  },
  {
    institutionCode: LCU,
    major: '会计学',
    level: 'bachelor',
    mode: 'spare_time',
    years: 2.5,
    tuitionFen: 260_000,
    tags: ['财会'],
  },
  {
    institutionCode: LCU,
    major: '护理学',
    level: 'bachelor',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 300_000,
    tags: ['护理'],
  },
  {
    institutionCode: LCU,
    major: '机电一体化技术',
    level: 'junior_college',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 240_000,
    tags: ['机械', '电气'],
  },
  {
    institutionCode: LCVTC,
    major: '数控技术',
    level: 'junior_college',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 220_000,
    tags: ['机械'],
  },
  {
    institutionCode: LCVTC,
    major: '现代纺织技术',
    level: 'junior_college',
    mode: 'spare_time',
    years: 2.5,
    tuitionFen: 220_000,
    tags: ['纺织'],
  },
  {
    institutionCode: LCVTC,
    major: '供用电技术',
    level: 'junior_college',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 220_000,
    tags: ['电气'],
  },
  {
    institutionCode: LCVTC,
    major: '汽车检测与维修技术',
    level: 'junior_college',
    mode: 'spare_time',
    years: 2.5,
    tuitionFen: 220_000,
    tags: ['交通运输'],
  },
  {
    institutionCode: LCVTC,
    major: '现代物流管理',
    level: 'junior_college',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 200_000,
    tags: ['物流'],
  },
  {
    institutionCode: LCVTC,
    major: '护理',
    level: 'junior_college',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 240_000,
    tags: ['护理'],
  },
  {
    institutionCode: SDUT,
    major: '材料成型及控制工程',
    level: 'bachelor',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 290_000,
    tags: ['机械', '材料'],
  },
  {
    institutionCode: SDUT,
    major: '车辆工程',
    level: 'bachelor',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 290_000,
    tags: ['交通运输', '机械'],
  },
  {
    institutionCode: QLU,
    major: '化学工程与工艺',
    level: 'bachelor',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 290_000,
    tags: ['化工'],
  },
  {
    institutionCode: QLU,
    major: '纺织工程',
    level: 'bachelor',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 290_000,
    tags: ['纺织'],
  },
  {
    institutionCode: QLU,
    major: '应用化工技术',
    level: 'junior_college',
    mode: 'correspondence',
    years: 2.5,
    tuitionFen: 240_000,
    tags: ['化工'],
  },
  {
    institutionCode: SDOU,
    major: '计算机科学与技术',
    level: 'bachelor',
    mode: 'online',
    years: 2.5,
    tuitionFen: 220_000,
    tags: ['计算机'],
  },
  {
    institutionCode: SDOU,
    major: '大数据与会计',
    level: 'junior_college',
    mode: 'online',
    years: 2.5,
    tuitionFen: 200_000,
    tags: ['财会'],
  },
];

/** 茌平区's local addition for its aluminium industry (温庄铝业): a county lists for its own unit. */
const chipingOfferings: SeedOffering[] = [
  {
    institutionCode: LCVTC,
    major: '有色金属智能冶金技术',
    level: 'junior_college',
    mode: 'spare_time',
    years: 2.5,
    tuitionFen: 220_000,
    tags: ['冶金', '材料'],
    unitOrgId: 'lc-chiping',
  },
];

/** Every seeded programme's catalogue: the city's list for all units, and 茌平区's own addition. */
export const seedOfferings: SeedOffering[] = [...programmeOfferings, ...chipingOfferings];
