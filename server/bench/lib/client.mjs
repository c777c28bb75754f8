// The load side of the benchmarks: a keep-alive HTTP client, closed- and open-loop runners, and
// kitchen screens over websockets. It runs in the bench process, never in a measured server.
import { Agent, request } from 'node:http';
import WebSocket from 'ws';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** On a parsed answer: the server's own time for it in ms (its `Server-Timing: app;dur=`), when it said. */
export const SERVER_MS = Symbol('server ms');

/**
 * POSTs JSON and resolves with the parsed body; rejects on a non-2xx status or GraphQL errors.
 * A request sent on a kept-alive connection that the server was closing as it went out is sent
 * once more on a new one (Node's documented way; every request here is a query or carries an
 * idempotency key), and the time of both counts.
 */
export function postJson(url, body, headers = {}, retried = false) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            return reject(new Error(`${url}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
          }
          if (res.statusCode >= 300 || json.errors)
            return reject(
              new Error(`${url}: HTTP ${res.statusCode}: ${JSON.stringify(json.errors ?? json).slice(0, 500)}`),
            );
          const timing = /(?:^|,)\s*app;dur=([\d.]+)/.exec(res.headers['server-timing'] ?? '');
          if (timing && json && typeof json === 'object') json[SERVER_MS] = Number(timing[1]);
          resolve(json);
        });
        res.on('error', reject);
      },
    );
    req.on('error', (err) => {
      if (!retried && req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up'))
        postJson(url, payload, headers, true).then(resolve, reject);
      else reject(err);
    });
    req.end(payload);
  });
}

export function getText(url) {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const now = () => performance.now();

/**
 * `n` calls one after another (one in flight); latencies in ms as the client saw them. Stops
 * early at `deadline` (ms, performance.now()). The server's own times of the answers that carry
 * one (SERVER_MS) are pushed to `serverMs` when given.
 */
export async function oneInFlight(fn, n, deadline = Infinity, serverMs = null) {
  const lat = [];
  for (let i = 0; i < n && now() < deadline; i++) {
    const t = now();
    const answer = await fn(i);
    lat.push(now() - t);
    if (serverMs && answer?.[SERVER_MS] !== undefined) serverMs.push(answer[SERVER_MS]);
  }
  return lat;
}

/** `n` calls with `concurrency` in flight; latencies and elapsed ms. */
export async function closedLoop(fn, n, concurrency, deadline = Infinity) {
  const lat = [];
  let next = 0;
  const start = now();
  const worker = async () => {
    while (next < n && now() < deadline) {
      const i = next++;
      const t = now();
      await fn(i);
      lat.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { latencies: lat, elapsedMs: now() - start };
}

/**
 * Open loop: starts a call every 1/rate s for `durationMs` whatever the previous ones are doing
 * (latency counts from the scheduled start, so a server that falls behind shows it). At most
 * `maxInFlight` at once: a start that finds no room is counted as dropped, never queued.
 */
export async function openLoop(fn, rate, durationMs, maxInFlight = 256) {
  const lat = [];
  const pending = new Set();
  let sent = 0;
  let dropped = 0;
  let errors = 0;
  let firstError = null;
  const start = now();
  const total = Math.floor((rate * durationMs) / 1000);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (pending.size >= maxInFlight) {
      dropped++;
      continue;
    }
    sent++;
    const p = (async () => {
      try {
        await fn(i, due);
        lat.push(now() - due);
      } catch (err) {
        errors++;
        firstError ??= err;
      }
    })();
    pending.add(p);
    p.finally(() => pending.delete(p));
  }
  await Promise.all(pending);
  const elapsedMs = now() - start;
  return {
    latencies: lat,
    sent,
    completed: lat.length,
    dropped,
    errors,
    firstError: firstError && String(firstError.message ?? firstError),
    elapsedMs,
  };
}

/**
 * Opens `n` websocket screens. `subscribe` (graphql-ws) sends connection_init with the token and
 * one subscribe; without it the socket just listens (the raw ws baseline). `onFrame(index, text)`
 * gets every data frame. Connects in batches so the server is not hit by n handshakes at once.
 */
export async function openScreens(url, n, { token, subscribe, onFrame, batch = 50, timeoutMs = 60_000 }) {
  const sockets = [];
  for (let from = 0; from < n; from += batch) {
    const opened = [];
    for (let i = from; i < Math.min(n, from + batch); i++) {
      opened.push(
        new Promise((resolve, reject) => {
          const ws = subscribe ? new WebSocket(url, 'graphql-transport-ws') : new WebSocket(url);
          const timer = setTimeout(() => reject(new Error(`screen ${i}: not ready within ${timeoutMs} ms`)), timeoutMs);
          ws.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
          ws.on('open', () => {
            if (!subscribe) {
              clearTimeout(timer);
              return resolve(ws);
            }
            ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
          });
          ws.on('message', (data) => {
            const text = String(data);
            if (subscribe && text.includes('"connection_ack"')) {
              ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: subscribe }));
              clearTimeout(timer);
              return resolve(ws);
            }
            if (subscribe && text.includes('"ping"')) return ws.send(JSON.stringify({ type: 'pong' }));
            onFrame(i, text);
          });
          sockets.push(ws);
        }),
      );
    }
    await Promise.all(opened);
  }
  return {
    sockets,
    async close() {
      await Promise.all(
        sockets.map(
          (ws) =>
            new Promise((r) => {
              if (ws.readyState === WebSocket.CLOSED) return r();
              ws.once('close', r);
              ws.terminate();
            }),
        ),
      );
    },
  };
}
