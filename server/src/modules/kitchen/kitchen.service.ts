import { appendedRowId } from '../../common/ids.js';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isoTimestamp } from '../../common/date-time.js';
import { AppError, ErrorCode } from '../../common/errors.js';
import type { RequestContext } from '../../common/context.js';
import { mayCall, principalOf } from '../../common/access.js';
import type { Orm } from '../../infra/database.js';
import type { Logger } from '../../infra/logger.js';
import type { EventBus } from '../../infra/pubsub.js';
import { PreparedRead } from '../../infra/prepared.js';
import { Order } from '../orders/order.entity.js';
import type { KitchenEvent } from './kitchen-event.entity.js';
import { KitchenLog } from './kitchen-log.js';
import { KitchenTicket, type TicketView } from './kitchen-ticket.entity.js';
import { KitchenBoard } from './kitchen.types.js';
import { OPEN_STATUSES, TicketEventType, TicketStatus, transition, TRANSITIONS, type TicketAction } from './ticket-states.js';
import { entityView } from '../../common/entity-view.js';

/** Key of the advisory lock that orders kitchen_event ids by commit. */
const LOG_LOCK = 7_202_611;

/** A line as the kitchen gets it from an order. */
export interface KitchenLine {
  name: string;
  station: string;
  quantity: number;
  modifiers: string[];
  notes: string | null;
  allergens: string[];
}

export interface KitchenGuest {
  firstName: string;
  allergies: string[];
}

function snapshot(t: KitchenTicket): Record<string, unknown> {
  return {
    id: t.id,
    orderId: t.order.id,
    orderNumber: t.orderNumber,
    station: t.station,
    table: t.table,
    status: t.status,
    items: t.items,
    guestName: t.guestName,
    guestAllergies: t.guestAllergies,
    createdAt: t.createdAt,
    startedAt: t.startedAt,
    readyAt: t.readyAt,
    bumpedAt: t.bumpedAt,
  };
}

type BoardRow = TicketView & { cursor: string };

const boardRead = (byStation: boolean) =>
  new PreparedRead(
    `with log as (select coalesce(max("id"), 0)::text as "cursor" from "kitchen_event")
     select log."cursor", t."id", t."order_id" as "orderId", t."order_number" as "orderNumber", t."station", t."table_name" as "table",
       t."status", t."items", t."guest_name" as "guestName", t."guest_allergies" as "guestAllergies",
       ${isoTimestamp('t."created_at"')} as "createdAt", ${isoTimestamp('t."started_at"')} as "startedAt",
       ${isoTimestamp('t."ready_at"')} as "readyAt", ${isoTimestamp('t."bumped_at"')} as "bumpedAt"
     from log left join "kitchen_ticket" t on t."status" in (${OPEN_STATUSES.map((st) => `'${st}'`).join(', ')})${byStation ? ' and t."station" = $1' : ''}
     order by t."created_at", t."id"`,
  );
const BOARD_ALL = boardRead(false);
const BOARD_STATION = boardRead(true);

export class KitchenService {
  /** The log as screens read it; this service writes to it. */
  private readonly feedLog: KitchenLog;

  constructor(
    bus: EventBus,
    private readonly orm: Orm,
    log: Logger,
    /** Only a test turns this off, to show that a reader without commit ordering skips events. */
    private readonly commitOrderedLog = true,
  ) {
    this.feedLog = new KitchenLog(bus, orm, log);
  }

  // ---------------------------------------------------------------- writes, in the caller's transaction

  /** One ticket per station for the given lines, with CREATED events (one statement). Returns true when anything was written. */
  async createTickets(
    em: EntityManager,
    order: Pick<Order, 'id' | 'number' | 'table'>,
    lines: readonly KitchenLine[],
    guest: KitchenGuest | null,
    at = new Date(),
  ): Promise<boolean> {
    const writes = this.ticketWrites(order, '(select "n" from "num")', lines, guest, at);
    if (!writes) return false;
    await em.execute(`with "num"("n") as (values (?::int)), ${writes.sql} select 1`, [order.number, ...writes.params]);
    return true;
  }

