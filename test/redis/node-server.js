'use strict';
// One "machine" of the cross-process tests: a server on PORT (0: a free one) whose topics go through Redis
// (REDIS_URL). GET /metrics (mods-metrics). WebSockets at /ws subscribe to `chat`; GET /events streams `chat` (SSE, history in a Redis
// stream); GET /pub?m=text publishes on `chat`; GET /state answers the bus's state. Ctrl-C stops it.
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');
const { WebSockets } = require('@microwebsrv/mods-websockets');
const { ServerSentEvents } = require('@microwebsrv/mods-sse');
const { RedisBus } = require('@microwebsrv/bus-redis');
const { Metrics } = require('@microwebsrv/mods-metrics');

const bus = new RedisBus({ url: process.env.REDIS_URL, prefix: process.env.PREFIX || 'xp:', maxRetryDelayMs: 200, log: (msg, level) => console.log(`bus ${level}: ${msg}`) });
const srv = new MicroWebSrv();
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 0)];
srv.topics.bus = bus;
srv.loadModule(Metrics, { defaultMetrics: false }); // GET /metrics: the bus's state among the rest
const ws = srv.loadModule(WebSockets, { paths: ['/ws'] });
ws.onWebSocketAccepted = (_s, sock) => { sock.subscribe('chat'); sock.sendTextMessage('hello'); };
const sse = srv.loadModule(ServerSentEvents, { historyStore: bus.history, heartbeatSec: 0 });
sse.event('/events', { topic: 'chat', history: { count: 1000 } });
srv.registerRoute((_s, req) => { srv.publish('chat', req.queryParams.m ?? ''); req.response.returnOkJSON({ ok: true, state: bus.state }); }, 'GET', '/pub');
srv.registerRoute((_s, req) => { req.response.returnOkJSON({ state: bus.state, stats: bus.stats }); }, 'GET', '/state');

bus.ready(15000).catch(() => {}).finally(async () => {
  await srv.startManaged();
  console.log(`listening on http://127.0.0.1:${srv.address[1]}`);
  stopOnSignals([srv], { onStopped: () => bus.close() });
});
