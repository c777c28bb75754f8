import { createPubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import type { PubSub } from 'type-graphql';
import type { Logger } from './logger.js';

/**
 * The event bus behind subscriptions: in-process by default, Redis pub/sub when REDIS_URL is
 * set so that every instance hears every event. Services publish only after their transaction
 * commits. Payloads cross the wire as JSON, so publish plain objects.
 */
export interface EventBus extends PubSub {
  /** True when the bus's Redis answers a PING, false when it does not, null when the bus is in-process. */
  redisHealthy(): Promise<boolean | null>;
  close(): Promise<void>;
}

type Listener = ((event: CustomEvent) => void) | { handleEvent(event: CustomEvent): void };

/** An EventTarget whose events travel through Redis channels named `<prefix>bus:<topic>`. */
class RedisEventTarget {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      const set = this.listeners.get(channel.slice(this.prefix.length));
      if (!set) return;
      let detail: unknown;
      try {
        detail = JSON.parse(message);
      } catch (err) {
        log.warn({ err, channel }, 'unreadable bus message dropped');
        return;
      }
      const event = new CustomEvent(channel.slice(this.prefix.length), { detail });
      for (const l of set) {
        if (typeof l === 'function') l(event);
        else l.handleEvent(event);
      }
    });
  }

  addEventListener(type: string, listener: Listener | null): void {
    if (!listener) return;
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
      this.subscriber.subscribe(this.prefix + type).catch((err: unknown) => this.failed(err, 'subscribe', type));
    }
    set.add(listener);
  }

  removeEventListener(type: string, listener: Listener | null): void {
    const set = this.listeners.get(type);
    if (!set || !listener) return;
    set.delete(listener);
    if (set.size === 0) {
      this.listeners.delete(type);
      this.subscriber.unsubscribe(this.prefix + type).catch((err: unknown) => this.failed(err, 'unsubscribe', type));
    }
  }

  /**
   * Publishes after the current job: the events a service publishes together after its commit
   * (placeOrder: the kitchen's wake-up and the order's update) go to Redis in one write, as one
   * pipeline (most often of one command), in the order published. Each write to the socket is a
   * system call that also wakes Redis; one per event was about 4 % of the server's CPU in bench W4.
   */
  dispatchEvent(event: CustomEvent): boolean {
    if (this.outbox.length === 0) queueMicrotask(this.flush);
    this.outbox.push([event.type, JSON.stringify(event.detail ?? null)]);
    return true;
  }

  private outbox: [type: string, message: string][] = [];

  private readonly flush = (): void => {
    const batch = this.outbox;
    this.outbox = [];
    const pipeline = this.publisher.pipeline();
    for (const [type, message] of batch) pipeline.publish(this.prefix + type, message);
    pipeline.exec().then(
      (results) => results?.forEach(([err], i) => err && this.failed(err, 'publish', batch[i]![0])),
      (err: unknown) => batch.forEach(([type]) => this.failed(err, 'publish', type)),
    );
  };

  /**
   * A command that Redis never answered (it was queued while Redis was away, and the connection
   * then closed). Nothing waits on these, so an unhandled rejection would take the process down.
   * What depends on the bus has its own safety net (the kitchen log is polled; pages re-read).
   */
  private failed(err: unknown, command: string, type: string): void {
    this.log.warn({ err: (err as Error)?.message, command, event: type }, 'event bus command failed');
  }
}

export function createEventBus(opts: { redisUrl?: string; keyPrefix?: string; log?: Logger } = {}): EventBus {
  if (!opts.redisUrl) {
    return Object.assign(createPubSub(), { redisHealthy: async () => null, close: async () => undefined });
  }
  const redisOptions = { lazyConnect: false, maxRetriesPerRequest: null } as const;
  const publisher = new Redis(opts.redisUrl, redisOptions);
  const subscriber = new Redis(opts.redisUrl, redisOptions);
  for (const [name, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('error', (err) => opts.log?.warn({ err: err.message, client: name }, 'redis bus connection error'));
  }
  const target = new RedisEventTarget(publisher, subscriber, `${opts.keyPrefix ?? 'pos:'}bus:`, opts.log ?? silentLog);
  const pubsub = createPubSub({ eventTarget: target as never });
  return Object.assign(pubsub, {
    redisHealthy: async () => {
      if (publisher.status !== 'ready') return false;
      const pong = await Promise.race([publisher.ping().catch(() => null), new Promise((r) => setTimeout(r, 1_000, null).unref())]);
      return pong === 'PONG';
    },
    close: async () => {
      subscriber.disconnect();
      // QUIT lets publishes already sent go out first; with Redis away it would wait for Redis
      // forever (the bus retries without limit), so then, or after a second, the socket just closes.
      if (publisher.status === 'ready') {
        await Promise.race([publisher.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
      }
      publisher.disconnect();
    },
  });
}

const silentLog = { warn: () => undefined } as unknown as Logger;
