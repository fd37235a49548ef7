import fc from 'fast-check';
import { joinDrawPartition } from '../../shared/adapters/keys.ts';
import { countAll } from '../../shared/adapters/query.ts';
import { type PlaceHolder, shardViolations, type UnitCounters } from '../../shared/domain/places.ts';
import type { ApplicationRecord } from '../../shared/model/application.ts';
import type { Programme } from '../../shared/model/programme.ts';
import type { Deps } from '../../shared/services/deps.ts';

/** A draft as the repository stores it, with placeholder personal data (never read by the ledger). */
export function draftRecord(
  id: string,
  programmeId: string,
  unitOrgId: string,
  at: string,
): ApplicationRecord {
  return {
    id,
    programmeId,
    employerOrgId: `${unitOrgId}-enterprise`,
    unitOrgId,
    ownerSub: `worker-${id}`,
    channel: 'app',
    status: 'draft',
    quotaState: 'none',
    applicant: {
      name: '测试',
      idNumber: { cipher: 'x', masked: 'x' },
      phone: { cipher: 'x', masked: '138****0000' },
      positionLevel: 'frontline',
      migrantWorker: false,
    },
    idHash: `hash-${id}`,
    enrolment: { institution: 'x', major: 'x', level: 'junior_college', enrolledOn: '2026-03-01' },
    chsiReport: { verificationCode: 'ABCDEFGH', validUntil: '2030-01-01' },
    jobTitle: 'x',
    relevance: 'x',
    payoutAccount: { kind: 'wallet', walletId: { cipher: 'x', masked: 'x' } },
    chain: [unitOrgId],
    currentOrgId: null,
    decisions: [],
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * A programme record as the repository stores it: junior college, open all of 2026, each unit of
 * `places` funded by the province's 1,000 元 a place; `overrides` change any term.
 */
export function programmeRecord(
  id: string,
  places: Record<string, number>,
  overrides: Partial<Programme> = {},
): Programme {
  return {
    id,
    title: 'ledger',
    ownerOrgId: 'lc',
    year: 2026,
    enrolmentYear: 2026,
    applicationWindow: { opensOn: '2026-01-01', closesOn: '2026-12-31' },
    reviewBatches: [{ id: 'b1', opensOn: '2026-01-01', closesOn: '2026-12-31' }],
    levels: ['junior_college'],
    allocations: Object.entries(places).map(([unitOrgId, n]) => ({
      unitOrgId,
      places: n,
      funding: [{ funderOrgId: 'sd', amountFen: 100000 }],
    })),
    allocationPolicy: 'first_come_first_served',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** Creates a draft and submits it through the ledger, as the submit route does after its checks. */
export async function submitThroughLedger(deps: Deps, id: string, programmeId: string, unitOrgId: string) {
  const at = new Date().toISOString();
  await deps.applications.create(draftRecord(id, programmeId, unitOrgId, at));
  return deps.ledger.submit({
    applicationId: id,
    programmeId,
    unitOrgId,
    expectedUpdatedAt: at,
    idHash: `hash-${id}`,
    level: 'junior_college',
    submittedAt: at,
    reviewerOrgId: unitOrgId,
    countedDraftOf: `worker-${id}`,
    digest: async (sequence) => `digest-${sequence}`,
  });
}

/** What the table holds now, in the invariant's terms: unit counters and every application's place. */
export async function placeSnapshot(deps: Deps, programmeId: string, applicationIds: readonly string[]) {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw new Error(`programme ${programmeId} missing`);
  const units = new Map<string, UnitCounters>(
    found.allocations.map((a) => [
      a.unitOrgId,
      { places: a.places, claimed: a.claimed, waitlisted: a.waitlisted },
    ]),
  );
  const applications: PlaceHolder[] = [];
  const holders: { id: string; unitOrgId: string; shard: number }[] = [];
  for (const id of applicationIds) {
    const bundle = await deps.applications.bundle(id);
    if (!bundle) throw new Error(`application ${id} missing`);
    const app = bundle.application;
    if (app.quotaState === 'claimed')
      holders.push({ id, unitOrgId: app.unitOrgId, shard: app.quotaShard ?? 0 });
    applications.push({
      id,
      unitOrgId: app.unitOrgId,
      sequence: app.sequence ?? 0,
      state: app.quotaState as PlaceHolder['state'],
      live: ['in_review', 'returned', 'approved'].includes(app.status),
    });
  }
  // Each shard of a sharded unit (architecture.md §3) against the applications holding its places.
  const shardProblems: string[] = [];
  for (const unitOrgId of units.keys()) {
    const unit = await deps.waitlist.unit(programmeId, unitOrgId, true);
    shardProblems.push(
      ...shardViolations(
        unitOrgId,
        unit.shards,
        holders.filter((h) => h.unitOrgId === unitOrgId),
      ),
    );
  }
  return { units, applications, shardProblems };
}

/**
 * One random operation of the place-ledger properties on `units`: a submit (weighted `submitWeight`),
 * the release of a live application picked by `pick`, a shard more, or a reallocation of 1–3 places.
 */
export function ledgerOperation<U extends string>(units: readonly U[], submitWeight: number) {
  return fc.oneof(
    {
      weight: submitWeight,
      arbitrary: fc.record({ op: fc.constant('submit' as const), unit: fc.constantFrom(...units) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constantFrom('withdrawn' as const, 'rejected' as const, 'lapsed' as const),
        pick: fc.nat(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('grow' as const), unit: fc.constantFrom(...units) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('reallocate' as const),
        from: fc.constantFrom(...units),
        to: fc.constantFrom(...units),
        places: fc.integer({ min: 1, max: 3 }),
      }),
    },
  );
}

/**
 * How many of a unit's join draws (architecture.md §3, "The sequencer") have no settlement item: joins
 * in flight, or slots a stopped function left. Zero once every operation has returned.
 */
export async function unsettledDraws(deps: Deps, programmeId: string, unitOrgId: string): Promise<number> {
  const { head } = await deps.waitlist.unit(programmeId, unitOrgId, true);
  const settled = await countAll(deps.db, deps.config.tableName, {
    KeyConditionExpression: 'pk = :pk AND sk < :repair',
    ExpressionAttributeValues: { ':pk': joinDrawPartition(programmeId, unitOrgId), ':repair': 'REPAIR' },
    ConsistentRead: true,
  });
  return (head.joinDraws ?? 0) - settled;
}
