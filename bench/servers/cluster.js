'use strict';
// The same two answers on W workers of node:cluster, from MicroWebSrv (startCluster) or from node:http (a
// plain cluster.fork() loop, as a node:http application is usually clustered). For src/cluster-bench.js.
// Usage: node cluster.js <microwebsrv|node-http> <workers>   (prints `READY <port>` once every worker listens)
//   GET /                  -> 200 text/plain "Hello World!"
//   GET /json/<name>/<n>   -> 200 application/json {name, n, double}
//   GET /readpath          -> (microwebsrv) the answering worker's srv.stats.readPath: which read path ran
const cluster = require('node:cluster');
const http = require('node:http');
const { jsonAnswer, parseIntSegment } = require('./lib/fixtures');

const [kind, workersArg] = process.argv.slice(2);
const workers = Number(workersArg);
if (!['microwebsrv', 'node-http'].includes(kind) || !(workers >= 1)) {
  console.error('usage: node cluster.js <microwebsrv|node-http> <workers>');
  process.exit(2);
}

if (kind === 'microwebsrv') {
  const { MicroWebSrv, startCluster } = require('@microwebsrv/core');
  startCluster(() => {
    const srv = new MicroWebSrv(); // Normal preset
    srv.bindAddress = ['127.0.0.1', 0];
    srv.logLevel = 'WARNING';
    srv.registerRoute((_s, req) => { req.response.contentType = 'text/plain'; req.response.returnOk('Hello World!'); }, 'GET', '/');
    srv.registerRoute((_s, req, { name, n }) => req.response.returnOkJSON(jsonAnswer(name, n)), 'GET', '/json/<name:string>/<n:int>');
    srv.registerRoute(() => srv.stats.readPath, 'GET', '/readpath');
    return srv;
  }, { workers, log: () => undefined }).then((c) => { if (c.isPrimary) console.log(`READY ${c.addresses[0][1]}`); });
} else if (cluster.isPrimary) {
  let listening = 0;
  let port = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('listening', (_w, addr) => { port = addr.port; if (++listening === workers) console.log(`READY ${port}`); });
  const stop = () => { for (const w of Object.values(cluster.workers)) w.kill(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const BODY = 'Hello World!';
  const HEADERS = { 'Content-Type': 'text/plain', 'Content-Length': String(BODY.length) };
  http.createServer((req, res) => {
    if (req.url === '/') { res.writeHead(200, HEADERS); res.end(BODY); return; }
    const parts = req.url.split('/');
    const n = parts.length === 4 && parts[1] === 'json' ? parseIntSegment(parts[3]) : null;
    if (n === null) { res.writeHead(404, { 'Content-Length': '0' }); res.end(); return; }
    const body = JSON.stringify(jsonAnswer(decodeURIComponent(parts[2]), n));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  }).listen(0, '127.0.0.1'); // port 0 in a worker: the primary picks one port shared by all workers
}
