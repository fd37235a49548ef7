import {
  canGivePlaces,
  claimOutcome,
  type PlaceHolder,
  promotable,
  releasePlan,
  type UnitCounters,
} from './places.ts';

/**
 * The place rules of design §3 over plain in-memory data: the reference the DynamoDB adapter is
 * checked against, and what the property tests drive with random sequences of operations.
 */
export class PlaceBook {
  readonly units = new Map<string, UnitCounters>();
  readonly applications = new Map<string, PlaceHolder>();
  private sequence = 0;

  constructor(places: Record<string, number>) {
    for (const [unitOrgId, n] of Object.entries(places))
      this.units.set(unitOrgId, { places: n, claimed: 0, waitlisted: 0 });
  }

  private unit(unitOrgId: string): UnitCounters {
    const unit = this.units.get(unitOrgId);
    if (!unit) throw new Error(`unknown unit ${unitOrgId}`);
    return unit;
  }

  /**
   * The unit's waitlist in submission order (R8 先到先得): `applications` keeps insertion order, and
   * {@link submit} inserts in sequence order.
   */
  private waitlist(unitOrgId: string): PlaceHolder[] {
    return [...this.applications.values()].filter(
      (a) => a.unitOrgId === unitOrgId && a.state === 'waitlisted',
    );
  }

  /** A submission: claims a place or joins the waitlist. */
  submit(id: string, unitOrgId: string): PlaceHolder {
    const unit = this.unit(unitOrgId);
    const state = claimOutcome(unit);
    if (state === 'claimed') unit.claimed++;
    else unit.waitlisted++;
    const app: PlaceHolder = { id, unitOrgId, sequence: ++this.sequence, state, live: true };
    this.applications.set(id, app);
    return app;
  }

  /** Withdrawal, rejection or lapse: the application stops being live; its place passes on. */
  release(id: string): string | undefined {
    const app = this.applications.get(id);
    if (!app?.live) return undefined;
    const unit = this.unit(app.unitOrgId);
    const next = this.waitlist(app.unitOrgId)[0];
    const plan = releasePlan(app.state, next?.id);
    app.live = false;
    // Every application in the book has submitted (claimed or waitlisted), so it releases what it held.
    app.state = 'released';
    unit.claimed += plan.claimedDelta;
    unit.waitlisted += plan.waitlistedDelta;
    if (plan.promote && next) next.state = 'claimed';
    return plan.promote;
  }

  /** R15: moves places between units; false (quota_exceeded) if the source would drop below its holders. */
  reallocate(fromUnitOrgId: string, toUnitOrgId: string, places: number): boolean {
    const from = this.unit(fromUnitOrgId);
    const to = this.unit(toUnitOrgId);
    if (!canGivePlaces(from, places)) return false;
    from.places -= places;
    to.places += places;
    // The earliest waiting take the new places in the same step (design §3: no place idle while someone waits).
    for (const next of this.waitlist(toUnitOrgId).slice(0, promotable(to))) {
      next.state = 'claimed';
      to.claimed++;
      to.waitlisted--;
    }
    return true;
  }
}
