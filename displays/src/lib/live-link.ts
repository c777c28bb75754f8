import { createClient, type Client } from 'graphql-ws';
import { ref, type Ref } from 'vue';
import { AUTH_CLOSE_CODES, nextConnectionState, type ConnectionEvent, type ConnectionState } from './connection-state';

export function defaultWsUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/graphql`;
}

function closeCode(e: unknown): number | null {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'number' ? (e as { code: number }).code : null;
}

/**
 * A screen's live link: one graphql-ws connection, retried forever with capped back-off
 * (a wall screen has nobody to press reload), its state exposed for the badge, and the
 * time of the last event received for "updated N s ago".
 */
export class LiveLink {
  readonly state: Ref<ConnectionState> = ref('connecting');
  readonly lastEventAt: Ref<number | null> = ref(null);
  private readonly client: Client;
  private readonly onNetwork = () => this.apply({ type: 'network', online: navigator.onLine });

  constructor(token: string, url: string = defaultWsUrl()) {
    this.client = createClient({
      url,
      lazy: false,
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      retryWait: async (retries) => {
        const capped = Math.min(10_000, 500 * 2 ** Math.min(retries, 5));
        await new Promise((r) => setTimeout(r, capped / 2 + Math.random() * (capped / 2)));
      },
      shouldRetry: (e) => !AUTH_CLOSE_CODES.has(closeCode(e) ?? 0),
      connectionParams: { authorization: `Bearer ${token}` },
      on: {
        connecting: () => this.apply({ type: 'connecting' }),
        connected: () => {
          this.lastEventAt.value = Date.now();
          this.apply({ type: 'connected' });
        },
        // Keep-alive answers prove the link is current even when nothing happens.
        pong: () => (this.lastEventAt.value = Date.now()),
        closed: (e) => this.apply({ type: 'closed', code: closeCode(e) ?? 1006 }),
      },
      onNonLazyError: () => undefined,
    });
    addEventListener('online', this.onNetwork);
    addEventListener('offline', this.onNetwork);
    if (!navigator.onLine) this.onNetwork();
  }

  /**
   * Subscribes with this exact payload object. graphql-ws sends the same object again after a
   * reconnect, so a caller that updates `payload.variables` (a cursor) resumes from there.
   */
  subscribeRaw(payload: { query: string; variables: Record<string, unknown> }, sink: { next(value: unknown): void; error(err: unknown): void; complete(): void }): () => void {
    return this.client.subscribe(payload, {
      next: (value) => {
        this.lastEventAt.value = Date.now();
        sink.next(value);
      },
      error: (err) => sink.error(err),
      complete: () => sink.complete(),
    });
  }

  async dispose(): Promise<void> {
    removeEventListener('online', this.onNetwork);
    removeEventListener('offline', this.onNetwork);
    await this.client.dispose();
  }

  private apply(event: ConnectionEvent): void {
    this.state.value = nextConnectionState(this.state.value, event);
  }
}
