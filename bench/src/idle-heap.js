#!/usr/bin/env node
'use strict';
// What one idle keep-alive connection's object graph holds, by diffing two V8 heap snapshots of a server:
// before and after N idle connections (each answered one GET /, as in the memory scenario). Prints the
// objects added per connection, by type and constructor (closures with their line:column@script id),
// count per connection and bytes per connection (V8's shallow sizes; "synthetic" rows are native memory
// the embedder reports, not V8 heap). Not a benchmark: no pinning, one sample; for finding what to shrink.
// Usage: node bench/src/idle-heap.js [--conns 2000] [--server microwebsrv|microwebsrv@large|net-echo|node-http|…] [--min 4]
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { resolveServer } = require('./servers');
const { envFor } = require('./memory');
const { openIdle, closeIdle } = require('./idle-client');

function parseArgs(argv) {
  const o = { conns: 2000, server: 'microwebsrv', min: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${a} needs a value`); return x; };
    if (a === '--conns') o.conns = Number(v());
    else if (a === '--server') o.server = v();
    else if (a === '--min') o.min = Number(v());
    else throw new Error(`unknown option ${a} (--conns n, --server id, --min bytes)`);
  }
  if (!Number.isInteger(o.conns) || o.conns < 1) throw new Error('--conns must be a positive integer');
  return o;
}

/** {key → {n, bytes}} of a snapshot file: nodes grouped by type and name (strings and numbers by type only). */
function aggregate(file) {
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  const f = s.snapshot.meta.node_fields;
  const nf = f.length;
  const types = s.snapshot.meta.node_types[0];
  const it = f.indexOf('type');
  const iname = f.indexOf('name');
  const isz = f.indexOf('self_size');
  const loc = new Map(); // closure node index → line:column@script id (V8's locations are 0-based)
  const locs = s.locations || [];
  for (let i = 0; i < locs.length; i += 4) loc.set(locs[i], `${locs[i + 2] + 1}:${locs[i + 3] + 1}@${locs[i + 1]}`);
  const agg = new Map();
  for (let i = 0; i < s.nodes.length; i += nf) {
    const type = types[s.nodes[i + it]];
    let name = s.strings[s.nodes[i + iname]];
    if (type === 'closure') name = `${name || '(anonymous)'} ${loc.get(i) || ''}`;
    else if (/string|number/.test(type)) name = '';
    else if (/code|array|hidden/.test(type)) name = name.slice(0, 40);
    const k = `${type} | ${name.slice(0, 80)}`;
    let a = agg.get(k);
    if (!a) agg.set(k, (a = { n: 0, bytes: 0 }));
    a.n++;
    a.bytes += s.nodes[i + isz];
  }
  return agg;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const spec = resolveServer(o.server);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idle-heap-'));
  const child = fork(spec.script, ['0'], { execArgv: ['--expose-gc'], env: { ...process.env, ...spec.env, ...envFor(spec, o.conns) }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /READY (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
        else if (/SKIP /.test(out)) reject(new Error(`${spec.label} cannot run here: ${out.trim()}`));
      });
      child.once('exit', (code) => reject(new Error(`${spec.label} exited (${code}) before it was ready`)));
    });
    const snap = (name) => new Promise((resolve) => {
      child.once('message', (m) => resolve(m.path));
      child.send({ cmd: 'heap-snapshot', path: path.join(dir, name) });
    });
    const mode = spec.kind === 'echo' ? 'echo' : 'http';
    await openIdle({ port, count: 1, mode }); // the first request's one-time costs (code, caches) go in "before"
    await closeIdle();
    await new Promise((r) => setTimeout(r, 300));
    const before = aggregate(await snap('before.heapsnapshot'));
    const opened = await openIdle({ port, count: o.conns, mode });
    if (opened.opened !== o.conns) throw new Error(`only ${opened.opened} of ${o.conns} connections opened: ${JSON.stringify(opened.reasons)}`);
    await new Promise((r) => setTimeout(r, 300));
    const after = aggregate(await snap('after.heapsnapshot'));
    await closeIdle();
    const rows = [];
    let total = 0;
    for (const [k, a] of after) {
      const b = before.get(k) || { n: 0, bytes: 0 };
      total += a.bytes - b.bytes;
      if (Math.abs(a.bytes - b.bytes) / o.conns >= o.min) rows.push([k, (a.n - b.n) / o.conns, (a.bytes - b.bytes) / o.conns]);
    }
    for (const [k, b] of before) if (!after.has(k)) total -= b.bytes;
    rows.sort((x, y) => y[2] - x[2]);
    console.log(`${spec.label}: ${o.conns} idle keep-alive connections, heap snapshot growth per connection (rows of at least ${o.min} B)`);
    console.log(`${'B/conn'.padStart(7)} ${'n/conn'.padStart(7)}  type | constructor`);
    for (const [k, n, b] of rows) console.log(`${b.toFixed(0).padStart(7)} ${n.toFixed(2).padStart(7)}  ${k}`);
    console.log(`${(total / o.conns).toFixed(0).padStart(7)}          total (all rows; "synthetic" and "native" rows are native memory, not V8 heap)`);
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err.message); process.exitCode = 1; });