  /**
   * createTickets as common table expressions for the caller's own write statement (placeOrder
   * writes the order and its tickets in one). `number` is an SQL expression for the order
   * number (the caller's counter CTE). Null when there are no lines. The events come after the
   * log lock (see append); the foreign keys to the order and the tickets written beside them
   * are checked at the end of the statement.
   */
  ticketWrites(
    order: Pick<Order, 'id' | 'table'>,
    number: string,
    lines: readonly KitchenLine[],
    guest: KitchenGuest | null,
    at: Date,
  ): { sql: string; params: unknown[] } | null {
    const byStation = new Map<string, KitchenLine[]>();
    for (const l of lines) byStation.set(l.station, [...(byStation.get(l.station) ?? []), l]);
    if (!byStation.size) return null;
    const tickets = [...byStation].map(([station, ls]) =>
      entityView(KitchenTicket, {
        id: appendedRowId(),
        order: { id: order.id } as Order,
        orderNumber: 0,
        station,
        table: order.table,
        status: TicketStatus.NEW,
        items: ls.map((l) => ({ name: l.name, quantity: l.quantity, modifiers: l.modifiers, notes: l.notes, allergens: l.allergens })),
        guestName: guest?.firstName ?? null,
        guestAllergies: guest?.allergies ?? [],
        createdAt: at,
        startedAt: null,
        readyAt: null,
        bumpedAt: null,
      }),
    );
    const ticketValues = tickets.map(() => `(?::uuid, ?::uuid, ${number}, ?, ?, ?::ticket_status, ?::jsonb, ?, array[?]::text[], ?::timestamptz, ?::timestamptz)`).join(', ');
    const eventValues = tickets.map(() => '(?::uuid, ?, ?::ticket_event_type, ?::jsonb)').join(', ');
    const sql = `"tickets" as (
         insert into "kitchen_ticket" ("id", "order_id", "order_number", "station", "table_name", "status", "items", "guest_name", "guest_allergies", "created_at", "updated_at")
         values ${ticketValues}
       )${this.commitOrderedLog ? `, "log" as (select pg_advisory_xact_lock(?) as "locked")` : ''}, "events" as (
         insert into "kitchen_event" ("ticket_id", "station", "type", "ticket", "created_at")
         select e."ticket_id", e."station", e."type", e."ticket" || jsonb_build_object('orderNumber', ${number}), now()
         from (values ${eventValues}) as e("ticket_id", "station", "type", "ticket")${this.commitOrderedLog ? ' cross join "log"' : ''}
       )`;
    return {
      sql,
      params: [
        ...tickets.flatMap((t) => [t.id, t.order.id, t.station, t.table, t.status, JSON.stringify(t.items), t.guestName, t.guestAllergies, at, at]),
        ...(this.commitOrderedLog ? [LOG_LOCK] : []),
        ...tickets.flatMap((t) => [t.id, t.station, TicketEventType.CREATED, JSON.stringify(snapshot(t))]),
      ],
    };
  }

