import { actingOrg, type Caller } from '../domain/caller.ts';
import { mayActOn } from '../domain/orgs.ts';
import { forbidden, notFound } from '../errors.ts';
import { smsDelivery } from './application-view.ts';
import { rethrowAsContract } from './contract-errors.ts';
import type { Deps } from './deps.ts';
import { openPageCursor, sealPageToken } from './page-cursors.ts';

/**
 * `GET /programmes/{programmeId}/notifications` (admin, architecture.md §9): the programme's SMS, newest
 * first, each with its delivery status — queued (with `dueAt` when deferred), sent, or failed with the
 * provider's code — a page at a time. The phone is masked; no personal number is in any template.
 */
export async function listNotifications(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  query: { cursor?: string | undefined; limit: number },
) {
  const found = await deps.programmes.get(programmeId);
  const owner = found ? await deps.orgs.get(found.programme.ownerOrgId) : undefined;
  if (!found || !owner) throw notFound('项目不存在');
  if (!mayActOn(actingOrg(caller), owner)) throw forbidden('只有项目主办组织的管理员可以查看短信记录');
  const after = query.cursor ? await openPageCursor(deps.cipher(), query.cursor) : undefined;
  const page = await deps.outbox.page(programmeId, query.limit, after).catch(rethrowAsContract);
  return {
    items: page.items.map((n) => ({
      ...smsDelivery(n),
      programmeId: n.programmeId,
      ...(n.recipient.kind === 'applicant'
        ? { applicationId: n.recipient.applicationId }
        : { orgId: n.recipient.orgId }),
    })),
    ...(page.next ? { cursor: await sealPageToken(deps.cipher(), page.next) } : {}),
  };
}
