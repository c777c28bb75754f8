import { describe, expect, it } from 'vitest';
import { planDemoGuests } from './demo-guests.js';
import { DEMO_MENU } from './demo-menu.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const DAY = 86_400_000;

describe('the demo guests', () => {
  const guests = planDemoGuests({ now: NOW });

  it('are the same on every install', () => {
    expect(planDemoGuests({ now: NOW })).toEqual(guests);
  });

  it('are 200+ distinct guests with six months of plausible visits', () => {
    expect(guests.length).toBeGreaterThanOrEqual(200);
    expect(new Set(guests.map((g) => g.input.phone)).size).toBe(guests.length);
    const emails = guests.map((g) => g.input.email).filter(Boolean);
    expect(new Set(emails).size).toBe(emails.length);
    for (const g of guests) {
      expect(g.visits.length).toBeGreaterThan(0);
      for (const v of g.visits) {
        expect(v.at.getTime()).toBeLessThanOrEqual(NOW.getTime());
        expect(v.at.getTime()).toBeGreaterThan(NOW.getTime() - 183 * DAY);
        expect(v.items.length).toBeGreaterThan(0);
      }
    }
  });

  it('tell the stories of regulars, occasional, at-risk, lapsed and new guests, some with allergies', () => {
    const by = (p: string) => guests.filter((g) => g.persona === p);
    const last = (g: (typeof guests)[number]) => Math.max(...g.visits.map((v) => v.at.getTime()));
    for (const p of ['regular', 'occasional', 'at-risk', 'lapsed', 'new']) expect(by(p).length, p).toBeGreaterThan(10);
    expect(Math.min(...by('regular').map((g) => g.visits.length))).toBeGreaterThanOrEqual(12);
    expect(by('lapsed').every((g) => NOW.getTime() - last(g) > 90 * DAY)).toBe(true);
    expect(by('new').every((g) => g.visits.length === 1 && NOW.getTime() - last(g) < 15 * DAY)).toBe(true);
    expect(guests.filter((g) => g.input.allergies.length).length).toBeGreaterThan(20);
  });

  it('order only dishes on the demo menu whose stock is not tracked', () => {
    const untracked = new Set(DEMO_MENU.filter((m) => m.stock === undefined).map((m) => m.sku));
    for (const g of guests) for (const v of g.visits) for (const i of v.items) expect(untracked.has(i.sku), i.sku).toBe(true);
  });
});
