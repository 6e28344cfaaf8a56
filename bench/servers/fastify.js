'use strict';
// fastify 5, as its documentation shows it. Usage: node fastify.js <port>
//   GET /                 -> 200 text/plain "Hello World!"
//   GET /json/:name/:n    -> 200 {name, n, double} (route params; n an integer, else 404), fastify's serializer
//   POST /echo            -> 200 application/octet-stream, the body (a buffer content-type parser: fastify
//                            parses only JSON and text by default and answers 415 otherwise)
//   GET /page.jshtml      -> 200 text/html, fixtures/www/page.eta rendered by Eta (its cache on: compiled once)
//   GET /<file>           -> @fastify/static (send: ETag, Last-Modified, 304) from fixtures/www
const Fastify = require('fastify');
const fastifyStatic = require('@fastify/static');
const { portArg, ready, onStop } = require('./lib/lifecycle');
const { Eta } = require('eta');
const { STATIC_ROOT, ensureStaticFixture, jsonAnswer, parseIntSegment, TEMPLATE_URL, TEMPLATE_ROWS, ensureTemplateFixture } = require('./lib/fixtures');

const app = Fastify({ logger: false });
app.get('/', (request, reply) => {
  reply.type('text/plain').send('Hello World!');
});
app.get('/json/:name/:n', (request, reply) => {
  const n = parseIntSegment(request.params.n);
  if (n === null) { reply.callNotFound(); return; }
  reply.send(jsonAnswer(request.params.name, n));
});
app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (request, body, done) => done(null, body));
app.post('/echo', (request, reply) => {
  reply.type('application/octet-stream').send(request.body);
});
const eta = new Eta({ views: STATIC_ROOT, cache: true });
app.get(TEMPLATE_URL, (request, reply) => {
  reply.type('text/html; charset=UTF-8').send(eta.render('./page', { rows: TEMPLATE_ROWS }));
});
ensureStaticFixture();
ensureTemplateFixture();
app.register(fastifyStatic, { root: STATIC_ROOT });

app.listen({ port: portArg(), host: '127.0.0.1' }).then(
  () => ready(app.server.address().port),
  (err) => { console.error(err); process.exit(1); },
);
onStop(() => app.close());
