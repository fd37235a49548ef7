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

  private earliestWaitlisted(unitOrgId: string): PlaceHolder | undefined {
    return [...this.applications.values()]
      .filter((a) => a.unitOrgId === unitOrgId && a.state === 'waitlisted')
      .sort((a, b) => a.sequence - b.sequence)[0];
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
    const next = this.earliestWaitlisted(app.unitOrgId);
    const plan = releasePlan(app.state, next?.id);
    app.live = false;
    app.state = app.state === 'none' ? 'none' : 'released';
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
    for (let n = promotable(to); n > 0; n--) {
      const next = this.earliestWaitlisted(toUnitOrgId);
      if (!next) break;
      next.state = 'claimed';
      to.claimed++;
      to.waitlisted--;
    }
    return true;
  }
}
