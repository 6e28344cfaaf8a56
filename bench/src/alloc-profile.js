'use strict';
// Allocation profile of MicroWebSrv-TS's hot path (issue 19): the bench's plaintext and JSON routes in this
// process, loaded by wrk (1 thread, 32 connections) from a child, V8's sampling heap profiler on during the
// measure; prints the sampled bytes per request and the top allocation sites (function file:line).
// usage (from the repository root, after a build): node bench/src/alloc-profile.js <path> [seconds]
//   node bench/src/alloc-profile.js / 3                        # plaintext
//   node bench/src/alloc-profile.js /json/abc/3 3              # the JSON route
//   node --no-turbo-inlining bench/src/alloc-profile.js / 3    # sites of inlined functions under their own names
const inspector = require('node:inspector');
const { spawn } = require('node:child_process');
const path = require('node:path');
const root = process.cwd();
process.argv[2] = process.argv[2] || '/';
const urlPath = process.argv[2]; const secs = Number(process.argv[3] || 4);
const Module = require('node:module');
const req = Module.createRequire(path.join(root, 'bench/servers/microwebsrv.js'));
const { MicroWebSrv } = req('@microwebsrv/core');
const { jsonAnswer } = req('./lib/fixtures');
(async () => {
  const srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', 0]; srv.logLevel = 'WARNING';
  srv.registerRoute((s, r) => r.response.returnOk('Hello World!'), 'GET', '/');
  srv.registerRoute((s, r, a) => r.response.returnOkJSON(jsonAnswer ? jsonAnswer(a.name, a.n) : { name: a.name, n: a.n, double: a.n * 2 }), 'GET', '/json/<name:string>/<n:int>');
  await srv.startManaged();
  const port = srv.address[1];
  const s = new inspector.Session(); s.connect();
  const post = (m, p) => new Promise((res, rej) => s.post(m, p || {}, (e, r) => e ? rej(e) : res(r)));
  const run = (d) => new Promise((res) => { const c = spawn('wrk', ['-t1', '-c32', `-d${d}s`, `http://127.0.0.1:${port}${urlPath}`]); let o=''; c.stdout.on('data', x => o += x); c.on('close', () => res(o)); });
  await run(2); // warm
  const before = srv.stats.requests;
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const out = await run(secs);
  const { profile } = await post('HeapProfiler.stopSampling');
  const n = srv.stats.requests - before;
  const agg = new Map(); let total = 0;
  const walk = (node) => {
    const f = node.callFrame; const name = `${f.functionName || '(anon)'} ${f.url.replace(/.*\/(packages|node:)/, '$1')}:${f.lineNumber + 1}`;
    const self = node.selfSize; total += self;
    if (self) agg.set(name, (agg.get(name) || 0) + self);
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  console.log(`requests ${n}, sampled bytes/req ${(total / n).toFixed(0)}`);
  [...agg.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, v]) => console.log(String((v / n).toFixed(1)).padStart(8), k));
  await srv.stop(); process.exit(0);
})();
