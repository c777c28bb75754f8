import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Pool } from 'pg';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';

/**
 * Prometheus metrics of one server instance, served at /metrics. One registry per app (tests
 * run several apps in one process). Labels are bounded: operations are named by their root
 * fields (which the schema bounds), never by client-chosen operation names.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'pos_graphql_requests_total',
    help: 'GraphQL requests over HTTP by operation (root fields) and outcome (ok or the first error code).',
    labelNames: ['type', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly requestSeconds = new Histogram({
    name: 'pos_graphql_request_duration_seconds',
    help: 'GraphQL request latency over HTTP by operation (root fields).',
    labelNames: ['type', 'operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly wsConnections = new Gauge({
    name: 'pos_websocket_connections',
    help: 'Open graphql-ws connections (acknowledged or not).',
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'pos_events_published_total',
    help: 'Events published on the bus by this instance, by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly eventsDelivered = new Counter({
    name: 'pos_events_delivered_total',
    help: 'Subscription results sent to websocket clients, by subscription.',
    labelNames: ['subscription'] as const,
    registers: [this.registry],
  });

  readonly operationsCompiled = new Counter({
    name: 'pos_graphql_operations_compiled_total',
    help: 'GraphQL operations compiled for execution (graphql-jit), by result (compiled, or declined: left to graphql-js).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly cacheLookups = new Counter({
    name: 'pos_profile_cache_lookups_total',
    help: 'Guest profile cache reads by result (hit or miss; an unreachable cache counts as a miss).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  /** Active subscriptions per connection, read when /metrics is scraped. */
  private readonly subscriptions = new Map<object, Map<string, string>>();

  constructor(opts: { pool?: () => Pool | undefined } = {}) {
    collectDefaultMetrics({ register: this.registry });
    const subscriptions = this.subscriptions;
    new Gauge({
      name: 'pos_subscriptions_active',
      help: 'Active graphql-ws subscriptions, by subscription.',
      labelNames: ['subscription'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const subs of subscriptions.values()) for (const kind of subs.values()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
        for (const [kind, n] of counts) this.set({ subscription: kind }, n);
      },
    });
    new Gauge({
      name: 'pos_db_pool_connections',
      help: 'PostgreSQL pool connections by state (total, idle, waiting requests).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = opts.pool?.();
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  subscriptionStarted(connection: object, id: string, kind: string): void {
    let subs = this.subscriptions.get(connection);
    if (!subs) this.subscriptions.set(connection, (subs = new Map()));
    subs.set(id, kind);
  }

  subscriptionEnded(connection: object, id: string): void {
    const subs = this.subscriptions.get(connection);
    subs?.delete(id);
    if (subs?.size === 0) this.subscriptions.delete(connection);
  }

  /** The kind of a subscription (its root field), for labels. */
  subscriptionKind(connection: object, id: string): string {
    return this.subscriptions.get(connection)?.get(id) ?? 'unknown';
  }

  connectionClosed(connection: object): void {
    this.subscriptions.delete(connection);
  }

  /** Request count and latency per operation, over HTTP. */
  apolloPlugin<C extends object>(): ApolloServerPlugin<C> {
    const { requests, requestSeconds } = this;
    return {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        let type = 'unknown';
        let operation = 'invalid';
        return {
          async didResolveOperation({ operation: op }) {
            if (!op) return;
            type = op.operation;
            operation = rootFields(op);
          },
          async willSendResponse({ errors, response }) {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            const bodyErrors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
            // The formatted errors carry the contract's codes; request-level failures only the raw ones.
            const code = (bodyErrors?.length ? bodyErrors : errors)?.[0]?.extensions?.code ?? (errors?.length ? 'INTERNAL_SERVER_ERROR' : undefined);
            requests.inc({ type, operation, outcome: code ? String(code) : 'ok' });
            requestSeconds.observe({ type, operation }, seconds);
          },
        };
      },
    };
  }
}

/** The sorted root field names of an operation ("customerLookup", "checkout,placeOrder"). */
export function rootFields(op: OperationDefinitionNode): string {
  const names = new Set<string>();
  for (const sel of op.selectionSet.selections) {
    if (sel.kind === Kind.FIELD) names.add(sel.name.value);
    else names.add('fragment');
  }
  return [...names].sort().join(',') || 'empty';
}
