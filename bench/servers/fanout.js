'use strict';
// Fan-out servers for bench/src/fanout-bench.js: one publish reaches every subscriber.
// Usage: node fanout.js <kind> <port>   kind: mws-ws | mws-sse | ws-loop | uws
//   GET /sub (WebSocket upgrade, or an EventSource for mws-sse): a subscriber of the topic `fan`
//   GET /publish?n=<messages>&size=<bytes> -> publishes n messages of size bytes on `fan` (batches of 16,
//     one event-loop turn between batches, so sends interleave with the kernel's writes as in a live
//     server), then answers 200 "<n>"
// mws-*: MicroWebSrv-TS's topics (srv.publish: one frame / one SSE block per publish, shared); ws-loop:
// a `ws` server looping over its clients (ws.send per client: a frame header and a write each); uws:
// uWebSockets.js's app.publish (its own topic tree, C++). Modules are loaded from their built dist/.
const path = require('node:path');
const http = require('node:http');
const { onStop, ready, skip } = require('./lib/lifecycle');

const kind = process.argv[2];
const port = Number(process.argv[3] ?? 0);
const pkg = (name) => require(path.join(__dirname, '..', '..', 'packages', name, 'dist', 'index.js'));

function publishLoop(n, size, publishOne, done) {
  const data = Buffer.alloc(size, 0x61); // 'a' × size: valid UTF-8 text for every kind
  let left = n;
  const batch = () => {
    for (let i = 0; i < 16 && left > 0; i++, left--) publishOne(data);
    if (left > 0) setImmediate(batch); else done();
  };
  batch();
}
const params = (url) => { const u = new URL(url, 'http://x'); return [Number(u.searchParams.get('n') ?? 1), Number(u.searchParams.get('size') ?? 64)]; };

async function mws(sse) {
  const { MicroWebSrv } = require('@microwebsrv/core');
  const srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', port];
  srv.logLevel = 'ERROR';
  srv.bufferSlotsCount = 11000;
  srv.bufferSlotSize = 1024;
  srv.connQueueCapacity = 4096;
  if (sse) {
    const { ServerSentEvents } = pkg('mods-sse');
    const mod = srv.loadModule(ServerSentEvents, { maxStreams: 20000, heartbeatSec: 0, maxQueue: 1024 });
    srv.registerRoute((_s, req) => { mod.open(req, { }).subscribe('fan'); }, 'GET', '/sub');
  } else {
    const { WebSockets } = pkg('mods-websockets');
    const mod = srv.loadModule(WebSockets, { maxSendQueueBytes: 16 * 1024 * 1024 });
    mod.route('/sub', (ws) => { ws.subscribe('fan'); });
  }
  srv.registerRoute((_s, req) => {
    const [n, size] = params(req.rawPath + (req.queryString ? `?${req.queryString}` : ''));
    return new Promise((resolve) => publishLoop(n, size, (d) => srv.publish('fan', d, { binary: false }), () => resolve(String(n))));
  }, 'GET', '/publish');
  await srv.startManaged();
  onStop(() => srv.stop());
  ready(srv.address[1]);
}

function wsLoop() {
  const WS = require('ws');
  const server = http.createServer((req, res) => {
    if (!req.url.startsWith('/publish')) { res.writeHead(404).end(); return; }
    const [n, size] = params(req.url);
    publishLoop(n, size, (d) => { for (const c of wss.clients) if (c.readyState === 1) c.send(d, { binary: false }); }, () => res.end(String(n)));
  });
  const wss = new WS.WebSocketServer({ server, path: '/sub', perMessageDeflate: false });
  server.listen(port, '127.0.0.1', () => { onStop(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); server.close(() => r()); })); ready(server.address().port); });
}

function uws() {
  let uWS;
  try {
    const dir = path.dirname(require.resolve('@trufflesuite/uws-js-unofficial/package.json'));
    uWS = require(path.join(dir, 'binaries', `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`));
  } catch (err) { skip(`uWebSockets.js native binary unavailable: ${err.message.split('\n')[0]}`); return; }
  const app = uWS.App()
    .ws('/sub', { compression: 0, maxBackpressure: 16 * 1024 * 1024, open: (ws) => { ws.subscribe('fan'); } })
    .get('/publish', (res, req) => {
      const [n, size] = params(`/publish?${req.getQuery()}`);
      let aborted = false;
      res.onAborted(() => { aborted = true; });
      publishLoop(n, size, (d) => app.publish('fan', d, false), () => { if (!aborted) res.cork(() => res.end(String(n))); });
    });
  app.listen('127.0.0.1', port, (token) => {
    if (!token) { console.error('uws: listen failed'); process.exit(1); }
    onStop(() => uWS.us_listen_socket_close(token));
    ready(uWS.us_socket_local_port(token));
  });
}

if (kind === 'mws-ws') mws(false);
else if (kind === 'mws-sse') mws(true);
else if (kind === 'ws-loop') wsLoop();
else if (kind === 'uws') uws();
else { console.error('usage: node fanout.js <mws-ws|mws-sse|ws-loop|uws> <port>'); process.exit(2); }
