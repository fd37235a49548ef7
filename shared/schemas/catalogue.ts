import * as z from 'zod/mini';
import {
  catalogueLevels,
  institutionKinds,
  isInstitutionCode,
  OFFERING_ID_PATTERN,
  studyModes,
} from '../domain/catalogue.ts';
import { Cursor, humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';

/**
 * The catalogue's contract (issue 16): partner institutions (合作院校), the offerings (专业) a
 * programme lists, the Excel import and the counts per institution. Kept small: the public offerings
 * route is in the public function, whose cold start loads every schema of the route table.
 */

/** 学校标识码: ten digits as the Ministry of Education lists them; the institution's id too. */
export const InstitutionCode = lazySchema(() =>
  z
    .string({ message: '学校标识码须为 10 位数字' })
    .check(
      z.trim(),
      z.refine(isInstitutionCode, '学校标识码须为 10 位数字，以 41 和省份代码开头（教育部学校标识码）'),
      z.meta({ description: '学校标识码 (Ministry of Education), ten digits', example: '4137010447' }),
    ),
);

export const InstitutionKind = lazySchema(() =>
  z.enum(institutionKinds).check(
    z.meta({
      id: 'InstitutionKind',
      description: '普通高校 · 成人高校 · 开放大学 · 网络教育',
    }),
  ),
);
export const StudyMode = lazySchema(() =>
  z
    .enum(studyModes)
    .check(z.meta({ id: 'StudyMode', description: 'correspondence 函授 · spare_time 业余 · online 网络' })),
);
export const CatalogueLevel = lazySchema(() => z.enum(catalogueLevels));

export const OfferingId = lazySchema(() =>
  z
    .string()
    .check(
      z.regex(OFFERING_ID_PATTERN, '专业编号无效'),
      z.meta({ description: 'Offering id, derived from its institution, major, level, mode and scope' }),
    ),
);

/** Tuition per year in integer fen; 0 where an institution charges none. */
export const TuitionFen = lazySchema(() =>
  z
    .number({ message: '学费须为以分为单位的整数' })
    .check(
      z.int('学费须为以分为单位的整数'),
      z.gte(0, '学费不能为负数'),
      z.lte(100_000_000, '学费过大'),
      z.meta({ description: 'Tuition per year, integer fen', example: 240000 }),
    ),
);

export const Years = lazySchema(() =>
  z
    .number({ message: '学制须为年数' })
    .check(
      z.gte(1, '学制至少 1 年'),
      z.lte(6, '学制最多 6 年'),
      z.multipleOf(0.5, '学制以半年为单位'),
      z.meta({ example: 2.5 }),
    ),
);

/** R3: a field-of-work tag (机械 · 电气 · 化工 · 护理 · 财会 · 计算机 …) set beside the worker's job. */
const Tags = lazySchema(() =>
  z.array(humanText({ label: '专业类别', max: 12 })).check(z.maxLength(5, '最多 5 个专业类别')),
);

const Contact = lazySchema(() =>
  z.strictObject({
    name: humanText({ label: '联系人', max: 40 }),
    phone: humanText({ label: '联系电话', min: 3, max: 40 }),
    role: z.optional(humanText({ label: '职务', min: 0, max: 60 })),
  }),
);

export const CreateInstitutionBody = lazySchema(() =>
  z
    .strictObject({
      code: InstitutionCode,
      name: humanText({ label: '院校名称', max: 60 }),
      kind: InstitutionKind,
      city: z.optional(humanText({ label: '所在城市', max: 20 })),
      contacts: z.optional(z.array(Contact).check(z.maxLength(10))),
    })
    .check(z.meta({ id: 'CreateInstitution' })),
);
export type CreateInstitutionBody = z.output<typeof CreateInstitutionBody>;

export const UpdateInstitutionBody = lazySchema(() => {
  // Omitted from the shape: `z.omit` refuses an object with checks, and in zod/mini `z.meta` is one.
  const { code: _code, ...shape } = CreateInstitutionBody.shape;
  return z.partial(z.strictObject(shape)).check(
    z.refine((b) => Object.values(b).some((v) => v !== undefined), { message: '至少修改一项' }),
    z.meta({ id: 'UpdateInstitution' }),
  );
});
export type UpdateInstitutionBody = z.output<typeof UpdateInstitutionBody>;

export const InstitutionParams = lazySchema(() =>
  z.object({
    institutionId: z.string().check(z.regex(/^\d{10}$/, '院校编号为 10 位学校标识码')),
  }),
);

export const CreateOfferingBody = lazySchema(() =>
  z
    .strictObject({
      institutionId: InstitutionCode,
      major: humanText({ label: '专业名称', max: 60 }),
      level: CatalogueLevel,
      mode: StudyMode,
      years: Years,
      tuitionFen: TuitionFen,
      tags: z._default(Tags, []),
      /** A county lists a local partner for its own unit only; absent: the whole programme (city). */
      unitOrgId: z.optional(Slug),
    })
    .check(z.meta({ id: 'CreateOffering' })),
);
export type CreateOfferingBody = z.output<typeof CreateOfferingBody>;

/** What may change on an offering applications may point to: not what identifies it. */
export const UpdateOfferingBody = lazySchema(() =>
  z
    .strictObject({ years: z.optional(Years), tuitionFen: z.optional(TuitionFen), tags: z.optional(Tags) })
    .check(
      z.refine((b) => Object.values(b).some((v) => v !== undefined), { message: '至少修改一项' }),
      z.meta({ id: 'UpdateOffering' }),
    ),
);
export type UpdateOfferingBody = z.output<typeof UpdateOfferingBody>;

export const OfferingParams = lazySchema(() => z.object({ programmeId: Slug, offeringId: OfferingId }));

export const OfferingListQuery = lazySchema(() =>
  z.object({
    level: z.optional(CatalogueLevel),
    mode: z.optional(StudyMode),
    institutionId: z.optional(z.string().check(z.regex(/^\d{10}$/, '院校编号为 10 位学校标识码'))),
    tag: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(12))),
    q: z.optional(z.string().check(z.maxLength(40, '搜索词不能超过 40 个字符'))),
    /** The worker's unit: the programme's offerings and those its county added. */
    unitOrgId: z.optional(Slug),
    cursor: z.optional(Cursor),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(50)), 20),
  }),
);
export type OfferingListQuery = z.output<typeof OfferingListQuery>;

/**
 * The Excel import: the .xlsx file as base64 inside the JSON body (the API's 256 KB body limit
 * leaves room for an xlsx of about 190 KB — thousands of rows; unions' lists are tens of KB).
 */
export const ImportOfferingsBody = lazySchema(() =>
  z
    .strictObject({
      file: z.base64('文件须为 base64 编码的 .xlsx').check(
        z.minLength(1, '文件不能为空'),
        z.meta({
          description:
            'The .xlsx, base64. First worksheet, row 1 the headers 院校名称 · 学校标识码 · 院校类型 · 所在城市 · 专业名称 · 学历层次 · 学习形式 · 学制（年） · 学费（元/年） · 专业类别; one offering a row',
        }),
      ),
      fileName: z.optional(humanText({ label: '文件名', max: 100 })),
      unitOrgId: z.optional(Slug),
    })
    .check(z.meta({ id: 'ImportOfferings' })),
);
export type ImportOfferingsBody = z.output<typeof ImportOfferingsBody>;
