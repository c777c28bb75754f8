import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inBirthdayWeek, parseTiers, pointsEarned, promotionDiscount, tierFor, whyNot } from './rules.js';

describe('points and tiers', () => {
  it('earns per whole unit before tax and tip', () => {
    expect(pointsEarned(1_299, 1)).toBe(12);
    expect(pointsEarned(99, 1)).toBe(0);
    expect(pointsEarned(5_000, 2)).toBe(100);
  });

  it('reaches tiers by lifetime points, configurably', () => {
    expect([0, 499, 500, 1_499, 1_500, 9_999].map((p) => tierFor(p))).toEqual(['Bronze', 'Bronze', 'Silver', 'Silver', 'Gold', 'Gold']);
    const tiers = parseTiers('Member:0, VIP:100');
    expect(tierFor(150, tiers)).toBe('VIP');
    expect(() => parseTiers('Gold:100')).toThrow(/0 points/);
  });
});

describe('promotion discounts', () => {
  it('rounds percent discounts half up and caps everything at the subtotal', () => {
    expect(promotionDiscount(1_005, { discountPercent: 15, discountAmount: null })).toBe(151);
    expect(promotionDiscount(1_000, { discountPercent: 100, discountAmount: null })).toBe(1_000);
    expect(promotionDiscount(800, { discountPercent: null, discountAmount: 1_000 })).toBe(800);
  });

  it('is an integer between 0 and the subtotal for any cart', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.option(fc.integer({ min: 1, max: 100 })), fc.integer({ min: 1, max: 1_000_000 }), (subtotal, percent, amount) => {
        const d = promotionDiscount(subtotal, { discountPercent: percent, discountAmount: percent == null ? amount : null });
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(subtotal);
        if (percent != null) expect(Math.abs(d - (subtotal * percent) / 100)).toBeLessThanOrEqual(0.5);
      }),
    );
  });
});

describe('targeting', () => {
  const now = new Date('2026-11-25T18:00:00Z');
  const base = { code: 'X', lifecycleStage: null, segment: null, startsAt: null, endsAt: null };
  it('checks the window, then the stage and the segment', () => {
    expect(whyNot(base, null, now)).toBeNull();
    expect(whyNot({ ...base, startsAt: new Date('2026-12-01') }, null, now)).toMatch(/starts/);
    expect(whyNot({ ...base, endsAt: new Date('2026-11-01') }, null, now)).toMatch(/ended/);
    expect(whyNot({ ...base, lifecycleStage: 'AT_RISK' }, null, now)).toMatch(/attach the guest/);
    expect(whyNot({ ...base, lifecycleStage: 'AT_RISK' }, { lifecycleStage: 'REGULAR', segments: [] }, now)).toMatch(/only for AT_RISK/);
    expect(whyNot({ ...base, segment: 'champions' }, { lifecycleStage: 'REGULAR', segments: ['loyal'] }, now)).toMatch(/champions/);
    expect(whyNot({ ...base, lifecycleStage: 'REGULAR', segment: 'loyal' }, { lifecycleStage: 'REGULAR', segments: ['loyal'] }, now)).toBeNull();
  });

  it('knows the birthday week, across the new year too', () => {
    expect(inBirthdayWeek('1990-11-27', now)).toBe(true);
    expect(inBirthdayWeek('1990-11-29', now)).toBe(false);
    expect(inBirthdayWeek('1985-01-01', new Date('2026-12-30T12:00:00Z'))).toBe(true);
    expect(inBirthdayWeek(null, now)).toBe(false);
  });
});
