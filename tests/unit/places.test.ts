import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaceBook } from '../../shared/domain/place-book.ts';
import {
  canGivePlaces,
  claimOutcome,
  invariantViolations,
  promotable,
  releasePlan,
  waitlistPositions,
} from '../../shared/domain/places.ts';

const units = ['u1', 'u2', 'u3'] as const;

/** Random operations on a programme of three small units (design §3). */
const operation = fc.oneof(
  fc.record({ op: fc.constant('submit' as const), unit: fc.constantFrom(...units) }),
  fc.record({ op: fc.constant('withdraw' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('reject' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('lapse' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('reallocate' as const),
    from: fc.constantFrom(...units),
    to: fc.constantFrom(...units),
    places: fc.integer({ min: 1, max: 4 }),
  }),
);

describe('claim and release decisions', () => {
  it('claims while places are free, then waitlists', () => {
    expect(claimOutcome({ places: 2, claimed: 1, waitlisted: 0 })).toBe('claimed');
    expect(claimOutcome({ places: 2, claimed: 2, waitlisted: 0 })).toBe('waitlisted');
    expect(claimOutcome({ places: 0, claimed: 0, waitlisted: 0 })).toBe('waitlisted');
  });

  it('passes a released place to the earliest waiting applicant, or frees it', () => {
    expect(releasePlan('claimed', 'w1')).toEqual({ promote: 'w1', claimedDelta: 0, waitlistedDelta: -1 });
    expect(releasePlan('claimed', undefined)).toEqual({
      promote: undefined,
      claimedDelta: -1,
      waitlistedDelta: 0,
    });
    expect(releasePlan('waitlisted', 'w1')).toEqual({
      promote: undefined,
      claimedDelta: 0,
      waitlistedDelta: -1,
    });
    expect(releasePlan('none', undefined)).toEqual({
      promote: undefined,
      claimedDelta: 0,
      waitlistedDelta: 0,
    });
  });

  it('lets a unit give away only places nobody holds (R15)', () => {
    expect(canGivePlaces({ places: 20, claimed: 15, waitlisted: 0 }, 5)).toBe(true);
    expect(canGivePlaces({ places: 20, claimed: 15, waitlisted: 0 }, 6)).toBe(false);
    expect(promotable({ places: 25, claimed: 20, waitlisted: 3 })).toBe(3);
    expect(promotable({ places: 22, claimed: 20, waitlisted: 3 })).toBe(2);
  });

  it('numbers the waitlist 1..n in submission order', () => {
    const positions = waitlistPositions([
      { id: 'c', sequence: 9 },
      { id: 'a', sequence: 3 },
      { id: 'b', sequence: 5 },
    ]);
    expect([...positions]).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });
});

describe('the invariant check itself', () => {
  // Every property and ledger test trusts this checker to say "[]" only when design §3 holds, so
  // each kind of violation it looks for is shown here on a hand-made snapshot, with its exact report.
  type Holder = Parameters<typeof invariantViolations>[1][number];
  const holder = (id: string, sequence: number, state: Holder['state'], live = true, unitOrgId = 'u') => ({
    id,
    unitOrgId,
    sequence,
    state,
    live,
  });
  const one = (places: number, claimed: number, waitlisted: number) =>
    new Map([['u', { places, claimed, waitlisted }]]);

  it('accepts a correct snapshot', () => {
    expect(
      invariantViolations(one(1, 1, 1), [holder('a', 1, 'claimed'), holder('b', 2, 'waitlisted')]),
    ).toEqual([]);
  });

  it('reads submission order from the receipt sequence, not from the order it is given', () => {
    expect(
      invariantViolations(one(2, 2, 1), [
        holder('c', 9, 'waitlisted'),
        holder('b', 5, 'claimed'),
        holder('a', 3, 'claimed'),
      ]),
    ).toEqual([]);
  });

  it('ignores drafts (state none) and withdrawn, rejected or lapsed applications that hold nothing', () => {
    // A draft is live but has not submitted: it must not count as one of the earliest live submissions.
    expect(
      invariantViolations(one(1, 1, 0), [
        holder('draft', 1, 'none'),
        holder('gone', 2, 'released', false),
        holder('a', 3, 'claimed'),
      ]),
    ).toEqual([]);
  });

  it('checks each unit against its own applications only', () => {
    const units = new Map([
      ['u', { places: 1, claimed: 1, waitlisted: 0 }],
      ['v', { places: 1, claimed: 1, waitlisted: 1 }],
    ]);
    expect(
      invariantViolations(units, [
        holder('v1', 1, 'claimed', true, 'v'),
        holder('u1', 2, 'claimed'),
        holder('v2', 3, 'waitlisted', true, 'v'),
      ]),
    ).toEqual([]);
  });

  it('catches an over-claim: more places held than the unit has', () => {
    expect(invariantViolations(one(1, 2, 0), [holder('a', 1, 'claimed'), holder('b', 2, 'claimed')])).toEqual(
      ['u: claimed 2 > places 1', 'u: b (#2) is claimed but is not among the 1 earliest live'],
    );
  });

  it('catches claimed-counter drift', () => {
    expect(invariantViolations(one(2, 2, 0), [holder('a', 1, 'claimed')])).toEqual([
      'u: claimed counter 2 ≠ 1 holders',
    ]);
  });

  it('catches waitlisted-counter drift', () => {
    expect(
      invariantViolations(one(1, 1, 0), [holder('a', 1, 'claimed'), holder('b', 2, 'waitlisted')]),
    ).toEqual(['u: waitlisted counter 0 ≠ 1 waiting']);
  });

  it('catches someone waiting while places are free', () => {
    expect(
      invariantViolations(one(3, 1, 1), [holder('a', 1, 'claimed'), holder('b', 2, 'waitlisted')]),
    ).toEqual([
      'u: 1 waiting while 2 places are free',
      'u: b (#2) is waitlisted but is among the 3 earliest live',
    ]);
  });

  it('catches a holder that is no longer live (withdrawn, rejected or lapsed but still claimed or waiting)', () => {
    expect(
      invariantViolations(one(1, 1, 1), [
        holder('a', 1, 'claimed', false),
        holder('b', 2, 'waitlisted', false),
      ]),
    ).toEqual(['a: not live but claimed', 'b: not live but waitlisted']);
  });

  it('catches a live application marked released', () => {
    expect(
      invariantViolations(one(1, 1, 0), [holder('a', 1, 'claimed'), holder('b', 2, 'released')]),
    ).toEqual(['b: live but released']);
  });

  it('catches a later submission holding the place of an earlier one (out of order)', () => {
    expect(
      invariantViolations(one(1, 1, 1), [holder('a', 1, 'waitlisted'), holder('b', 2, 'claimed')]),
    ).toEqual([
      'u: a (#1) is waitlisted but is among the 1 earliest live',
      'u: b (#2) is claimed but is not among the 1 earliest live',
    ]);
  });
});

describe('PlaceBook edges', () => {
  it('releases an application once: releasing it again, or an unknown id, changes nothing', () => {
    const book = new PlaceBook({ u: 1 });
    book.submit('a', 'u');
    book.submit('b', 'u');
    expect(book.release('a')).toBe('b');
    const before = structuredClone([book.units, book.applications]);
    expect(book.release('a')).toBeUndefined();
    expect(book.release('nobody')).toBeUndefined();
    expect([book.units, book.applications]).toEqual(before);
  });

  it('promotes exactly as many waiting applicants as places arrive, earliest first (R15)', () => {
    const book = new PlaceBook({ u: 1, v: 3 });
    for (const id of ['a', 'b', 'c', 'd']) book.submit(id, 'u');
    expect(book.reallocate('v', 'u', 2)).toBe(true);
    expect([...book.applications.values()].map((a) => [a.id, a.state])).toEqual([
      ['a', 'claimed'],
      ['b', 'claimed'],
      ['c', 'claimed'],
      ['d', 'waitlisted'],
    ]);
    expect(book.units.get('u')).toEqual({ places: 3, claimed: 3, waitlisted: 1 });
  });

  it('refuses an unknown unit', () => {
    expect(() => new PlaceBook({ u: 1 }).submit('a', 'nowhere')).toThrow('unknown unit nowhere');
  });
});

describe('property: the place invariant holds after every step (design §3)', () => {
  it('for random sequences of submit, withdraw, reject, lapse and reallocate', () => {
    fc.assert(
      fc.property(
        fc.record({
          u1: fc.integer({ min: 0, max: 4 }),
          u2: fc.integer({ min: 0, max: 4 }),
          u3: fc.integer({ min: 0, max: 4 }),
        }),
        fc.array(operation, { minLength: 1, maxLength: 80 }),
        (places, ops) => {
          const book = new PlaceBook(places);
          // The model: who has submitted and not been released. The checker below trusts the book's
          // `live` flags, so they are checked against this, or a book that did nothing would pass.
          const live = new Set<string>();
          let n = 0;
          for (const step of ops) {
            if (step.op === 'submit') {
              const id = `a${++n}`;
              expect(book.submit(id, step.unit)).toMatchObject({ id, unitOrgId: step.unit, live: true });
              live.add(id);
            } else if (step.op === 'reallocate') {
              const source = book.units.get(step.from);
              if (step.from !== step.to && source) {
                const allowed = canGivePlaces({ ...source }, step.places);
                expect(book.reallocate(step.from, step.to, step.places)).toBe(allowed);
              }
            } else if (live.size > 0) {
              const target = book.applications.get([...live][step.pick % live.size] as string);
              if (!target) throw new Error('the book lost a live application');
              const { state, unitOrgId } = target;
              const earliestWaiting = [...book.applications.values()]
                .filter((a) => a.unitOrgId === unitOrgId && a.state === 'waitlisted')
                .sort((a, b) => a.sequence - b.sequence)[0];
              // A held place passes to the unit's earliest waiting applicant; a waiting one passes nothing on.
              expect(book.release(target.id)).toBe(state === 'claimed' ? earliestWaiting?.id : undefined);
              live.delete(target.id);
            }
            const apps = [...book.applications.values()];
            expect(apps).toHaveLength(n);
            expect(new Set(apps.filter((a) => a.live).map((a) => a.id))).toEqual(live);
            for (const a of apps) expect(a.state === 'released').toBe(!a.live);
            expect(invariantViolations(book.units, apps)).toEqual([]);
          }
          const total = [...book.units.values()].reduce((s, u) => s + u.places, 0);
          expect(total).toBe(places.u1 + places.u2 + places.u3);
        },
      ),
      { numRuns: 400 },
    );
  });
});
