/**
 * The account routes' answers: answers only, named by the routes (`view('…')`) and built by the OpenAPI document
 * (`shared/schemas/views.ts`), never at a Lambda function's cold start.
 */
import * as z from 'zod';
import { registrationStatuses } from '../../model/membership.ts';
import { MemberRole } from '../accounts.ts';
import { Slug } from '../common.ts';
import { OrgKind } from '../orgs.ts';

export const Me = z
  .object({
    sub: z.string(),
    name: z.string().meta({ description: 'The verified real name, else the issuer’s name, else empty' }),
    memberships: z.array(z.object({ orgId: Slug, orgName: z.string(), role: MemberRole })),
  })
  .meta({ id: 'Me' });

export const OrgRegistration = z
  .object({
    id: z.string(),
    orgId: Slug,
    name: z.string(),
    kind: OrgKind,
    parentId: Slug,
    creditCode: z.string().optional(),
    contactName: z.string(),
    contactPhone: z.string().meta({ description: 'Masked except for the registrant' }),
    registrantSub: z.string(),
    status: z.enum(registrationStatuses),
    createdAt: z.string(),
    decidedAt: z.string().optional(),
    decidedBy: z.string().optional(),
    reason: z.string().optional(),
  })
  .meta({ id: 'OrgRegistration' });

export const OrgRegistrationList = z
  .object({ items: z.array(OrgRegistration) })
  .meta({ id: 'OrgRegistrationList' });

export const Member = z
  .object({ sub: z.string(), orgId: Slug, role: MemberRole, grantedBy: z.string(), grantedAt: z.string() })
  .meta({ id: 'Member' });
export const MemberList = z.object({ orgId: Slug, items: z.array(Member) }).meta({ id: 'MemberList' });
export const MemberRemoved = z
  .object({ orgId: Slug, sub: z.string(), role: MemberRole })
  .meta({ id: 'MemberRemoved' });
