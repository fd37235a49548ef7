/**
 * The org routes' answers: answers only, named by the routes (`view('…')`) and built by the OpenAPI document
 * (`shared/schemas/views.ts`), never at a Lambda function's cold start.
 */
import * as z from 'zod';
import type * as model from '../../model/org.ts';
import type { Agrees, Assert } from '../agreement.ts';
import { Slug } from '../common.ts';
import { OrgKind } from '../orgs.ts';

export const Org = z
  .object({
    id: Slug,
    name: z.string(),
    kind: OrgKind,
    parentId: z.nullable(Slug),
    /** Ancestor ids from the root down to and including this org. */
    path: z.array(Slug),
    /** A unit whose workers the city union reviews and pays directly (市直属单位, R7). */
    directToCity: z.boolean().optional(),
  })
  .meta({ id: 'Org' });
export type Org = z.infer<typeof Org>;
export type OrgAgrees = Assert<Agrees<Org, model.Org>>;

export const OrgChildren = z.object({ orgId: Slug, children: z.array(Org) }).meta({ id: 'OrgChildren' });

/** Enterprises inside a programme's units whose name holds the text, each with the unit it counts in. */
export const EmployerList = z
  .object({
    programmeId: Slug,
    items: z.array(z.object({ id: Slug, name: z.string(), unitOrgId: Slug, path: z.array(Slug) })),
  })
  .meta({ id: 'EmployerList' });
export type EmployerList = z.infer<typeof EmployerList>;
