import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { gql, TEST_TOKEN_SECRET } from './http.js';
import { freePort } from './ports.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { metric } from './metrics.js';

export const STAFF_ROLES = ['MANAGER', 'SERVER', 'HOST', 'KITCHEN'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number] | 'ADMIN';

export interface Instance {
  url: string;
  wsUrl: string;
  process: ServerProcess;
}

export interface Cluster {
  instances: Instance[];
  /** A bearer token per role (tokens are valid on every instance: they share the secret). */
  tokens: Record<StaffRole, string>;
  /** A graphql-ws client to `wsUrl`, optionally sending an Origin header as a browser would. */
  ws(wsUrl: string, token: string, origin?: string): Client;
  close(): Promise<void>;
}

/**
 * Several real `pnpm serve` processes (server/dist/main.js serve) on random ports against this
 * run's PostgreSQL and one Redis key prefix of their own: one restaurant served by N instances.
 */
export async function startCluster(n: number, env: Record<string, string> = {}): Promise<Cluster> {
  const admin = { email: `admin-${randomUUID().slice(0, 8)}@cluster.pos`, password: 'cluster-admin-password' };
  const shared = {
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: `${inject('redisPrefix')}cluster-${randomUUID().slice(0, 8)}:`,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TOKEN_SECRET: TEST_TOKEN_SECRET,
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    ...env,
  };
  const instances: Instance[] = [];
  const clients: Client[] = [];
  try {
    const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
    const processes = ports.map((port) => startServerProcess({ ...shared, PORT: String(port) }));
    await Promise.all(processes.map((p) => p.ready));
    ports.forEach((port, i) => instances.push({ url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/graphql`, process: processes[i]! }));
  } catch (err) {
    for (const i of instances) i.process.child.kill('SIGKILL');
    throw err;
  }
  const url = instances[0]!.url;
  const login = async (email: string, password: string) => {
    const res = await gql<{ login: { token: string } }>(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: password });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.login.token;
  };
  const tokens = { ADMIN: await login(admin.email, admin.password) } as Record<StaffRole, string>;
  for (const role of STAFF_ROLES) {
    const email = `${role.toLowerCase()}-${randomUUID().slice(0, 8)}@cluster.pos`;
    const made = await gql(url, 'mutation($i: StaffInput!) { createStaff(input: $i) { id } }', { i: { name: `${role} cluster`, email, password: admin.password, role } }, tokens.ADMIN);
    if (made.errors) throw new Error(JSON.stringify(made.errors));
    tokens[role] = await login(email, admin.password);
  }
  return {
    instances,
    tokens,
    ws: (wsUrl, token, origin) => {
      const impl = origin
        ? class extends WebSocket {
            constructor(address: string, protocols?: string | string[]) {
              super(address, protocols, { headers: { origin } });
            }
          }
        : WebSocket;
      const client = createClient({ url: wsUrl, webSocketImpl: impl, lazy: false, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` }, onNonLazyError: () => undefined });
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await Promise.all(
        instances.map((i) => {
          i.process.child.kill('SIGTERM');
          return i.process.exited;
        }),
      );
    },
  };
}

/** Resolves with the first `count` results of a subscription; rejects after `timeoutMs`. */
export function firstResults<T>(client: Client, query: string, variables: Record<string, unknown>, count = 1, timeoutMs = 10_000) {
  const got: T[] = [];
  let stop: () => void = () => undefined;
  const done = new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out with ${got.length}/${count} results`));
    }, timeoutMs);
    stop = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors) {
            clearTimeout(timer);
            reject(new Error(JSON.stringify(r.errors)));
            return;
          }
          got.push(r.data as T);
          if (got.length >= count) {
            clearTimeout(timer);
            stop();
            resolve(got);
          }
        },
        error: (e) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(JSON.stringify(e)));
        },
        complete: () => undefined,
      },
    );
  });
  return { done, stop: () => stop() };
}

/** Waits until an instance's /metrics shows at least `n` active subscriptions of a kind (so an event published next reaches them). */
export async function waitForSubscriptions(instanceUrl: string, kind: string, n: number, timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await metric(instanceUrl, 'pos_subscriptions_active', { subscription: kind }, headers)) >= n) return;
    if (Date.now() > deadline) throw new Error(`${instanceUrl} has fewer than ${n} ${kind} subscriptions after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
