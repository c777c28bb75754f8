import net from 'node:net';
import { freePort } from '../../server/test/support/ports.js';

/**
 * A TCP proxy between the browser and the server that a test can cut (every connection dropped,
 * new ones refused) and restore: a network drop, with no mock of the websocket itself.
 */
export async function startProxy(targetPort: number) {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (s) s.close(() => resolve());
      else resolve();
    });
  await listen();
  return { port, url: `http://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}
