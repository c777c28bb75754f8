import { describe, expect, it } from 'vitest';
import type { TicketFragment } from '../graphql/generated';
import { ageOf, allDay, applyKitchenEvent, boardFromSnapshot, elapsed, type BoardState, type KitchenEventMessage } from './board';

let n = 0;
function ticket(over: Partial<TicketFragment> = {}): TicketFragment {
  n++;
  return {
    id: `t${n}`,
    orderId: `o${n}`,
    orderNumber: n,
    station: 'grill',
    table: '4',
    status: 'NEW',
    items: [{ name: 'Burger', quantity: 2, modifiers: [], notes: null, allergens: ['gluten'] }],
    guestName: null,
    guestAllergies: [],
    createdAt: `2026-11-25T18:0${n % 10}:00.000Z`,
    startedAt: null,
    readyAt: null,
    bumpedAt: null,
    ...over,
  };
}
const event = (cursor: number, type: KitchenEventMessage['type'], t: TicketFragment): KitchenEventMessage => ({ cursor: String(cursor), type, ticket: t });

describe('applyKitchenEvent', () => {
  const a = ticket({ createdAt: '2026-11-25T18:01:00.000Z' });
  const b = ticket({ createdAt: '2026-11-25T18:02:00.000Z' });
  const start: BoardState = boardFromSnapshot({ cursor: '10', tickets: [b, a] });

  it('starts from the snapshot, oldest ticket first', () => {
    expect(start.tickets.map((t) => t.id)).toEqual([a.id, b.id]);
    expect(start.cursor).toBe(10);
  });

  it('adds, updates in place, bumps into the recent list, recalls and voids', () => {
    const c = ticket({ createdAt: '2026-11-25T18:03:00.000Z' });
    let s = applyKitchenEvent(start, event(11, 'CREATED', c));
    expect(s.tickets.map((t) => t.id)).toEqual([a.id, b.id, c.id]);
    s = applyKitchenEvent(s, event(12, 'UPDATED', { ...a, status: 'IN_PROGRESS' }));
    expect(s.tickets[0]).toMatchObject({ id: a.id, status: 'IN_PROGRESS' });
    s = applyKitchenEvent(s, event(13, 'BUMPED', { ...a, status: 'BUMPED' }));
    expect(s.tickets.map((t) => t.id)).toEqual([b.id, c.id]);
    expect(s.bumped.map((t) => t.id)).toEqual([a.id]);
    s = applyKitchenEvent(s, event(14, 'RECALLED', { ...a, status: 'READY' }));
    expect(s.tickets.map((t) => t.id)).toEqual([a.id, b.id, c.id]);
    expect(s.bumped).toEqual([]);
    s = applyKitchenEvent(s, event(15, 'VOIDED', { ...b, status: 'VOIDED' }));
    expect(s.tickets.map((t) => t.id)).toEqual([a.id, c.id]);
    expect(s.cursor).toBe(15);
  });

  it('ignores replays and duplicates at or below the cursor, so resuming is idempotent', () => {
    const c = ticket();
    const once = applyKitchenEvent(start, event(11, 'CREATED', c));
    expect(applyKitchenEvent(once, event(11, 'CREATED', c))).toBe(once);
    expect(applyKitchenEvent(once, event(9, 'VOIDED', { ...a, status: 'VOIDED' }))).toBe(once);
  });

  it('keeps a bounded list of recent bumps', () => {
    let s = start;
    for (let i = 0; i < 12; i++) {
      const t = ticket();
      s = applyKitchenEvent(s, event(100 + i * 2, 'CREATED', t));
      s = applyKitchenEvent(s, event(101 + i * 2, 'BUMPED', { ...t, status: 'BUMPED' }));
    }
    expect(s.bumped).toHaveLength(8);
  });
});

describe('all-day counts, timers and aging', () => {
  it('sums each dish across open tickets', () => {
    const t1 = ticket({ items: [{ name: 'Fries', quantity: 2, modifiers: [], notes: null, allergens: [] }, { name: 'Burger', quantity: 1, modifiers: [], notes: null, allergens: [] }] });
    const t2 = ticket({ items: [{ name: 'Fries', quantity: 3, modifiers: [], notes: null, allergens: [] }] });
    expect(allDay([t1, t2])).toEqual([
      { name: 'Fries', quantity: 5 },
      { name: 'Burger', quantity: 1 },
    ]);
  });

  it('ages tickets at the thresholds and shows elapsed time', () => {
    const created = '2026-11-25T18:00:00.000Z';
    const at = (min: number) => Date.parse(created) + min * 60_000;
    expect([ageOf(created, at(4.9)), ageOf(created, at(5)), ageOf(created, at(10))]).toEqual(['fresh', 'warning', 'late']);
    expect(ageOf(created, at(3), 2, 4)).toBe('warning');
    expect(elapsed(created, at(4) + 7_000)).toBe('4:07');
  });
});
