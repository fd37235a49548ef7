/**
 * The catalogue's answers (选学): answers only, named by the routes (`view('…')`) and built by the OpenAPI document
 * (`shared/schemas/views.ts`), never at a Lambda function's cold start.
 */
import * as z from 'zod';
import { CatalogueLevel, InstitutionKind, StudyMode } from '../catalogue.ts';
import { Cursor, Slug, Timestamp } from '../common.ts';

export const Institution = z
  .object({
    id: z.string().meta({ description: 'The institution’s 学校标识码' }),
    code: z.string(),
    name: z.string(),
    kind: InstitutionKind,
    city: z.string().optional(),
    contacts: z.array(z.object({ name: z.string(), phone: z.string(), role: z.string().optional() })),
    /** The org whose admin registered it: its admins (and those above) may correct it. */
    ownerOrgId: Slug,
    /** The programmes listing an offering of it (partners are who a programme lists). */
    programmeIds: z.array(Slug).optional(),
    createdAt: Timestamp,
    updatedAt: z.optional(Timestamp),
  })
  .meta({ id: 'Institution' });
export type Institution = z.infer<typeof Institution>;

const InstitutionRef = z.object({ id: z.string(), name: z.string(), code: z.string() });

/** One offering as the public list shows it (architecture.md §5). */
export const OfferingItem = z
  .object({
    offeringId: z.string(),
    institution: InstitutionRef,
    major: z.string(),
    level: CatalogueLevel,
    mode: StudyMode,
    years: z.number(),
    tuitionFen: z.number().int(),
    tags: z.array(z.string()),
    /** Listed by a county for its own unit only. */
    unitOrgId: z.optional(Slug),
  })
  .meta({ id: 'OfferingItem' });

/** An offering as its admins see it: with its state. A retired offering stays on the applications naming it. */
export const Offering = OfferingItem.extend({
  programmeId: Slug,
  status: z.enum(['offered', 'retired']),
  addedByOrgId: Slug,
  createdAt: Timestamp,
  updatedAt: z.optional(Timestamp),
  retiredAt: z.optional(Timestamp),
}).meta({ id: 'Offering' });
export type Offering = z.infer<typeof Offering>;

export const OfferingList = z
  .object({ items: z.array(OfferingItem), cursor: z.optional(Cursor) })
  .meta({ id: 'OfferingList' });

export const ImportOfferingsResult = z
  .object({
    rows: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    /** Rows naming an offering that was retired: it stays retired. */
    retired: z.number().int(),
    institutionsCreated: z.number().int(),
    offeringIds: z.array(z.string()),
  })
  .meta({ id: 'ImportOfferingsResult' });

const Counts = {
  applications: z.number().int().meta({ description: 'Submitted applications naming it' }),
  approved: z.number().int(),
  paid: z.number().int().meta({ description: 'Applications with a worker payment paid' }),
  paidFen: z.number().int(),
};

export const EnrolmentCounts = z
  .object({
    programmeId: Slug,
    /** The units counted: all of the programme's for its owner's admins, a county's own for its admins. */
    unitOrgIds: z.array(Slug),
    institutions: z.array(
      z.object({
        institution: z.object({ id: z.string().optional(), name: z.string(), code: z.string().optional() }),
        /** False for institutions applications declared instead of choosing from the catalogue (非合作院校). */
        partner: z.boolean(),
        ...Counts,
        offerings: z.array(
          z.object({
            offeringId: z.string().optional(),
            major: z.string(),
            level: CatalogueLevel,
            mode: z.optional(StudyMode),
            ...Counts,
          }),
        ),
      }),
    ),
    totals: z.object(Counts),
  })
  .meta({ id: 'EnrolmentCounts' });
export type EnrolmentCounts = z.infer<typeof EnrolmentCounts>;

export const EnrolmentCountsExport = z
  .object({ fileName: z.string(), contentType: z.string(), contentBase64: z.string() })
  .meta({ id: 'EnrolmentCountsExport' });

/**
 * An application's enrolment as shown to the worker and every reviewer on the chain (R3): chosen
 * from the catalogue it names the offering and repeats what was chosen; declared, it is flagged.
 */
export const EnrolmentView = z
  .object({
    institution: z.string(),
    major: z.string(),
    level: CatalogueLevel,
    enrolledOn: z.string().meta({ format: 'date', description: 'YYYY-MM-DD' }),
    offeringId: z.string().optional(),
    institutionId: z.string().optional(),
    institutionCode: z.string().optional(),
    mode: z.optional(StudyMode),
    years: z.number().optional(),
    tuitionFen: z.number().int().optional(),
    tags: z.array(z.string()).optional(),
    nonPartner: z.boolean().meta({
      description: 'True when the institution was declared rather than chosen from the catalogue: 非合作院校',
    }),
  })
  .meta({ id: 'EnrolmentView' });
