'use strict';
// fastify 5: GET / -> 200 text/plain "Hello World!". Usage: node fastify.js <port>
const Fastify = require('fastify');
const { portArg, ready, onStop } = require('./lib/lifecycle');

const app = Fastify({ logger: false });
app.get('/', (request, reply) => {
  reply.type('text/plain').send('Hello World!');
});

app.listen({ port: portArg(), host: '127.0.0.1' }).then(
  () => ready(app.server.address().port),
  (err) => { console.error(err); process.exit(1); },
);
onStop(() => app.close());
