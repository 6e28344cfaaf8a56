'use strict';
// One topic space for WebSockets and server-sent events: a chat room on the topic chat/<room>. WebSockets
// on /chat/<room> talk; GET /chat/<room>/events follows the room read-only; GET /rooms counts listeners.
// Two servers share one bus (the second one on PORT2), and a bus of our own wraps the in-process one.
const { MicroWebSrv, InProcessBus, stopOnSignals } = require('@microwebsrv/core');
const { WebSockets } = require('@microwebsrv/mods-websockets');
const { ServerSentEvents } = require('@microwebsrv/mods-sse');

// A Bus is publish / subscribe / unsubscribe of topic → message: this one counts, then delegates. A
// cross-process bus (Redis, NATS) implements the same three methods; the modules do not change.
class CountingBus {
  constructor() { this.inner = new InProcessBus(); this.published = 0; }
  publish(message) { this.published++; this.inner.publish(message); }
  subscribe(pattern, listener) { this.inner.subscribe(pattern, listener); }
  unsubscribe(pattern, listener) { this.inner.unsubscribe(pattern, listener); }
}
const bus = new CountingBus();

function configure(srv, port) {
  srv.bindAddress = ['0.0.0.0', port];
  srv.topics.bus = bus;                               // both servers: one topic space
  const ws = srv.loadModule(WebSockets, { topicSlowPolicy: 'skip' });
  const sse = srv.loadModule(ServerSentEvents);
  srv.registerRoute((_s, req, { room }) => {          // GET /chat/<room>/events: the room, read-only
    sse.open(req)?.subscribe(`chat/${room}`);
  }, 'GET', '/chat/<room>/events');
  srv.registerRoute(() => ({ lobby: srv.subscribers('chat/lobby'), other: srv.subscribers('chat/other'), published: bus.published }), 'GET', '/rooms');
  srv.registerRoute(() => '<p>WebSockets on /chat/&lt;room&gt;</p>', 'GET', '/');
  ws.onWebSocketAccepted = (_s, socket) => {
    const room = /^\/chat\/(\w{1,32})$/.exec(socket.request.path)?.[1];
    if (!room) { socket.close(1008, 'use /chat/<room>'); return; }
    socket.subscribe(`chat/${room}`);                 // unsubscribed by itself when the socket closes
    srv.publish(`chat/${room}`, `* someone joined (${srv.subscribers(`chat/${room}`)} here)`);
    socket.onTextMessage = (_w, text) => { srv.publish(`chat/${room}`, text.slice(0, 500)); };
  };
}

const a = new MicroWebSrv();
const b = new MicroWebSrv();
configure(a, Number(process.env.PORT ?? 8080));
configure(b, Number(process.env.PORT2 ?? (process.env.PORT === '0' ? 0 : 8081)));

Promise.all([a.startManaged(), b.startManaged()]).then(() => {
  stopOnSignals([a, b]);
  console.log(`chat on http://localhost:${a.address[1]}/ and http://localhost:${b.address[1]}/`);
}, (err) => { console.error(err.message); process.exitCode = 1; });
