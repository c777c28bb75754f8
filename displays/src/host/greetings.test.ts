import { describe, expect, it } from 'vitest';
import { addGreeting, ageOut, parseGuestKey, type Greeting } from './greetings';

const greeting = (id: string, name = 'Maria'): Greeting => ({
  partySize: 2,
  arrivedAt: '2026-11-25T19:00:00.000Z',
  isRegular: true,
  message: `Welcome back, ${name}!`,
  usualDishes: [],
  customer: { id, firstName: name, allergies: [], lifecycleStage: 'REGULAR', stats: { visitCount: 9, lastVisitAt: null }, loyalty: { tier: 'Gold', points: 10 }, offers: [] },
});

describe('the greeting queue', () => {
  it('puts the newest first, keeps a guest once and a bounded number of cards', () => {
    let q = addGreeting([], greeting('a'), 1);
    q = addGreeting(q, greeting('b'), 2);
    q = addGreeting(q, greeting('a'), 3);
    expect(q.map((g) => g.customer.id)).toEqual(['a', 'b']);
    for (let i = 0; i < 20; i++) q = addGreeting(q, greeting(`x${i}`), 10 + i, 8);
    expect(q).toHaveLength(8);
  });

  it('ages cards out', () => {
    const q = addGreeting(addGreeting([], greeting('a'), 0), greeting('b'), 9 * 60_000);
    expect(ageOut(q, 10 * 60_000).map((g) => g.customer.id)).toEqual(['b']);
    expect(ageOut(q, 60_000)).toBe(q);
  });
});

describe('parseGuestKey', () => {
  it('tells emails, loyalty codes (typed or scanned) and phone numbers apart', () => {
    expect(parseGuestKey(' maria@example.com ')).toEqual({ email: 'maria@example.com' });
    expect(parseGuestKey('7kq2-m9xd')).toEqual({ loyaltyCode: '7KQ2-M9XD' });
    expect(parseGuestKey('POS:7KQ2M9XD')).toEqual({ loyaltyCode: '7KQ2M9XD' });
    expect(parseGuestKey('https://pos.example/l/7KQ2-M9XD')).toEqual({ loyaltyCode: '7KQ2-M9XD' });
    expect(parseGuestKey('(415) 555-0123')).toEqual({ phone: '(415) 555-0123' });
    expect(parseGuestKey('41555501')).toEqual({ phone: '41555501' });
    expect(parseGuestKey('  ')).toBeNull();
  });
});
