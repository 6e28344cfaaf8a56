// Two or more server processes (or machines) sharing one Redis: a chat over WebSockets and an event
// stream whose history lives in Redis. Run: REDIS_URL=redis://127.0.0.1:6379 PORT=8081 node scaling-redis.js
// (and again with PORT=8082); a message said on one reaches the clients of both.
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');
const { WebSockets } = require('@microwebsrv/mods-websockets');
const { ServerSentEvents } = require('@microwebsrv/mods-sse');
const { RedisBus } = require('@microwebsrv/bus-redis');

const bus = new RedisBus({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', log: (msg, level) => console.log(`redis ${level}: ${msg}`) });
const srv = new MicroWebSrv();
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)];
srv.topics.bus = bus;                                     // one publish → every process's subscribers

const ws = srv.loadModule(WebSockets, { paths: ['/chat'] });
ws.onWebSocketAccepted = (_s, sock) => {
  sock.subscribe('chat');                                 // one Redis subscription per process, not per socket
  sock.onTextMessage = (_w, text) => srv.publish('chat', text.slice(0, 500));
};
const sse = srv.loadModule(ServerSentEvents, { historyStore: bus.history });
sse.event('/events', { topic: 'chat', history: { count: 500 } }); // Last-Event-ID works on any process

srv.registerRoute((_s, req) => {
  srv.publish('chat', req.queryParams.text ?? '');
  return { bus: bus.state };                              // 'ready', or 'down' (then only this process hears it)
}, 'GET', '/say');

srv.startManaged().then(() => {
  stopOnSignals(srv, { onStopped: () => bus.close() });
  console.log(`listening on http://127.0.0.1:${srv.address[1]}`);
});
