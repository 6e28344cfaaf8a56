'use strict';
// A server of the Redis fan-out bench: WebSockets at /sub subscribed to the topic `bench`, topics on a
// RedisBus (REDIS_URL). Prints "READY <port>" once the bus is connected. Usage: node redis-fanout.js <port>
const { MicroWebSrv } = require('@microwebsrv/core');
const { WebSockets } = require('@microwebsrv/mods-websockets');
const { RedisBus } = require('@microwebsrv/bus-redis');

const bus = new RedisBus({ url: process.env.REDIS_URL, prefix: 'bench:', log: () => {} });
const srv = new MicroWebSrv();
srv.bindAddress = ['127.0.0.1', Number(process.argv[2] ?? 0)];
srv.bufferSlotsCount = 1024; // 500 subscribers each, and room
srv.topics.bus = bus;
const ws = srv.loadModule(WebSockets, { paths: ['/sub'] });
ws.onWebSocketAccepted = (_s, sock) => { sock.subscribe('bench'); };
srv.onLogging = () => {};
bus.ready().then(() => srv.startManaged()).then(() => process.stdout.write(`READY ${srv.address[1]}\n`));
process.on('message', (m) => { if (m === 'stats') process.send?.({ bus: bus.stats, topics: srv.topics.stats }); });
process.on('SIGTERM', () => { srv.stop().then(() => bus.close()).then(() => process.exit(0)); });
