// W5 baseline: a raw `ws` broadcast. POST /publish {frame} sends that one pre-serialised frame
// to every connected socket and answers when it has been handed to all of them.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { readBody, sendJson } from './lib/http-server.mjs';
import { loopDelayMonitor, serveStats } from './lib/loop-delay.mjs';

const monitor = loopDelayMonitor();
const server = createServer(async (req, res) => {
  if (serveStats(req, res, monitor)) return;
  const { frame } = JSON.parse(await readBody(req));
  for (const ws of wss.clients) ws.send(frame);
  sendJson(res, 200, { sent: wss.clients.size });
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
server.listen(0, '127.0.0.1', () => console.log(`ready baseline-ws http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
});
