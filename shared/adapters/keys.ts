/**
 * Key builders, one per access pattern (the key design is written down in `table.ts`).
 * Nothing else in the code spells a key.
 */

export const orgKey = (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'ORG' });
/** Children of an org, in id order (GET /orgs/{orgId}/children). */
export const orgChildrenIndex = (parentId: string, orgId?: string) => ({
  gsi1pk: `ORGCHILDREN#${parentId}`,
  ...(orgId === undefined ? {} : { gsi1sk: `ORG#${orgId}` }),
});

export const programmeKey = (programmeId: string) => ({ pk: `PROGRAMME#${programmeId}`, sk: 'PROGRAMME' });
/** All programmes, newest year first (GET /programmes). */
export const programmeListIndex = (year?: number, programmeId?: string) => ({
  gsi1pk: 'PROGRAMMES',
  ...(year === undefined || programmeId === undefined ? {} : { gsi1sk: `${year}#${programmeId}` }),
});
/** Everything of a programme in one partition: the programme item and its allocation units. */
export const programmePartition = (programmeId: string) => `PROGRAMME#${programmeId}`;
export const ALLOCATION_PREFIX = 'ALLOC#';
/** One allocation unit's place counters (R5): the item every place claim conditions on. */
export const allocationKey = (programmeId: string, unitOrgId: string) => ({
  pk: programmePartition(programmeId),
  sk: `${ALLOCATION_PREFIX}${unitOrgId}`,
});
