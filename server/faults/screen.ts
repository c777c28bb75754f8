import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { must } from './support.js';

interface Ticket {
  id: string;
  status: string;
}
interface KitchenEventMessage {
  cursor: string;
  type: string;
  ticket: Ticket;
}
const OPEN = new Set(['NEW', 'IN_PROGRESS', 'READY']);

/** Open tickets by id, and the cursor of the last event applied (events at or below it are ignored). */
interface BoardState {
  cursor: number;
  tickets: Map<string, Ticket>;
}

function applyKitchenEvent(state: BoardState, event: KitchenEventMessage): BoardState {
  const cursor = Number(event.cursor);
  if (cursor <= state.cursor) return state;
  const tickets = new Map(state.tickets);
  if (OPEN.has(event.ticket.status)) tickets.set(event.ticket.id, event.ticket);
  else tickets.delete(event.ticket.id);
  return { cursor, tickets };
}

const TICKET =
  'id orderId orderNumber station status table createdAt items { name quantity modifiers notes } guestAllergies';
export const BOARD = `query($s: String) { kitchenBoard(station: $s) { cursor tickets { ${TICKET} } } }`;
const EVENTS = `subscription($s: String, $since: String) { kitchenEvents(station: $s, since: $since) { cursor type ticket { ${TICKET} } } }`;

/**
 * A kitchen screen as the display runs it: a snapshot, then events after its cursor; when the
 * connection drops it reconnects and resumes from the cursor.
 */
export class KitchenScreen {
  state: BoardState = { cursor: 0, tickets: new Map() };
  /** Every event cursor received, in arrival order (to show order and no duplicates). */
  readonly received: number[] = [];
  reconnects = 0;
  private client?: Client;
  private stopped = false;
  private live = false;

  constructor(
    private readonly httpUrl: string,
    private readonly wsUrl: string,
    private readonly token: string,
    readonly station: string,
  ) {}

  async start(): Promise<void> {
    const snap = await must<{ kitchenBoard: { cursor: string; tickets: Ticket[] } }>(
      this.httpUrl,
      BOARD,
      { s: this.station },
      this.token,
    );
    this.state = {
      cursor: Number(snap.kitchenBoard.cursor),
      tickets: new Map(snap.kitchenBoard.tickets.filter((t) => OPEN.has(t.status)).map((t) => [t.id, t])),
    };
    this.connect();
  }

  get connected(): boolean {
    return this.live;
  }

  private connect(): void {
    if (this.stopped) return;
    const client = createClient({
      url: this.wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      keepAlive: 1_000,
      connectionParams: { authorization: `Bearer ${this.token}` },
      onNonLazyError: () => undefined,
      on: { connected: () => (this.live = true), closed: () => (this.live = false) },
    });
    this.client = client;
    let retried = false;
    const retry = () => {
      if (retried || this.stopped) return;
      retried = true;
      this.live = false;
      void client.dispose();
      this.reconnects++;
      setTimeout(() => this.connect(), 250);
    };
    client.on('closed', retry);
    client.subscribe<{ kitchenEvents: KitchenEventMessage }>(
      { query: EVENTS, variables: { s: this.station, since: String(this.state.cursor) } },
      {
        next: (r) => {
          if (!r.data) return;
          this.received.push(Number(r.data.kitchenEvents.cursor));
          this.state = applyKitchenEvent(this.state, r.data.kitchenEvents);
        },
        error: retry,
        complete: retry,
      },
    );
  }

  /** The screen's open tickets as (id, status) pairs, sorted by id. */
  view(): string[] {
    return [...this.state.tickets.values()].map((t) => `${t.id}:${t.status}`).sort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
  }
}

/** The server's board for a station as (id, status) pairs, and its cursor. */
export async function serverBoard(
  httpUrl: string,
  token: string,
  station: string,
): Promise<{ cursor: number; view: string[] }> {
  const snap = await must<{ kitchenBoard: { cursor: string; tickets: Ticket[] } }>(
    httpUrl,
    BOARD,
    { s: station },
    token,
  );
  return {
    cursor: Number(snap.kitchenBoard.cursor),
    view: snap.kitchenBoard.tickets.map((t) => `${t.id}:${t.status}`).sort(),
  };
}

/** Strictly increasing: every event once, in cursor order. */
export function inOrderWithoutDuplicates(cursors: number[]): boolean {
  return cursors.every((c, i) => i === 0 || c > cursors[i - 1]!);
}
