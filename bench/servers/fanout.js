'use strict';
// Fan-out servers (the `fanout` scenario, bench/src/fanout.js): one publish reaches every subscriber.
// Usage: FANOUT_KIND=<kind> node bench/servers/fanout.js <port>
//   kind: mws-ws | mws-sse | ws-loop | uws | better-sse
//   GET /sub (a WebSocket upgrade, or an event stream for the SSE kinds): a subscriber of the topic `fan`
//   GET /publish?n=<messages>&size=<bytes> -> publishes n messages of `size` bytes ('a' × size) on `fan`
//     in batches of 16 per event-loop turn (setImmediate between batches, so the kernel's writes interleave
//     with the publishing as in a live server), then answers 200 "<n>"; the first of each batch carries its
//     publish time (see `stamped`)
//   GET /subscribers -> 200 "<how many subscribers the server holds>"
// mws-*: MicroWebSrv-TS's topics (srv.publish: one frame / one SSE event block per publish, shared);
// ws-loop: a `ws` server looping over its clients (ws.send per client: a frame header and a write each);
// uws: uWebSockets.js's app.publish (its own topic tree, C++); better-sse: a better-sse Channel on node:http,
// channel.broadcast per message (an event id given, as MicroWebSrv-TS's events have one). Modules are loaded
// from their built dist/.
const path = require('node:path');
const http = require('node:http');
const { portArg, onStop, ready, skip } = require('./lib/lifecycle');

const kind = process.env.FANOUT_KIND || process.argv[3];
const port = portArg();
const pkg = (name) => require(path.join(__dirname, '..', '..', 'packages', name, 'dist', 'index.js'));
const BATCH = 16;

/**
 * The first message of each batch carries its publish time (the monotonic clock, CLOCK_MONOTONIC, which
 * every process of the machine shares, in µs: 16 digits, then 'a's — still `size` bytes of text) when
 * size >= 32: the subscribers measure publish-to-receipt latency from it (fanout-client.js). The same for
 * every kind of server.
 */
const STAMP_MIN_SIZE = 32;
const stamped = (size) => String(process.hrtime.bigint() / 1000n).padStart(16, '0').padEnd(size, 'a');

function publishLoop(n, size, publishOne, done) {
  const data = 'a'.repeat(size); // valid UTF-8 text (and a valid SSE data line) for every kind
  const bytes = Buffer.from(data);
  let left = n;
  const batch = () => {
    let i = 0;
    if (size >= STAMP_MIN_SIZE && left > 0) { const st = stamped(size); publishOne(st, Buffer.from(st)); i++; left--; }
    for (; i < BATCH && left > 0; i++, left--) publishOne(data, bytes);
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
  srv.bufferSlotsCount = 20100;
  srv.bufferSlotSize = 1024;
  srv.connQueueCapacity = 4096;
  let count = () => 0;
  if (sse) {
    const { ServerSentEvents } = pkg('mods-sse');
    const mod = srv.loadModule(ServerSentEvents, { maxStreams: 20100, heartbeatSec: 0, maxQueue: 1024 });
    srv.registerRoute((_s, req) => { mod.open(req, { }).subscribe('fan'); }, 'GET', '/sub');
  } else {
    // FANOUT_MWS_DIR: the module's build to load (default dist), for a before/after comparison in one run
    const { WebSockets } = require(path.join(__dirname, '..', '..', 'packages', 'mods-websockets', process.env.FANOUT_MWS_DIR || 'dist', 'index.js'));
    const mod = srv.loadModule(WebSockets, { maxSendQueueBytes: 16 * 1024 * 1024 });
    mod.route('/sub', (ws) => { ws.subscribe('fan'); });
  }
  count = () => srv.topics.subscribers('fan');
  srv.registerRoute((_s, req) => req.response.returnOk(String(count())), 'GET', '/subscribers');
  srv.registerRoute((_s, req) => {
    const [n, size] = params(`/publish?${req.queryString}`);
    return new Promise((resolve) => publishLoop(n, size, (d) => srv.publish('fan', d), () => resolve(req.response.returnOk(String(n)))));
  }, 'GET', '/publish');
  await srv.startManaged();
  onStop(() => srv.stop());
  ready(srv.address[1]);
}

function wsLoop() {
  const WS = require('ws');
  const server = http.createServer((req, res) => {
    if (req.url === '/subscribers') { res.end(String(wss.clients.size)); return; }
    if (!req.url.startsWith('/publish')) { res.writeHead(404).end(); return; }
    const [n, size] = params(req.url);
    publishLoop(n, size, (_d, b) => { for (const c of wss.clients) if (c.readyState === 1) c.send(b, { binary: false }); }, () => res.end(String(n)));
  });
  const wss = new WS.WebSocketServer({ server, path: '/sub', perMessageDeflate: false });
  server.listen(port, '127.0.0.1', () => { onStop(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); server.close(() => r()); })); ready(server.address().port); });
}

function betterSse() {
  const { createSession, createChannel } = require('better-sse');
  const channel = createChannel();
  let id = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/sub') {
      // No retry field, no keep-alive comments (heartbeats are off for MicroWebSrv-TS too); data as given.
      createSession(req, res, { retry: null, keepAlive: null, serializer: String }).then((s) => channel.register(s), () => res.destroy());
      return;
    }
    if (req.url === '/subscribers') { res.end(String(channel.sessionCount)); return; }
    if (!req.url.startsWith('/publish')) { res.writeHead(404).end(); return; }
    const [n, size] = params(req.url);
    publishLoop(n, size, (d) => channel.broadcast(d, 'message', { eventId: String(++id) }), () => res.end(String(n)));
  });
  server.listen(port, '127.0.0.1', () => { onStop(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); })); ready(server.address().port); });
}

function uws() {
  let uWS;
  try {
    const dir = path.dirname(require.resolve('@trufflesuite/uws-js-unofficial/package.json'));
    uWS = require(path.join(dir, 'binaries', `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`));
  } catch (err) { skip(`uWebSockets.js native binary unavailable: ${err.message.split('\n')[0]}`); return; }
  const app = uWS.App()
    .ws('/sub', { compression: 0, maxBackpressure: 16 * 1024 * 1024, idleTimeout: 0, open: (ws) => { ws.subscribe('fan'); } })
    .get('/subscribers', (res) => { res.end(String(app.numSubscribers('fan'))); })
    .get('/publish', (res, req) => {
      const [n, size] = params(`/publish?${req.getQuery()}`);
      let aborted = false;
      res.onAborted(() => { aborted = true; });
      publishLoop(n, size, (_d, b) => app.publish('fan', b, false), () => { if (!aborted) res.cork(() => res.end(String(n))); });
    });
  app.listen('127.0.0.1', port, (token) => {
    if (!token) { console.error('uws: listen failed'); process.exit(1); }
    onStop(() => uWS.us_listen_socket_close(token));
    ready(uWS.us_socket_local_port(token));
  });
}

const KINDS = { 'mws-ws': () => mws(false), 'mws-sse': () => mws(true), 'ws-loop': wsLoop, uws, 'better-sse': betterSse };
if (!KINDS[kind]) { console.error(`FANOUT_KIND must be one of ${Object.keys(KINDS).join(', ')}, got ${kind}`); process.exit(2); }
KINDS[kind]();
