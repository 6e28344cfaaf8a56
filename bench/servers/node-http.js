'use strict';
// node:http baseline, written as a plain node:http application would be (no framework). Usage:
// node node-http.js <port>
//   GET /                 -> 200 text/plain "Hello World!"
//   GET /json/<name>/<n>  -> 200 application/json {name, n, double}: the path split by hand (n an integer, else 404)
//   POST /echo            -> 200 application/octet-stream, the body echoed (chunks collected, then one write)
//   GET /<file>           -> a file under fixtures/www: fs.stat per request, a weak ETag from size and mtime
//                            (the form `send`/express.static use), Last-Modified, 304 on If-None-Match,
//                            else the file streamed with fs.createReadStream. No cache: each request stats.
//   GET /page.jshtml      -> 200 text/html, fixtures/www/page.eta rendered by Eta (its cache on: compiled once)
// HTTP_IDLE_SEC=<s> (memory scenario): keepAliveTimeout, headersTimeout and requestTimeout raised to s
// seconds, so idle keep-alive connections outlive the measure (defaults: 5 s, 60 s, 300 s).
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { portArg, ready, onStop } = require('./lib/lifecycle');
const { Eta } = require('eta');
const { STATIC_ROOT, ensureStaticFixture, jsonAnswer, parseIntSegment, TEMPLATE_URL, TEMPLATE_ROWS, ensureTemplateFixture } = require('./lib/fixtures');

const BODY = 'Hello World!';
const HEADERS = { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(BODY)) };

function notFound(res) {
  res.writeHead(404, { 'Content-Length': '0' });
  res.end();
}

function json(req, res) {
  const parts = req.url.split('?')[0].split('/'); // ['', 'json', name, n]
  const n = parts.length === 4 ? parseIntSegment(parts[3]) : null;
  if (n === null || parts[2] === '') { notFound(res); return; }
  let name;
  try { name = decodeURIComponent(parts[2]); } catch { notFound(res); return; }
  const body = JSON.stringify(jsonAnswer(name, n));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

const eta = new Eta({ views: STATIC_ROOT, cache: true });

function page(req, res) {
  const html = eta.render('./page', { rows: TEMPLATE_ROWS });
  res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': String(Buffer.byteLength(html)) });
  res.end(html);
}

function echo(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) });
    res.end(body);
  });
}

const TYPES = { '.txt': 'text/plain; charset=UTF-8', '.html': 'text/html; charset=UTF-8', '.json': 'application/json' };

function staticFile(req, res) {
  let rel;
  try { rel = decodeURIComponent(req.url.split('?')[0]); } catch { notFound(res); return; }
  const file = path.join(STATIC_ROOT, rel);
  if (!file.startsWith(STATIC_ROOT + path.sep) || rel.includes('\0')) { notFound(res); return; }
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) { notFound(res); return; }
    const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers = { ETag: etag, 'Last-Modified': st.mtime.toUTCString(), 'Cache-Control': 'public, max-age=0' };
    const inm = req.headers['if-none-match'];
    if (inm !== undefined && inm.split(/\s*,\s*/).some((t) => t === etag || t === '*')) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['Content-Type'] = TYPES[path.extname(file)] || 'application/octet-stream';
    headers['Content-Length'] = String(st.size);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') { res.end(); return; }
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  } else if (req.method === 'GET' && req.url.startsWith('/json/')) {
    json(req, res);
  } else if (req.method === 'GET' && req.url === TEMPLATE_URL) {
    page(req, res);
  } else if (req.method === 'POST' && req.url === '/echo') {
    echo(req, res);
  } else if (req.method === 'GET' || req.method === 'HEAD') {
    staticFile(req, res);
  } else {
    notFound(res);
  }
});

const idle = process.env.HTTP_IDLE_SEC;
if (idle !== undefined && idle !== '') {
  if (!/^\d+$/.test(idle)) throw new Error(`HTTP_IDLE_SEC must be a positive integer, got ${idle}`);
  const ms = Number(idle) * 1000;
  server.keepAliveTimeout = ms;
  server.requestTimeout = ms;
  server.headersTimeout = ms; // not above requestTimeout
}

ensureStaticFixture();
ensureTemplateFixture();
server.listen(portArg(), '127.0.0.1', () => ready(server.address().port));
onStop(() => new Promise((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
}));
