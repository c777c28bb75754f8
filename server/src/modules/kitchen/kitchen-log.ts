/**
 * The kitchen event log as screens read it: every instance with a kitchen screen connected runs
 * one reader that follows the kitchen_event table (woken through the bus, polled as a safety net)
 * and hands each event to its local subscribers by station; it stops when the last one leaves. A
 * subscriber with a cursor first replays from the table.
 * The table is the record; the bus only says "read again". Writers append in kitchen.service.ts.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors.js';
import { LIVE, type LiveSource } from '../../common/shared-subscriptions.js';
import type { Orm } from '../../infra/database.js';
import type { Logger } from '../../infra/logger.js';
import { PreparedRead } from '../../infra/prepared.js';
import type { EventBus } from '../../infra/pubsub.js';
import { KitchenEvent } from './kitchen-event.entity.js';
import type { TicketView } from './kitchen-ticket.entity.js';
import type { TicketEventType } from './ticket-states.js';

/** Bus topic that wakes every instance's log reader; carries nothing the log does not have. */
export const KITCHEN_WAKE = 'KITCHEN_WAKE';

/** Events per read, in a replay and in the reader. */
const PAGE = 500;
/** How often the log is read when no wake-up came (a lost pub/sub message costs at most this). */
const POLL_MS = 2_000;

interface EventRow {
  cursor: string;
  type: TicketEventType;
  station: string;
  ticket: TicketView;
}

const readAfter = (byStation: boolean) =>
  new PreparedRead(
    `select e."id"::text as "cursor", e."type", e."station", e."ticket" from "kitchen_event" e
     where e."id" > $1${byStation ? ' and e."station" = $2' : ''} order by e."id" limit ${PAGE}`,
  );
const READ_ALL = readAfter(false);
const READ_STATION = readAfter(true);

/** An event as read from the log, with its cursor as a number. */
type LogEvent = KitchenEvent & { id: number };

type Listener = (e: LogEvent) => void;

function toEvent(row: EventRow): LogEvent {
  // The snapshot is a TicketView already: its timestamps were written as Date#toJSON's text.
  return Object.assign(new KitchenEvent(), { id: Number(row.cursor), cursor: row.cursor, type: row.type, ticket: row.ticket });
}

/** A cursor is the decimal id of an event ("0" before the first). */
export function parseCursor(since: string | null | undefined): number | null {
  if (since == null) return null;
  if (!/^\d{1,15}$/.test(since)) throw AppError.badInput('since', 'is not a kitchen cursor (pass KitchenBoard.cursor or KitchenEvent.cursor)');
  return Number(since);
}

export class KitchenLog {
  /** Local subscribers by station ('*' for every station): routing by topic, not by a filter per subscriber. */
  private readonly topics = new Map<string, Set<Listener>>();
  private lastSeen: number | null = null;
  /** Resolves once the reader knows where the log stands (lastSeen); replays wait for it. */
  private started: Promise<void> | null = null;
  private markStarted: (() => void) | null = null;
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopWake: (() => void) | null = null;
  /**
   * Counts reader starts. The reader stops when the last local subscriber leaves; a read still
   * running then belongs to the stopped reader and must neither move lastSeen nor start the next one.
   */
  private generation = 0;
  /** Names this instance's wake-ups, which its own reader has already acted on. */
  private readonly instance = randomUUID();

  constructor(
    private readonly bus: EventBus,
    private readonly orm: Orm,
    private readonly log: Logger,
    private readonly pollMs = POLL_MS,
  ) {}

  /**
   * After a commit that appended events: wake every instance's reader. This instance's reads at
   * once rather than when its own wake-up comes back through the bus (a Redis round trip
   * later), and then leaves that one alone.
   */
  wake(): void {
    void this.bus.publish(KITCHEN_WAKE, { from: this.instance });
    if (this.stopWake) this.drain();
  }

  /**
   * kitchenEvents: with `since`, every event after it from the log, then live; without, live
   * only. The live listener is registered before the replay reads, and anything at or below the
   * last delivered cursor is dropped, so the seam has no gap and no duplicate.
   */
  feed(station: string | null | undefined, since: string | null | undefined): AsyncIterable<KitchenEvent> {
    const from = parseCursor(since);
    let feed: Feed | null = null;
    // The listener is registered before the replay reads (see Feed).
    const { stop, started } = this.listen(station || '*', (e) => feed!.push(e));
    feed = new Feed(from, started, (after) => this.read(station, after), stop);
    return feed;
  }

  /** Up to PAGE events after a cursor, for one station or all (each instance reads once per kitchen commit). */
  private async read(station: string | null | undefined, after: number): Promise<LogEvent[]> {
    // The ORM's own EntityManager only lends its connection here: no fork per read.
    const rows = station ? await READ_STATION.rows<EventRow>(this.orm.em, [after, station]) : await READ_ALL.rows<EventRow>(this.orm.em, [after]);
    return rows.map(toEvent);
  }

  // ---------------------------------------------------------------- this instance's reader

