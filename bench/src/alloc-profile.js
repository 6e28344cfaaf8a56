'use strict';
// Where the heap goes per request: the bench's microwebsrv server (its routes, and the static stage over
// fixtures/www) run in this process, under load from wrk in a child, with V8's sampling heap profiler
// (inspector HeapProfiler, sampling every 256 bytes, objects collected by minor and major GCs included).
// Prints the sampled bytes per request and the top allocation sites (function file:line).
// usage (cwd = repository root, after a build):
//   node bench/src/alloc-profile.js [path] [seconds] [--etag] [--top n] [--callers]
//     path     the URL path to load (default '/'; the static file: /file-4k.txt)
//     --etag   send If-None-Match with the ETag the server gives for path (the static-304 scenario)
// The sampled figure is an estimate (sampling), close to the bench's heap/op; use it to rank sites.
const inspector = require('node:inspector');
const { spawn } = require('node:child_process');
const path = require('node:path');
const Module = require('node:module');

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); if (i === -1) return false; args.splice(i, 1); return true; };
const opt = (name, dflt) => { const i = args.indexOf(name); if (i === -1) return dflt; const v = args[i + 1]; args.splice(i, 2); return v; };
const withEtag = flag('--etag');
const top = Number(opt('--top', 25));
// --callers: a builtin's bytes (push, Map, …) under `function file:line` of its caller instead of the builtin alone.
const callers = flag('--callers');
const urlPath = args[0] || '/';
const secs = Number(args[1] || 4);

const req = Module.createRequire(path.join(__dirname, '..', 'servers', 'microwebsrv.js'));
const { MicroWebSrv } = req('@microwebsrv/core');
const { STATIC_ROOT, ensureStaticFixture, jsonAnswer } = req('./lib/fixtures');

const wrk = (port, d, headers) => new Promise((resolve) => {
  const h = headers.flatMap((x) => ['-H', x]);
  const c = spawn('wrk', ['-t1', '-c32', `-d${d}s`, ...h, `http://127.0.0.1:${port}${urlPath}`]);
  let out = '';
  c.stdout.on('data', (x) => { out += x; });
  c.on('close', () => resolve(out));
});

(async () => {
  const srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', 0];
  srv.logLevel = 'WARNING';
  srv.registerRoute((s, r) => { r.response.contentType = 'text/plain'; r.response.returnOk('Hello World!'); }, 'GET', '/');
  srv.registerRoute((s, r, a) => r.response.returnOkJSON(jsonAnswer(a.name, a.n)), 'GET', '/json/<name:string>/<n:int>');
  ensureStaticFixture();
  srv.rootPath = STATIC_ROOT;
  await srv.startManaged();
  const port = srv.address[1];
  const headers = [];
  if (withEtag) {
    const r = await fetch(`http://127.0.0.1:${port}${urlPath}`);
    await r.arrayBuffer();
    headers.push(`If-None-Match: ${r.headers.get('etag')}`);
  }
  const s = new inspector.Session();
  s.connect();
  const post = (m, p) => new Promise((res, rej) => s.post(m, p || {}, (e, r) => (e ? rej(e) : res(r))));
  await wrk(port, 2, headers); // warm-up: compiled code, caches filled
  const before = srv.stats.requests;
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const out = await wrk(port, secs, headers);
  const { profile } = await post('HeapProfiler.stopSampling');
  const n = srv.stats.requests - before;
  const agg = new Map();
  let total = 0;
  const walk = (node, parent) => {
    const f = node.callFrame;
    let name = `${f.functionName || '(anon)'} ${f.url.replace(/.*\/(packages|node:)/, '$1')}:${f.lineNumber + 1}`;
    if (callers && f.url === '' && parent !== null) name += ` < ${parent}`;
    total += node.selfSize;
    if (node.selfSize) agg.set(name, (agg.get(name) || 0) + node.selfSize);
    for (const c of node.children) walk(c, name);
  };
  walk(profile.head, null);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  console.log(`GET ${urlPath}${withEtag ? ' (If-None-Match)' : ''}: requests ${n}${rps ? ` (${rps[1]}/s)` : ''}, sampled bytes/req ${(total / n).toFixed(0)}`);
  [...agg.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .forEach(([k, v]) => console.log(String((v / n).toFixed(1)).padStart(8), k));
  await srv.stop();
  process.exit(0);
})();
