import { describe, expect, it } from 'vitest';
import { TicketEventType, TicketStatus, transition, type TicketAction, type TicketTimes } from './ticket-states.js';

const T0 = new Date('2026-11-25T18:00:00Z');
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const fresh = (status = TicketStatus.NEW): TicketTimes => ({ status, startedAt: null, readyAt: null, bumpedAt: null, voidedAt: null });

describe('ticket transitions', () => {
  it('walks NEW -> IN_PROGRESS -> READY -> BUMPED, stamping each time', () => {
    const started = transition(fresh(), 'start', at(1))!;
    expect(started).toMatchObject({ status: TicketStatus.IN_PROGRESS, startedAt: at(1), event: TicketEventType.UPDATED });
    const ready = transition(started, 'ready', at(7))!;
    expect(ready).toMatchObject({ status: TicketStatus.READY, startedAt: at(1), readyAt: at(7) });
    const bumped = transition(ready, 'bump', at(9))!;
    expect(bumped).toMatchObject({ status: TicketStatus.BUMPED, readyAt: at(7), bumpedAt: at(9), event: TicketEventType.BUMPED });
  });

  it('lets a cook bump straight from NEW, stamping what was skipped', () => {
    expect(transition(fresh(), 'bump', at(5))).toMatchObject({ status: TicketStatus.BUMPED, startedAt: at(5), readyAt: at(5), bumpedAt: at(5) });
  });

  it('recalls a bumped ticket back to READY and forgets the bump', () => {
    const bumped = transition(fresh(), 'bump', at(5))!;
    expect(transition(bumped, 'recall', at(6))).toMatchObject({ status: TicketStatus.READY, bumpedAt: null, readyAt: at(5), event: TicketEventType.RECALLED });
  });

  it('voids from any state but voided, bumped included (a voided order is never recalled)', () => {
    for (const s of [TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.READY, TicketStatus.BUMPED]) {
      expect(transition(fresh(s), 'void', at(2))).toMatchObject({ status: TicketStatus.VOIDED, voidedAt: at(2), event: TicketEventType.VOIDED });
    }
    expect(transition(fresh(TicketStatus.VOIDED), 'void', at(2))).toBeNull();
    expect(transition(fresh(TicketStatus.VOIDED), 'recall', at(2))).toBeNull();
  });

  it('refuses every transition the table does not list', () => {
    const illegal: [TicketStatus, TicketAction][] = [
      [TicketStatus.IN_PROGRESS, 'start'],
      [TicketStatus.READY, 'start'],
      [TicketStatus.BUMPED, 'start'],
      [TicketStatus.BUMPED, 'bump'],
      [TicketStatus.BUMPED, 'ready'],
      [TicketStatus.NEW, 'recall'],
      [TicketStatus.READY, 'recall'],
      [TicketStatus.VOIDED, 'start'],
      [TicketStatus.VOIDED, 'bump'],
      [TicketStatus.VOIDED, 'recall'],
      [TicketStatus.VOIDED, 'void'],
    ];
    for (const [status, action] of illegal) expect(transition(fresh(status), action, at(1)), `${status} ${action}`).toBeNull();
  });
});
