'use strict';
// Server-sent events: an endpoint in one line (/clock, a tick each second), a stream from a route with a
// handler loop (/countdown), and a stream subscribed to a topic pattern (/sensors, fed by POSTs).
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');
const { ServerSentEvents } = require('@microwebsrv/mods-sse');

const srv = new MicroWebSrv();
srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)];
const sse = srv.loadModule(ServerSentEvents, {
  maxStreams: 100,      // the 101st gets 503 with Retry-After
  heartbeatSec: 15,     // a comment after 15 s of silence keeps proxies from closing the stream
  retryMs: 2000,        // the browser reconnects after 2 s, sending Last-Event-ID
  onStop: (es) => { void es.send({ event: 'bye', data: 'server stopping' }); },
});

// uhttpd's event(url): GET /clock streams the topic 'clock'; a reconnecting client gets what it missed.
const clock = sse.event('/clock', { topic: 'clock', history: { count: 100, ageSec: 300 } });
setInterval(() => clock.dispatch({ now: new Date().toISOString() }, 'tick'), 1000).unref();

// A stream from any route: the handler may stay alive; send() rejects once the client has gone.
srv.registerRoute(async (_srv, req) => {
  const es = sse.open(req);
  if (es === null) return;                       // over maxStreams: 503 already answered
  try {
    for (let n = 5; n >= 0; n--) {
      await es.send({ event: 'count', id: n, data: `${n}\nline two` });  // multi-line data: two data: lines
      await new Promise((r) => setTimeout(r, 200));
    }
    es.close();
  } catch (err) {
    if (err.name !== 'AbortError') throw err;    // the client left mid-countdown
  }
}, 'GET', '/countdown');

// Topics with MQTT wildcards: /sensors streams every sensors/<room>/temp; POST /sensors/<room>/temp publishes.
srv.registerRoute((_srv, req) => { sse.open(req)?.subscribe('sensors/+/temp'); }, 'GET', '/sensors');
srv.registerRoute((_srv, req, { room }) => {
  srv.publish(`sensors/${room}/temp`, { room, celsius: Number(req.getPostedText()) }, { event: 'temp' });
  return { listeners: srv.subscribers(`sensors/${room}/temp`) };
}, 'POST', '/sensors/<room>/temp');

srv.startManaged().then(() => {
  stopOnSignals(srv);
  const base = `http://localhost:${srv.address[1]}`;
  console.log(`events on ${base}/clock, ${base}/countdown, ${base}/sensors`);
}, (err) => { console.error(err.message); process.exitCode = 1; });
