import { actingOrg, type Caller } from '../domain/caller.ts';
import { fundersCommittedMore, fundingNotGoverned } from '../domain/funding.ts';
import { mayActOn } from '../domain/orgs.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { ReallocationBody } from '../schemas/applications.ts';
import type { UnitShardsBody } from '../schemas/programmes.ts';
import { contractError } from './contract-errors.ts';
import type { Deps } from './deps.ts';

/** R15: `POST /programmes/{id}/reallocations` by an admin governing the programme's owner. */
export async function reallocate(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  body: ReallocationBody,
  now: Date,
) {
  const found = await deps.programmes.get(programmeId);
  const owner = found ? await deps.orgs.get(found.programme.ownerOrgId) : undefined;
  if (!found || !owner) throw notFound('项目不存在');
  if (!mayActOn(actingOrg(caller), owner))
    throw new AppError('forbidden', { message: '只有项目主办组织的管理员可以调整名额' });
  const units = new Set(found.allocations.map((a) => a.unitOrgId));
  const fields = (['fromUnitOrgId', 'toUnitOrgId'] as const)
    .filter((k) => !units.has(body[k]))
    .map((k) => ({ path: k, message: '该单位不在本项目的名额分配中' }));
  if (fields.length > 0) throw invalid(fields);
  // R6: places carry money; a funder whose commitment grows must be governed by the caller.
  const moved = found.allocations.map((a) => ({
    ...a,
    places:
      a.places +
      (a.unitOrgId === body.toUnitOrgId ? body.places : 0) -
      (a.unitOrgId === body.fromUnitOrgId ? body.places : 0),
  }));
  const grown = fundersCommittedMore(found.allocations, moved);
  const funders = await deps.orgs.getMany(grown);
  const notGoverned = fundingNotGoverned(
    actingOrg(caller),
    grown.map((funderOrgId) => ({ path: 'places', funderOrgId })),
    funders,
  );
  if (notGoverned.length > 0) {
    throw new AppError('forbidden', {
      message: '调剂会增加上级工会承诺的资金，须由该资助方或其上级工会的管理员调剂',
      fields: notGoverned,
    });
  }
  const promoted = await deps.ledger
    .reallocate(programmeId, body.fromUnitOrgId, body.toUnitOrgId, body.places, now.toISOString())
    .catch((err: unknown) => {
      throw contractError(err, 'reallocation');
    });
  // The promotions this request made: a submit that meets the added places free before they are
  // filled promotes into them itself (`PlaceLedger.submit`), so the unit's own counts are the board's.
  return { programmeId, ...body, promotedApplications: promoted.length };
}

/**
 * `PUT /programmes/{id}/allocations/{unit}/shards` by an admin governing the programme's owner: the
 * unit's places split over `shards` sub-allocations (architecture.md §3). The count only grows;
 * asking for the count it has changes nothing.
 */
export async function setUnitShards(
  deps: Deps,
  caller: Caller,
  params: { programmeId: string; unitOrgId: string },
  body: UnitShardsBody,
  now: Date,
) {
  const found = await deps.programmes.get(params.programmeId);
  const owner = found ? await deps.orgs.get(found.programme.ownerOrgId) : undefined;
  if (!found || !owner || !found.allocations.some((a) => a.unitOrgId === params.unitOrgId)) {
    throw notFound('项目或名额分配单位不存在');
  }
  if (!mayActOn(actingOrg(caller), owner))
    throw new AppError('forbidden', { message: '只有项目主办组织的管理员可以调整名额分片' });
  const shards = await deps.ledger
    .setShards(params.programmeId, params.unitOrgId, body.shards, now.toISOString())
    .catch((err: unknown) => {
      throw contractError(err, 'reallocation');
    });
  return {
    programmeId: params.programmeId,
    unitOrgId: params.unitOrgId,
    shards: shards.map(({ shard, places, claimed }) => ({ shard, places, claimed })),
  };
}
