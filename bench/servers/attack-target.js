'use strict';
// The target of the attack scenario (src/attack-bench.js): this project or node:http with the same three
// answers. Usage: node attack-target.js <mws|node-http> <port>   (MWS_PRESET=light|normal for mws)
//   GET /               -> 200 text/plain "Hello World!" (the legitimate probe)
//   POST /up            -> 200, the body's length (the RUDY target: the body is buffered)
//   GET /big-5m.bin     -> a 5 MiB file from the static-file service (the slow-read target)
// Each keeps its own defaults: node:http's timeouts (headersTimeout 60 s, requestTimeout 300 s), this
// project's preset; neither is tuned for the attack.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { STATIC_ROOT } = require('./lib/fixtures');

// The server's event-loop delay, reported with the stats (is a slow answer the loop's fault?).
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const loopStats = () => ({ loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 });

const kind = process.argv[2];
const port = Number(process.argv[3] ?? 0);
const BIG = 'big-5m.bin';

function ensureBig() {
  const file = path.join(STATIC_ROOT, BIG);
  try { if (fs.statSync(file).size === 5 * 1024 * 1024) return; } catch { /* made below */ }
  fs.mkdirSync(STATIC_ROOT, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.alloc(5 * 1024 * 1024, 0x61));
  fs.renameSync(tmp, file);
}

async function mws() {
  const { MicroWebSrv } = require('@microwebsrv/core');
  const srv = new MicroWebSrv();
  const preset = (process.env.MWS_PRESET || 'normal').toLowerCase();
  srv[{ light: 'setLightConfig', normal: 'setNormalConfig', large: 'setLargeConfig', embedded: 'setEmbeddedConfig' }[preset]]();
  srv.logLevel = 'ERROR';
  // A/B runs of a defence's setting: MWS_SET='name=value,…' (numbers or true/false).
  for (const kv of (process.env.MWS_SET || '').split(',').filter(Boolean)) {
    const [k, v] = kv.split('=');
    srv[k] = v === 'true' ? true : v === 'false' ? false : Number(v);
  }
  srv.bindAddress = ['127.0.0.1', port];
  srv.rootPath = STATIC_ROOT;
  srv.registerRoute(() => 'Hello World!', 'GET', '/');
  srv.registerRoute((_s, req) => String(req.content.length), 'POST', '/up');
  await srv.startManaged();
  process.stdout.write(`READY ${srv.address[1]} SLOTS ${srv.bufferSlotsCount * srv.bufferSlotSize} BUDGET ${srv.maxBufferedBodyBytes}\n`);
  process.on('message', (m) => { if (m === 'stats') process.send({ stats: { ...srv.stats, ...loopStats() } }); });
  return () => srv.stop();
}

async function nodeHttp() {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/') { res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '12' }); res.end('Hello World!'); return; }
    if (req.method === 'POST' && req.url === '/up') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => { const n = String(Buffer.concat(chunks).length); res.writeHead(200, { 'Content-Length': String(n.length) }); res.end(n); });
      return;
    }
    if (req.method === 'GET' && req.url === `/${BIG}`) {
      const file = path.join(STATIC_ROOT, BIG);
      fs.stat(file, (err, st) => {
        if (err) { res.writeHead(404); res.end(); return; }
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(st.size) });
        fs.createReadStream(file).pipe(res);
      });
      return;
    }
    res.writeHead(404, { 'Content-Length': '0' });
    res.end();
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  process.stdout.write(`READY ${server.address().port}\n`);
  process.on('message', (m) => { if (m === 'stats') process.send({ stats: loopStats() }); });
  return () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); });
}

ensureBig();
(kind === 'node-http' ? nodeHttp() : mws()).then((stop) => {
  const end = () => Promise.resolve(stop()).finally(() => process.exit(0));
  process.on('SIGTERM', end);
  process.on('SIGINT', end);
  process.on('disconnect', end);
}, (err) => { console.error(err); process.exit(1); });