  /** Voids the order's tickets (voidOrder): the open ones, and the bumped ones, which could otherwise be recalled. */
  async voidTicketsFor(em: EntityManager, orderId: string): Promise<boolean> {
    const tickets = await em.find(KitchenTicket, { order: orderId, status: { $in: [...TRANSITIONS.void.from] } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const now = new Date();
    for (const t of tickets) Object.assign(t, transition(t, 'void', now));
    await this.append(em, tickets.map((ticket) => ({ ticket, type: TicketEventType.VOIDED })));
    return tickets.length > 0;
  }

  /** Puts a guest attached after sending on the order's open tickets. */
  async updateGuest(em: EntityManager, orderId: string, guest: KitchenGuest): Promise<boolean> {
    const tickets = await em.find(KitchenTicket, { order: orderId, status: { $in: [...OPEN_STATUSES] } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    for (const t of tickets) Object.assign(t, { guestName: guest.firstName, guestAllergies: guest.allergies });
    await this.append(em, tickets.map((ticket) => ({ ticket, type: TicketEventType.UPDATED })));
    return tickets.length > 0;
  }

  /**
   * Appends events for tickets already changed in this transaction. The advisory lock is the
   * last lock the transaction takes and is held until it ends, so event ids follow commit order.
   */
  private async append(em: EntityManager, events: { ticket: KitchenTicket; type: TicketEventType }[]): Promise<void> {
    if (!events.length) return;
    await em.flush();
    if (this.commitOrderedLog) await em.execute('select pg_advisory_xact_lock(?)', [LOG_LOCK]);
    const values = events.map(() => '(?, ?, ?, ?::jsonb, now())').join(', ');
    await em.execute(
      `insert into "kitchen_event" ("ticket_id", "station", "type", "ticket", "created_at") values ${values}`,
      events.flatMap((e) => [e.ticket.id, e.ticket.station, e.type, JSON.stringify(snapshot(e.ticket))]),
    );
  }

  /**
   * Erasure: the guest's first name and allergies leave the tickets of their orders and the
   * logged snapshots of those tickets. (The log is append-only for kitchen changes; erasure is
   * the one rewrite, and it changes only these two fields.)
   */
  async forgetGuest(em: EntityManager, orderIds: string[]): Promise<void> {
    if (!orderIds.length) return;
    const tickets = await em.execute<{ id: string }[]>(
      `update "kitchen_ticket" set "guest_name" = null, "guest_allergies" = '{}', "updated_at" = now() where "order_id" = any(?::uuid[]) returning "id"`,
      [`{${orderIds.join(',')}}`],
    );
    if (!tickets.length) return;
    await em.execute(
      `update "kitchen_event" set "ticket" = "ticket" || '{"guestName": null, "guestAllergies": []}'::jsonb where "ticket_id" = any(?::uuid[])`,
      [`{${tickets.map((t) => t.id).join(',')}}`],
    );
  }

  /** After a commit that appended events: wake every instance's reader. */
  wake(): void {
    this.feedLog.wake();
  }

  // ---------------------------------------------------------------- kitchen actions

  async act(ctx: RequestContext, ticketId: string, action: TicketAction): Promise<KitchenTicket> {
    const ticket = await ctx.em.transactional(async (em) => {
      const t = await em.findOne(KitchenTicket, { id: ticketId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!t) throw AppError.notFound('Ticket', ticketId);
      const next = transition(t, action, new Date());
      if (!next) throw new AppError(ErrorCode.CONFLICT, `Cannot ${action} a ticket that is ${t.status.toLowerCase().replace('_', ' ')}`, { status: t.status });
      const { event, ...fields } = next;
      Object.assign(t, fields);
      await this.append(em, [{ ticket: t, type: event }]);
      return t;
    });
    this.wake();
    return ticket;
  }

  // ---------------------------------------------------------------- reads

  /**
   * Open tickets, all-day counts and the cursor the snapshot reflects. One statement (so one
   * snapshot, with no transaction to open), prepared (PostgreSQL plans it once per connection),
   * and no entity hydration: the board is read-only and a busy kitchen has hundreds of open
   * tickets. Each row is a ticket as GraphQL reads it, with its timestamps already as ISO text
   * (no Date per timestamp, bench W6).
   */
  async board(station: string | null | undefined): Promise<KitchenBoard> {
    // The ORM's own EntityManager lends the pool: a read with no entities needs no fork.
    const rows = station ? await BOARD_STATION.rows<BoardRow>(this.orm.em, [station]) : await BOARD_ALL.rows<BoardRow>(this.orm.em, []);
    // The rows are the tickets (the extra cursor column is not a field of the type).
    const tickets: TicketView[] = rows[0]?.id == null ? [] : rows;
    return Object.assign(new KitchenBoard(), { tickets, cursor: rows[0]?.cursor ?? '0' });
  }

  /**
   * kitchenEvents: with `since`, every event after it from the log, then live; without, live
   * only, with no gap and no duplicate at the seam (see KitchenLog.feed).
   */
  events(ctx: RequestContext, station: string | null | undefined, since: string | null | undefined): AsyncIterable<KitchenEvent> {
    // The access guard checks this before subscribe runs; kept here for callers that start the feed directly.
    if (!ctx.actor || !mayCall('Subscription.kitchenEvents', principalOf(ctx.actor))) {
      throw new AppError(ErrorCode.FORBIDDEN, 'Not allowed for your role');
    }
    return this.feedLog.feed(station, since);
  }

  close(): void {
    this.feedLog.close();
  }
}
