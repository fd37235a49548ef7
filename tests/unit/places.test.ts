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
  const unit = new Map([['u', { places: 1, claimed: 1, waitlisted: 1 }]]);
  it('accepts a correct snapshot', () => {
    expect(
      invariantViolations(unit, [
        { id: 'a', unitOrgId: 'u', sequence: 1, state: 'claimed', live: true },
        { id: 'b', unitOrgId: 'u', sequence: 2, state: 'waitlisted', live: true },
      ]),
    ).toEqual([]);
  });
  it('catches a later submission holding the place of an earlier one', () => {
    expect(
      invariantViolations(unit, [
        { id: 'a', unitOrgId: 'u', sequence: 1, state: 'waitlisted', live: true },
        { id: 'b', unitOrgId: 'u', sequence: 2, state: 'claimed', live: true },
      ]).length,
    ).toBeGreaterThan(0);
  });
  it('catches counters that disagree with the applications', () => {
    expect(
      invariantViolations(new Map([['u', { places: 2, claimed: 2, waitlisted: 0 }]]), [
        { id: 'a', unitOrgId: 'u', sequence: 1, state: 'claimed', live: true },
      ]),
    ).toContain('u: claimed counter 2 ≠ 1 holders');
  });
  it('catches someone waiting while a place is free', () => {
    expect(
      invariantViolations(new Map([['u', { places: 2, claimed: 1, waitlisted: 1 }]]), [
        { id: 'a', unitOrgId: 'u', sequence: 1, state: 'claimed', live: true },
        { id: 'b', unitOrgId: 'u', sequence: 2, state: 'waitlisted', live: true },
      ]).some((p) => p.includes('waiting while')),
    ).toBe(true);
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
          let n = 0;
          for (const step of ops) {
            const live = [...book.applications.values()].filter((a) => a.live);
            if (step.op === 'submit') {
              book.submit(`a${++n}`, step.unit);
            } else if (step.op === 'reallocate') {
              const source = book.units.get(step.from);
              if (step.from !== step.to && source) {
                const allowed = canGivePlaces({ ...source }, step.places);
                expect(book.reallocate(step.from, step.to, step.places)).toBe(allowed);
              }
            } else if (live.length > 0) {
              const target = live[step.pick % live.length];
              if (target) book.release(target.id);
            }
            expect(invariantViolations(book.units, [...book.applications.values()])).toEqual([]);
          }
          const total = [...book.units.values()].reduce((s, u) => s + u.places, 0);
          expect(total).toBe(places.u1 + places.u2 + places.u3);
        },
      ),
      { numRuns: 400 },
    );
  });
});
