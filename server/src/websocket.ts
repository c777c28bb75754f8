import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { Kind, type DocumentNode, type ExecutionResult, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Config } from './config.js';
import type { Logger } from './infra/logger.js';
import type { Orm } from './infra/database.js';
import { rootFields, type Metrics } from './infra/metrics.js';
import { AppError, formatError } from './common/errors.js';
import { lazyChildLogger, lazyContext, type Actor, type LiveFeeds, type RequestContext } from './common/context.js';
import { operationChecker } from './common/limits.js';
import { originAllowed } from './common/origin.js';
import { sharedSubscribe, type FrameSink } from './common/shared-subscriptions.js';
import type { AuthService } from './modules/auth/auth.service.js';

export interface WebsocketDeps {
  httpServer: Server;
  schema: GraphQLSchema;
  /** The limits HTTP operations get (graphql-armor's rules). */
  validationRules: ValidationRule[];
  config: Config;
  log: Logger;
  orm: Orm;
  auth: AuthService;
  metrics: Metrics;
  feeds: LiveFeeds;
}

export interface WebsocketEndpoint {
  /** Stops graphql-ws (Apollo's drain calls it). */
  dispose(): Promise<void>;
  /** Stops watching revocations, closes every socket and the server. */
  close(): Promise<void>;
}

type WsExtra = {
  actor?: Actor | null;
  connectionId?: string;
};

/** Bytes a screen's socket may have waiting before its subscriptions wait for each write. */
const FRAME_BACKLOG = 1 << 20;

/** The root field of a subscription document, for metric labels. */
function subscriptionKind(document: DocumentNode, operationName?: string | null): string {
  const ops = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const op = ops.find((d) => !operationName || d.name?.value === operationName) ?? ops[0];
  return op ? rootFields(op) : 'invalid';
}

/**
 * graphql-ws on /graphql of the HTTP server: the same origins, limits, roles and error masking
 * as HTTP; a device's sockets close when its token is revoked; subscription results are shared
 * per group and written straight to the sockets (common/shared-subscriptions.ts).
 */
export function createWebsocketEndpoint(deps: WebsocketDeps): WebsocketEndpoint {
  const { config, log, orm, auth, metrics, schema, feeds } = deps;
  const wsServer = new WebSocketServer({
    server: deps.httpServer,
    path: '/graphql',
    maxPayload: 256 * 1024,
    verifyClient: (info: { origin?: string; req: { headers: { host?: string } } }) =>
      originAllowed(info.origin, info.req.headers.host, { allowed: config.ALLOWED_ORIGINS, production: config.NODE_ENV === 'production' }),
  });
  const checkOperation = operationChecker(schema, deps.validationRules);
  wsServer.on('connection', (socket) => {
    metrics.wsConnections.inc();
    socket.once('close', () => metrics.wsConnections.dec());
  });

  // Open websockets per device, so that revoking a device token signs its screens out at once.
  const deviceSockets = new Map<string, Set<WebSocket>>();
  const trackDeviceSocket = (deviceId: string, socket: WebSocket) => {
    let set = deviceSockets.get(deviceId);
    if (!set) deviceSockets.set(deviceId, (set = new Set()));
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0) deviceSockets.delete(deviceId);
    });
  };
  const stopWatchingRevocations = auth.watchRevocations((deviceId) => {
    for (const socket of deviceSockets.get(deviceId) ?? []) socket.close(4403, 'Forbidden');
  });

  /** Each websocket operation's frame sink, by its context (see sharedSubscribe). */
  const frameSinks = new WeakMap<object, FrameSink>();
  const wsCleanup = useServer<Record<string, unknown>, WsExtra>(
    {
      schema,
      connectionInitWaitTimeout: 5_000,
      // One execution per live event for every subscriber with the same document, variables and role.
      // Results without errors are serialised once per group and written straight to each socket.
      subscribe: sharedSubscribe({
        role: (ctx) => (ctx as RequestContext).actor?.role ?? null,
        sourceOnlyArgs: { kitchenEvents: ['since'] },
        sink: (ctx) => frameSinks.get(ctx as object) ?? null,
      }),
      // The same limits as HTTP: an operation over the limits never runs.
      // The document is parsed and validated here (once per distinct text) and handed to graphql-ws as is.
      onSubscribe: (ctx, id, payload) => {
        const checked = checkOperation(payload.query);
        if ('errors' in checked) return checked.errors;
        metrics.subscriptionStarted(ctx, id, subscriptionKind(checked.document, payload.operationName));
        return { schema, document: checked.document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onComplete: (ctx, id) => metrics.subscriptionEnded(ctx, id),
      onClose: (ctx) => metrics.connectionClosed(ctx),
      onConnect: async (ctx) => {
        try {
          const actor = await auth.authenticate(orm.em.fork(), ctx.connectionParams?.authorization);
          if (!actor) return false;
          ctx.extra.actor = actor;
          ctx.extra.connectionId = randomUUID();
          if (actor.kind === 'device') trackDeviceSocket(actor.id, ctx.extra.socket);
          return true;
        } catch (err) {
          if (!(err instanceof AppError)) log.error({ err }, 'websocket authentication failed');
          return false;
        }
      },
      context: (ctx, id): RequestContext => {
        const context = lazyContext(
          { requestId: randomUUID(), actor: ctx.extra.actor ?? null, ip: ctx.extra.request.socket.remoteAddress, feeds },
          () => orm.em.fork(),
          lazyChildLogger(log, { connectionId: ctx.extra.connectionId }),
        );
        const { socket } = ctx.extra;
        let delivered: { inc(): void } | null = null;
        frameSinks.set(context, {
          id,
          // Nothing for a socket that is closing (as graphql-ws's own send). While the socket's
          // buffer is small the frame is handed over and the next event follows at once; past
          // FRAME_BACKLOG the subscriber waits until this frame is written.
          send: (frame) => {
            if (socket.readyState !== socket.OPEN) return;
            if (socket.bufferedAmount < FRAME_BACKLOG) return void socket.send(frame);
            return new Promise<void>((resolve, reject) => socket.send(frame, (err) => (err ? reject(err) : resolve())));
          },
          delivered: () => (delivered ??= metrics.eventsDelivered.labels(metrics.subscriptionKind(ctx, id))).inc(),
        });
        return context;
      },
      onNext: (ctx, id, _payload, _args, result: ExecutionResult) => {
        metrics.eventsDelivered.inc({ subscription: metrics.subscriptionKind(ctx, id) });
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e, log)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e, log)),
    },
    wsServer,
  );

  return {
    dispose: async () => {
      await wsCleanup.dispose();
    },
    close: async () => {
      stopWatchingRevocations();
      for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
