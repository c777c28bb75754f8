import { describe, expect, it } from 'vitest';
import { greetingMessage } from './greeting.js';
import { LifecycleStage } from './lifecycle.js';

const NOW = new Date('2026-11-25T19:00:00Z');
const ago = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe('greetingMessage', () => {
  it('gives each kind of guest their own words', () => {
    expect(greetingMessage({ firstName: 'Maria', visitCount: 14, stage: LifecycleStage.REGULAR, lastVisitAt: ago(6), usual: ['Margherita', 'a Negroni', 'Tiramisu'] }, NOW)).toBe(
      'Welcome back, Maria! Your usual: Margherita and a Negroni.',
    );
    expect(greetingMessage({ firstName: 'Ken', visitCount: 0, stage: LifecycleStage.NEW, lastVisitAt: null, usual: [] }, NOW)).toBe(
      "Welcome, Ken! So glad you're joining us for the first time.",
    );
    expect(greetingMessage({ firstName: 'Ana', visitCount: 4, stage: LifecycleStage.LAPSED, lastVisitAt: ago(125), usual: ['Fish & Chips'] }, NOW)).toBe(
      "Great to see you again, Ana! It's been 4 months. Your usual: Fish & Chips.",
    );
    expect(greetingMessage({ firstName: 'Joe', visitCount: 9, stage: LifecycleStage.AT_RISK, lastVisitAt: ago(30), usual: [] }, NOW)).toBe("Welcome back, Joe! We've missed you.");
    expect(greetingMessage({ firstName: 'Li', visitCount: 2, stage: LifecycleStage.ACTIVE, lastVisitAt: ago(3), usual: ['Ribeye'] }, NOW)).toBe(
      'Welcome back, Li! Nice to see you again. Your usual: Ribeye.',
    );
  });
});
