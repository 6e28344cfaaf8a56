'use strict';
// Fan-out: one publish to N subscribers (WebSocket and SSE), messages of 64 B and 4 KiB. For each server:
// delivered messages per second (as counted by the subscribers) and server CPU µs per delivered message
// (from /proc), with the server's RSS before and after. Servers: MicroWebSrv-TS topics (mws-ws, mws-sse),
// a `ws` server looping over its clients (ws-loop), uWebSockets.js app.publish (uws, when its binary loads).
// Usage: node bench/src/fanout-bench.js [--subs 1000,10000] [--sizes 64,4096] [--deliveries 200000] [--servers mws-ws,ws-loop,uws,mws-sse]
// Build first (npx -y pnpm@10.34.9 build). better-sse is not a dependency: SSE is measured alone.
const { spawn, fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { cpuMicros } = require('./proc-stat');

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const subs = arg('subs', '1000,10000').split(',').map(Number);
const sizes = arg('sizes', '64,4096').split(',').map(Number);
const deliveries = Number(arg('deliveries', '200000'));
const servers = arg('servers', 'mws-ws,ws-loop,uws,mws-sse').split(',');

const rssKiB = (pid) => { try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'))[1]); } catch { return null; } };

function startServer(kind) {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'servers', 'fanout.js'), kind, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
      const s = /SKIP (.*)/.exec(out);
      if (s) resolve({ child, skip: s[1] });
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code}): ${out}`)));
  });
}

function startClients(kind, port, n) {
  const child = fork(path.join(__dirname, 'fanout-client.js'), [kind, String(port), String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ready: m.ready }));
    child.once('exit', (code) => reject(new Error(`clients exited (${code})`)));
  });
}

async function measure(kind, n, size) {
  const srv = await startServer(kind);
  if (srv.skip) return { kind, n, size, skip: srv.skip };
  const cl = await startClients(kind === 'mws-sse' ? 'sse' : 'ws', srv.port, n);
  const k = Math.max(5, Math.round(deliveries / n));
  const rss0 = rssKiB(srv.child.pid);
  const cpu0 = cpuMicros(srv.child.pid);
  const t0 = process.hrtime.bigint();
  const done = new Promise((r) => cl.child.once('message', (m) => r(m.done)));
  cl.child.send({ expect: n * k });
  await fetch(`http://127.0.0.1:${srv.port}/publish?n=${k}&size=${size}`).then((r) => r.text());
  const got = await done;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9 - (got < n * k ? 2 : 0); // minus the 2 s idle wait when short
  const cpu = cpuMicros(srv.child.pid) - cpu0;
  const rss1 = rssKiB(srv.child.pid);
  cl.child.send({ exit: true });
  srv.child.kill('SIGTERM');
  await new Promise((r) => srv.child.once('exit', r));
  return { kind, n, size, published: k, expected: n * k, delivered: got, msgPerSec: Math.round(got / secs), cpuUsPerMsg: +(cpu / got).toFixed(3), rssKiB: [rss0, rss1] };
}

async function main() {
  const rows = [];
  for (const n of subs) for (const size of sizes) for (const kind of servers) {
    const r = await measure(kind, n, size);
    rows.push(r);
    console.log(r.skip ? `${kind} n=${n} size=${size}: SKIP ${r.skip}`
      : `${kind.padEnd(8)} n=${String(n).padStart(5)} size=${String(size).padStart(4)}: ${r.delivered}/${r.expected} delivered, ${r.msgPerSec} msg/s, ${r.cpuUsPerMsg} server CPU µs/msg, RSS ${r.rssKiB[0]} → ${r.rssKiB[1]} KiB`);
  }
  const out = path.join(__dirname, '..', 'results', 'fanout-latest.json');
  fs.writeFileSync(`${out}.tmp`, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2));
  fs.renameSync(`${out}.tmp`, out);
}
main().catch((err) => { console.error(err); process.exit(1); });
