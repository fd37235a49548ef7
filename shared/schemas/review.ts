import * as z from 'zod/mini';
import { ApplicationIdParams } from './applications.ts';
import { Cursor, humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';
import { Level } from './programmes.ts';

/** R12 逐级审核: what a union at the current step may decide. */
export const Decision = lazySchema(() =>
  z.enum(['approve', 'reject', 'return']).check(z.meta({ id: 'Decision' })),
);
export type Decision = z.infer<typeof Decision>;

/** Shown to the worker and up the chain: no hidden or direction-changing characters (issue 10 point 9). */
const DecisionReason = lazySchema(() => humanText({ label: '理由', min: 0, max: 500 }));
/** `reject` and `return` must say why: the worker reads it, and a return is what they correct. */
const RequiredReason = lazySchema(() =>
  humanText({ label: '理由', max: 500, missing: '驳回或退回须填写理由' }),
);

/**
 * One decision, discriminated on `decision`: `approve` may give a reason, `reject` and `return`
 * must (architecture.md §5) — so the API document says it too, not only the server.
 */
const decisionItem = <S extends z.core.$ZodShape>(extra: S) =>
  z.discriminatedUnion('decision', [
    z
      .strictObject({ ...extra, decision: z.literal('approve'), reason: z.optional(DecisionReason) })
      .check(z.meta({ title: 'Approval' })),
    z
      .strictObject({ ...extra, decision: z.enum(['reject', 'return']), reason: RequiredReason })
      .check(z.meta({ title: 'Rejection or return' })),
  ]);

export const DecisionBody = lazySchema(() => decisionItem({}).check(z.meta({ id: 'DecisionRequest' })));
export type DecisionBody = z.output<typeof DecisionBody>;

export const BulkDecisionBody = lazySchema(() =>
  z
    .strictObject({
      items: z
        .array(decisionItem({ id: ApplicationIdParams.shape.id }))
        .check(z.minLength(1, '至少一项'), z.maxLength(100, '一次最多 100 项')),
    })
    .check(z.meta({ id: 'BulkDecisionRequest' })),
);

export const ReviewQueueQuery = lazySchema(() =>
  z.object({
    programmeId: Slug,
    /** 待审核's filters, applied by the query to the whole queue (a cursor is only good with the same ones). */
    unitOrgId: z.optional(Slug),
    employerOrgId: z.optional(Slug),
    level: z.optional(Level),
    cursor: z.optional(Cursor),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  }),
);

export const AttachmentParams = lazySchema(() =>
  z.object({
    id: ApplicationIdParams.shape.id,
    attachmentId: z.string().check(z.regex(/^[a-z0-9]{8,40}$/, '材料编号无效')),
  }),
);
