'use strict';
// Upload peer: fastify 5 (+ @fastify/multipart) takes an upload (bench `upload` scenario). Usage: node upload-fastify.js <port>
// The same answers as upload-node-http.js: PUT /devnull, PUT /disk (raw bodies: a content-type parser
// that hands the request stream on), POST /multipart (@fastify/multipart, each file to /dev/null).
const fs = require('node:fs');
const { pipeline } = require('node:stream/promises');
const Fastify = require('fastify');
const { portArg, ready, onStop } = require('./lib/lifecycle');
const { tempFile } = require('./lib/upload-fixtures');

const app = Fastify({ logger: false, bodyLimit: 2 ** 40 });
app.register(require('@fastify/multipart'), { limits: { fileSize: 2 ** 40 } });
// A raw body as the stream it is (fastify would otherwise buffer application/octet-stream whole).
app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

async function toFile(req, file) {
  let n = 0;
  req.body.on('data', (c) => { n += c.length; });
  await pipeline(req.body, fs.createWriteStream(file));
  if (file !== '/dev/null') fs.rmSync(file);
  return String(n);
}
app.put('/devnull', (req) => toFile(req, '/dev/null'));
app.put('/disk', (req) => toFile(req, tempFile()));
app.post('/multipart', async (req) => {
  let n = 0;
  for await (const part of req.parts()) {
    if (part.type !== 'file') continue;
    part.file.on('data', (c) => { n += c.length; });
    await pipeline(part.file, fs.createWriteStream('/dev/null'));
  }
  return String(n);
});

app.listen({ port: portArg(), host: '127.0.0.1' }).then(() => ready(app.server.address().port));
onStop(() => app.close());
