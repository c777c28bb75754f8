// What every baseline server shares: read a JSON body, answer JSON, print the ready line.
import { createServer } from 'node:http';
import { loopDelayMonitor, serveStats } from './loop-delay.mjs';

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * `startedAt` (performance.now() when the request arrived): the answer carries the server's time
 * as the product's does (`Server-Timing: app;dur=<ms>`, from arrival to the headers).
 */
export function sendJson(res, status, body, startedAt) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  if (startedAt !== undefined) headers['server-timing'] = `app;dur=${(performance.now() - startedAt).toFixed(3)}`;
  res.writeHead(status, headers);
  res.end(text);
}

/** A node:http server for `handler(body, req)` (POST) with GET /__stats; prints "ready <url>". */
export function serveBaseline(name, handler, onClose = async () => undefined) {
  const monitor = loopDelayMonitor();
  const server = createServer(async (req, res) => {
    const startedAt = performance.now();
    if (serveStats(req, res, monitor)) return;
    try {
      const body = await readBody(req);
      sendJson(res, 200, await handler(body ? JSON.parse(body) : {}, req), startedAt);
    } catch (err) {
      sendJson(res, 500, { errors: [{ message: String(err?.message ?? err) }] }, startedAt);
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`ready ${name} http://127.0.0.1:${server.address().port}`));
  process.on('SIGTERM', () => server.close(() => onClose().finally(() => process.exit(0))));
  return server;
}
