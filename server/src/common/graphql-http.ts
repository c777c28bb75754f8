import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import onHeaders from 'on-headers';
import type express from 'express';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { RequestContext } from './context.js';

/**
 * Every HTTP request gets a correlation id (the caller's X-Request-Id when it is a plain token),
 * echoed in the response and carried by every log line of the request.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse & { locals?: Record<string, unknown> }): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
  (res.locals ??= Object.create(null) as Record<string, unknown>).requestId = id;
  res.setHeader('x-request-id', id);
  return id;
}

/**
 * Every response says how long the server took to produce it, from the request's arrival to
 * its headers: `Server-Timing: app;dur=<ms>` (W3C Server Timing), shown by browsers' developer
 * tools and read by load tests (the bench's server-side latencies). It carries no data about
 * the request beyond its duration.
 */
export function timeResponse(res: ServerResponse): void {
  const start = performance.now();
  onHeaders(res, function (this: ServerResponse) {
    this.setHeader('Server-Timing', `app;dur=${(performance.now() - start).toFixed(3)}`);
  });
}

export interface GraphqlHttpOptions {
  app: express.Express;
  apollo: ApolloServer<RequestContext>;
  /** The same context function the Express route uses. */
  context: (args: { req: express.Request; res: express.Response }) => Promise<RequestContext>;
  /** Whether a browser origin may read responses (CORS), as for the Express route. */
  originAllowed: (origin: string | undefined, host: string | undefined) => boolean;
  exposedHeaders: string;
  limitBytes: number;
  /** The caller's address as Express's `req.ip` gives it (the app's `trust proxy`). */
  clientIp: (req: IncomingMessage) => string | undefined;
  /** Answers a failure the way the Express app's last error handler does. */
  onError: (err: unknown, req: express.Request, res: express.Response) => void;
}

const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * The register's and the screens' GraphQL requests without Express's router and body parser: a
 * plain `POST /graphql` with an uncompressed UTF-8 JSON body goes straight to Apollo. It answers
 * exactly as the Express route (`cors`, `express.json`, `expressMiddleware`) does: the same
 * request id, CORS headers, body limit and errors, and `req.ip` as Express gives it (the app's
 * `trust proxy`). Anything else (another path or method, a query string, a preflight, another
 * content type or encoding) returns false and is left to Express. The router, body parser and
 * CORS middleware were about a tenth of a warm lookup's CPU.
 *
 * The request and response keep Node's own prototypes; only a failure answered by Express's
 * error handler gets Express's. Express swaps them on every request it routes, and V8 then keeps
 * the request's objects past the young generation's collections: with the swap, 12 to 33 % of
 * what a request allocated was promoted to the old generation (a plain Node server: none), and
 * the major collections that followed were the slow episodes left in W4 (bench/RESULTS.md).
 */
export function fastGraphqlRoute(o: GraphqlHttpOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const appWithProtos = o.app as unknown as { request: object; response: object };
  const onError = (err: unknown, req: express.Request, res: express.Response) => {
    Object.setPrototypeOf(req, appWithProtos.request);
    Object.setPrototypeOf(res, appWithProtos.response);
    o.onError(err, req, res);
  };
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/graphql') return false;
    const type = req.headers['content-type'];
    if (!type || !JSON_TYPE.test(type) || req.headers['content-encoding'] !== undefined) return false;
    const length = req.headers['content-length'];
    if (length === undefined && req.headers['transfer-encoding'] === undefined) return false;

    timeResponse(res);
    // What the context reads of Express's request (graphqlContext): its address, as an own property.
    const ereq = Object.assign(req, { ip: o.clientIp(req) }) as express.Request;
    const eres = res as express.Response;
    (ereq as { res?: express.Response }).res = eres;
    (eres as { req?: express.Request }).req = ereq;
    assignRequestId(req, eres);

    // CORS as `cors` does for an actual (non-preflight) request with an origin delegate.
    if (o.originAllowed(req.headers.origin, req.headers.host)) {
      if (req.headers.origin) res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', o.exposedHeaders);
    }

    const fail = (status: number) => {
      req.resume();
      onError(Object.assign(new Error(status === 413 ? 'request entity too large' : 'malformed body'), { status }), ereq, eres);
    };
    if (length !== undefined && Number(length) > o.limitBytes) {
      fail(413);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > o.limitBytes) {
        over = true;
        fail(413);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (over) return;
      let body: unknown;
      const text = Buffer.concat(chunks, size).toString('utf8');
      if (text.length === 0) body = {};
      else {
        // express.json is strict: only an object or an array at the top.
        const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
        if (first !== '{' && first !== '[') return fail(400);
        try {
          body = JSON.parse(text);
        } catch {
          return fail(400);
        }
      }
      ereq.body = body;
      void respond(o, ereq, eres).catch((err: unknown) => {
        if (res.headersSent) res.destroy();
        else onError(err, ereq, eres);
      });
    });
    return true;
  };
}

async function respond(o: GraphqlHttpOptions, req: express.Request, res: express.Response): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await o.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body: req.body },
    context: () => o.context({ req, res }),
  });
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.statusCode = result.status || 200;
  if (result.body.kind === 'complete') {
    res.setHeader('Content-Length', Buffer.byteLength(result.body.string));
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}
