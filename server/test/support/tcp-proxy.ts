import net from 'node:net';
import { freePort } from './ports.js';

export interface TcpProxy {
  port: number;
  url: string;
  /** Drop every connection and refuse new ones (a cable pulled). */
  cut(): Promise<void>;
  /** Listen again after a cut. */
  restore(): Promise<void>;
  /** Reset every open connection (RST) but keep accepting new ones. */
  reset(): void;
  /** Hold every chunk this long in each direction from now on (0 to stop). */
  delay(ms: number): void;
  /** While on, the server's answers never arrive: the connection drops when the first byte of a response comes back. */
  loseResponses(on: boolean): void;
  /** Connections currently open through the proxy. */
  open(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy a test puts between a client and a server to inject network faults: cut, reset,
 * delay. Nothing in the client or server is mocked: they see a real network misbehave.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const port = await freePort();
  const pairs = new Set<[net.Socket, net.Socket]>();
  let server: net.Server | null = null;
  let delayMs = 0;
  let losing = false;
  const relay = (from: net.Socket, to: net.Socket, response: boolean) => {
    from.on('data', (chunk) => {
      if (response && losing) {
        from.destroy();
        to.destroy();
      } else if (delayMs === 0) to.write(chunk);
      else {
        from.pause();
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
          from.resume();
        }, delayMs);
      }
    });
    from.on('end', () => to.end());
  };
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        const pair: [net.Socket, net.Socket] = [client, upstream];
        pairs.add(pair);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          pairs.delete(pair);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        relay(client, upstream, false);
        relay(upstream, client, true);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      if (s) s.close(() => resolve());
      else resolve();
    });
  await listen();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cut,
    restore: listen,
    reset: () => {
      for (const [a, b] of pairs) {
        a.resetAndDestroy();
        b.resetAndDestroy();
      }
      pairs.clear();
    },
    delay: (ms) => {
      delayMs = ms;
    },
    loseResponses: (on) => {
      losing = on;
    },
    open: () => pairs.size,
    close: cut,
  };
}
