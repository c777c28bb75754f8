import { describe, expect, it } from 'vitest';
import { businessDate } from './business-day.js';

describe('businessDate', () => {
  it('follows the local date of the restaurant', () => {
    // 02:30 UTC on the 26th is 21:30 on the 25th in New York.
    expect(businessDate(new Date('2026-11-26T02:30:00Z'), 'America/New_York', 4)).toBe('2026-11-25');
    expect(businessDate(new Date('2026-11-26T02:30:00Z'), 'Europe/Berlin', 0)).toBe('2026-11-26');
  });

  it('counts the small hours toward the night before, until the start hour', () => {
    expect(businessDate(new Date('2026-11-26T03:59:00Z'), 'UTC', 4)).toBe('2026-11-25');
    expect(businessDate(new Date('2026-11-26T04:00:00Z'), 'UTC', 4)).toBe('2026-11-26');
  });
});
