import { registerEnumType } from 'type-graphql';

export enum TicketStatus {
  NEW = 'NEW',
  IN_PROGRESS = 'IN_PROGRESS',
  READY = 'READY',
  BUMPED = 'BUMPED',
  VOIDED = 'VOIDED',
}
registerEnumType(TicketStatus, { name: 'TicketStatus' });

export enum TicketEventType {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  BUMPED = 'BUMPED',
  RECALLED = 'RECALLED',
  VOIDED = 'VOIDED',
}
registerEnumType(TicketEventType, { name: 'TicketEventType' });

export type TicketAction = 'start' | 'ready' | 'bump' | 'recall' | 'void';

/**
 * The ticket life cycle as data: for each action, the states it may leave and the state it
 * reaches, with the event it writes and the timestamp it stamps.
 *   NEW -> IN_PROGRESS -> READY -> BUMPED; bump also from NEW or IN_PROGRESS (a cook who
 *   skips "ready"); recall brings a BUMPED ticket back as READY; void (the order was voided)
 *   from any state but VOIDED: a bumped ticket is voided too, so it can never be recalled.
 */
export const TRANSITIONS: Record<TicketAction, { from: readonly TicketStatus[]; to: TicketStatus; event: TicketEventType; stamp: 'startedAt' | 'readyAt' | 'bumpedAt' | 'voidedAt' | null }> = {
  start: { from: [TicketStatus.NEW], to: TicketStatus.IN_PROGRESS, event: TicketEventType.UPDATED, stamp: 'startedAt' },
  ready: { from: [TicketStatus.NEW, TicketStatus.IN_PROGRESS], to: TicketStatus.READY, event: TicketEventType.UPDATED, stamp: 'readyAt' },
  bump: { from: [TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.READY], to: TicketStatus.BUMPED, event: TicketEventType.BUMPED, stamp: 'bumpedAt' },
  recall: { from: [TicketStatus.BUMPED], to: TicketStatus.READY, event: TicketEventType.RECALLED, stamp: null },
  void: { from: [TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.READY, TicketStatus.BUMPED], to: TicketStatus.VOIDED, event: TicketEventType.VOIDED, stamp: 'voidedAt' },
};

/** Open tickets are on the board: neither bumped nor voided. */
export const OPEN_STATUSES: readonly TicketStatus[] = [TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.READY];

export interface TicketTimes {
  status: TicketStatus;
  startedAt: Date | null;
  readyAt: Date | null;
  bumpedAt: Date | null;
  voidedAt: Date | null;
}

/**
 * Applies an action: the new status and timestamps, or null when the table does not allow it.
 * A bump stamps readyAt too when the ticket skipped READY; a recall clears bumpedAt.
 */
export function transition<T extends TicketTimes>(ticket: T, action: TicketAction, at: Date): (TicketTimes & { event: TicketEventType }) | null {
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(ticket.status)) return null;
  const next: TicketTimes & { event: TicketEventType } = {
    status: rule.to,
    startedAt: ticket.startedAt,
    readyAt: ticket.readyAt,
    bumpedAt: ticket.bumpedAt,
    voidedAt: ticket.voidedAt,
    event: rule.event,
  };
  if (rule.stamp) next[rule.stamp] = at;
  if (action === 'bump') {
    next.startedAt ??= at;
    next.readyAt ??= at;
  }
  if (action === 'ready') next.startedAt ??= at;
  if (action === 'recall') next.bumpedAt = null;
  return next;
}