  private listen(topic: string, listener: Listener): { stop: () => void; started: Promise<void> } {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(listener);
    const started = this.ensureReader();
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      set.delete(listener);
      if (set.size === 0 && this.topics.get(topic) === set) this.topics.delete(topic);
      // With no screen left here, reading on every kitchen commit would be wasted.
      if (this.topics.size === 0) this.stopReader();
    };
    return { stop, started };
  }

  /** Starts reading the log for local subscribers: on every wake-up, and every POLL_MS as a safety net. */
  private ensureReader(): Promise<void> {
    if (this.stopWake) return this.started!;
    this.generation++;
    this.started = new Promise<void>((resolve) => (this.markStarted = resolve));
    const events = this.bus.subscribe(KITCHEN_WAKE)[Symbol.asyncIterator]();
    let running = true;
    void (async () => {
      while (running) {
        const next = await events.next();
        if (next.done) return;
        if ((next.value as { from?: string } | null)?.from !== this.instance) this.drain();
      }
    })();
    this.pollTimer = setInterval(() => this.topics.size && this.drain(), this.pollMs);
    this.pollTimer.unref();
    this.stopWake = () => {
      running = false;
      void events.return?.();
    };
    this.drain();
    return this.started;
  }

  /** Reads what was committed since the last read and hands it to local subscribers, one reader at a time. */
  private drain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = (async () => {
      try {
        do {
          this.drainAgain = false;
          if (!this.stopWake) break;
          const generation = this.generation;
          if (this.lastSeen === null) {
            const [row] = await this.orm.em.fork().execute<{ max: string | null }[]>('select coalesce(max("id"), 0)::text as max from "kitchen_event"');
            // The reader stopped (and perhaps started again) meanwhile: start over for the current one.
            if (generation !== this.generation) {
              this.drainAgain = true;
              continue;
            }
            this.lastSeen = Number(row?.max ?? 0);
            this.markStarted?.();
            this.markStarted = null;
            continue;
          }
          for (;;) {
            const page = await this.read(null, this.lastSeen);
            // A listener may leave while it is handed an event, and with it the last one here.
            for (const e of page) {
              if (generation !== this.generation) break;
              this.lastSeen = e.id;
              for (const topic of [e.ticket.station, '*']) for (const l of this.topics.get(topic) ?? []) l(e);
            }
            if (generation !== this.generation) {
              this.drainAgain = true;
              break;
            }
            if (page.length < PAGE) break;
          }
        } while (this.drainAgain);
      } catch (err) {
        this.log.warn({ err }, 'reading the kitchen event log failed; retrying');
      } finally {
        this.draining = null;
      }
    })();
  }

  /** Stops following the log; the next subscriber starts a new reader from where the log then stands. */
  private stopReader(): void {
    this.stopWake?.();
    this.stopWake = null;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.lastSeen = null;
    this.started = null;
    // Only subscribers that already left can wait on it.
    this.markStarted?.();
    this.markStarted = null;
    this.generation++;
  }

  close(): void {
    this.stopReader();
  }
}

const DONE: IteratorResult<KitchenEvent> = { done: true, value: undefined };

/**
 * One subscriber's events: with a cursor, the log after it, read page by page, then live
 * events; without, live events only. Live events queue from the moment the subscriber is
 * listening, and any at or below the last delivered cursor are dropped, so the seam between the
 * replay and live has no gap and no duplicate. Once live, an event goes straight to a waiting
 * next() (this runs for every screen on every event: no generator, one promise per event).
 */
class Feed implements AsyncIterableIterator<KitchenEvent>, LiveSource {
  private readonly queue: LogEvent[] = [];
  private page: LogEvent[] = [];
  private waiting: ((r: IteratorResult<KitchenEvent>) => void) | null = null;
  private taker: ((e: LogEvent) => boolean) | null = null;
  private replaying: boolean;
  private live = false;
  private closed = false;

  constructor(
    /** The last cursor delivered (null: none yet, live only). */
    private last: number | null,
    /** Resolves once the instance's reader knows where the log stands. */
    private readonly started: Promise<void>,
    private readonly read: (after: number) => Promise<LogEvent[]>,
    private readonly stop: () => void,
  ) {
    this.replaying = last !== null;
  }

  /**
   * A live event from the reader (the same object for every subscriber). A next() only waits
   * with nothing queued, so then the event is the next one: it goes to the synchronous taker if
   * there is one and it takes it, else to the waiting next(). Otherwise it queues.
   */
  push(e: LogEvent): void {
    if (!this.waiting || !this.live) {
      this.queue.push(e);
      return;
    }
    if (this.last !== null && e.id <= this.last) return;
    this.last = e.id;
    if (this.taker?.(e)) return;
    const resolve = this.waiting;
    this.waiting = null;
    resolve({ done: false, value: e });
  }

  /** Live events handed over synchronously while a next() waits (see LIVE in shared-subscriptions). */
  [LIVE](take: (payload: unknown) => boolean): void {
    this.taker = take;
  }

  next(): Promise<IteratorResult<KitchenEvent>> {
    if (this.closed) return Promise.resolve(DONE);
    if (!this.live) return this.replay();
    const r = this.take();
    return r ? Promise.resolve(r) : new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<KitchenEvent>> {
    if (!this.closed) {
      this.closed = true;
      this.stop();
    }
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.(DONE);
    return Promise.resolve(DONE);
  }

  throw(err?: unknown): Promise<IteratorResult<KitchenEvent>> {
    void this.return();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next queued live event past the last one delivered. */
  private take(): IteratorResult<KitchenEvent> | null {
    while (this.queue.length) {
      const e = this.queue.shift()!;
      if (this.last !== null && e.id <= this.last) continue;
      this.last = e.id;
      return { done: false, value: e };
    }
    return null;
  }

  /** Before going live: the replay from the cursor, page by page. */
  private async replay(): Promise<IteratorResult<KitchenEvent>> {
    try {
      // The replay must not start before the reader knows where the log stands: an event
      // committed between a replay read and the reader's first read would otherwise be
      // neither replayed nor delivered live (the first screen on a fresh instance lost one).
      await this.started;
      while (!this.closed) {
        const e = this.page.shift();
        if (e) {
          this.last = e.id;
          return { done: false, value: e };
        }
        if (!this.replaying) break;
        this.page = await this.read(this.last!);
        if (this.page.length < PAGE) this.replaying = false;
      }
    } catch (err) {
      await this.return();
      throw err;
    }
    if (this.closed) return DONE;
    this.live = true;
    return this.next();
  }
}
