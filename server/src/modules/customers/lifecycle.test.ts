import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify, DEFAULT_LIFECYCLE, LifecycleStage, type ProfileFacts } from './lifecycle.js';

const DAY = 86_400_000;
const NOW = new Date('2026-11-25T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

function guest(visits: number, lastDaysAgo: number, everyDays: number, spent = visits * 5_000): ProfileFacts {
  return { visitCount: visits, totalSpent: spent, lastVisitAt: daysAgo(lastDaysAgo), firstVisitAt: daysAgo(lastDaysAgo + (visits - 1) * everyDays) };
}

describe('lifecycle stages', () => {
  it('classifies the five stages', () => {
    expect(classify({ visitCount: 0, totalSpent: 0, firstVisitAt: null, lastVisitAt: null }, NOW).stage).toBe(LifecycleStage.NEW);
    expect(classify(guest(1, 3, 0), NOW).stage).toBe(LifecycleStage.NEW);
    expect(classify(guest(3, 5, 10), NOW).stage).toBe(LifecycleStage.ACTIVE);
    expect(classify(guest(12, 2, 7), NOW).stage).toBe(LifecycleStage.REGULAR);
    expect(classify(guest(12, 20, 7), NOW).stage).toBe(LifecycleStage.AT_RISK);
    expect(classify(guest(12, 100, 7), NOW).stage).toBe(LifecycleStage.LAPSED);
    expect(classify(guest(1, 91, 0), NOW).stage).toBe(LifecycleStage.LAPSED);
  });

  it('judges at-risk against each guest\'s own rhythm', () => {
    // 30 days away: overdue for a weekly regular, on time for a monthly guest.
    expect(classify(guest(10, 30, 7), NOW).stage).toBe(LifecycleStage.AT_RISK);
    expect(classify(guest(10, 30, 30), NOW).stage).toBe(LifecycleStage.REGULAR);
    expect(classify(guest(10, 61, 30), NOW).stage).toBe(LifecycleStage.AT_RISK);
  });

  it('moves with the clock alone, exactly at validUntil', () => {
    const weekly = guest(8, 0, 7);
    let now = NOW;
    const seen: LifecycleStage[] = [];
    for (let i = 0; i < 10; i++) {
      const c = classify(weekly, now);
      seen.push(c.stage);
      if (!c.validUntil) break;
      expect(classify(weekly, new Date(c.validUntil.getTime() - 2)).stage).toBe(c.stage);
      now = c.validUntil;
    }
    expect([...new Set(seen)]).toEqual([LifecycleStage.REGULAR, LifecycleStage.AT_RISK, LifecycleStage.LAPSED]);
  });

  it('never changes before validUntil (random guests and instants)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 400 }), (visits, last, every, later) => {
        const g = guest(visits, last, every);
        const c = classify(g, NOW);
        const at = new Date(NOW.getTime() + later * DAY);
        if (!c.validUntil || at < c.validUntil) expect(classify(g, at)).toMatchObject({ stage: c.stage, segments: c.segments });
      }),
    );
  });

  it('uses the documented defaults', () => {
    expect(DEFAULT_LIFECYCLE).toEqual({ regularVisits: 5, atRiskFactor: 2, atRiskMinDays: 14, lapsedDays: 90 });
  });
});

describe('RFM segments', () => {
  it('scores in the documented bands', () => {
    expect(classify(guest(25, 3, 5, 250_000), NOW).rfm).toEqual({ r: 5, f: 5, m: 5 });
    expect(classify(guest(6, 45, 10, 35_000), NOW).rfm).toEqual({ r: 3, f: 3, m: 3 });
    expect(classify(guest(1, 200, 0, 2_000), NOW).rfm).toEqual({ r: 1, f: 1, m: 1 });
  });

  it('puts each persona where a marketer expects', () => {
    expect(classify(guest(25, 3, 5, 250_000), NOW).segments).toEqual(['champions', 'loyal', 'big-spenders']);
    expect(classify(guest(1, 2, 0, 4_000), NOW).segments).toEqual(['new']);
    expect(classify(guest(8, 70, 10, 40_000), NOW).segments).toEqual(['at-risk']);
    expect(classify(guest(2, 90, 20, 9_000), NOW).segments).toEqual(['hibernating']);
    expect(classify(guest(3, 150, 20, 9_000), NOW).segments).toEqual(['lost']);
  });
});
