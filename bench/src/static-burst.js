'use strict';
// A burst of large static sends (issue 18, "no loop stall from large static sends"): 200 clients ask for
// the 5 MiB file at once and never read, while a legitimate client opens a connection every 10 ms for
// `GET /` during the burst's first --seconds. Printed per server: the probes' p50/p99/max latency, the
// server's event-loop delay (p99, max) and peak RSS (VmHWM). Loopback only, bounded (~--seconds + 2 s a row).
// Usage: node bench/src/static-burst.js [--seconds 2] [--clients 200] [--servers mws,node-http] [--presets light,normal]
//   [--attack-from 127.0.0.2]  (the readers' source address; the probes come from 127.0.0.1)
// Build first (npx -y pnpm@10.34.9 build). The server: servers/attack-target.js.
const fs = require('node:fs');
const { fork } = require('node:child_process');
const path = require('node:path');
const { probe, startTarget } = require('./attack-probe');

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const seconds = Number(arg('seconds', '2'));
const clients = Number(arg('clients', '200'));
const servers = arg('servers', 'mws,node-http').split(',');
/** Where the attack comes from (attack-client.js): another address than the probes' 127.0.0.1 by default. */
const attackFrom = arg('attack-from', '127.0.0.2');
const presets = arg('presets', 'light,normal').split(',');

const hwmKiB = (pid) => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'))[1]);

const startServer = startTarget;

/** Connect times of the probes (the kernel's part of their latency). */
let connectMs = [];
/** Slow or unserved probes of each row (`<latency>@<ms after the burst began>`). */
const slowRows = [];

const pct = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

async function row(kind, preset) {
  const srv = await startServer(kind, preset);
  await new Promise((r) => setTimeout(r, 300));
  // The readers live in their own process (attack-client.js slowread): in the probing process, their
  // sockets' reads would delay the probes' own and be measured as the server's latency.
  const readers = fork(path.join(__dirname, 'attack-client.js'), ['slowread', String(srv.port), String(clients), String(seconds + 1), attackFrom], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const readersDone = new Promise((r) => readers.once('exit', r));
  const probes = [];
  const slow = [];
  const end = Date.now() + seconds * 1000;
  // The probes above 50 ms with when they began (ms after the burst began), printed after the table.
  const t0 = Date.now();
  while (Date.now() < end) {
    const at = Date.now() - t0;
    let why = '';
    probes.push(probe(srv.port, 3000, (ms) => connectMs.push(ms), (w) => { why = w; }).then((ms) => { if (ms === null || ms > 50) slow.push(`${ms === null ? `unserved (${why})` : `${ms.toFixed(0)} ms`}@${at}`); return ms; }));
    await new Promise((r) => setTimeout(r, 10));
  }
  const lat = await Promise.all(probes);
  const stats = await new Promise((r) => { srv.child.once('message', (m) => r(m.stats)); srv.child.send('stats'); });
  const peak = hwmKiB(srv.child.pid) / 1024;
  await readersDone;
  srv.child.kill('SIGTERM');
  await new Promise((r) => srv.child.once('exit', r));
  const ok = lat.filter((x) => x !== null).sort((a, b) => a - b);
  const conn = connectMs.sort((a, b) => a - b);
  connectMs = [];
  const name = kind === 'mws' ? `MicroWebSrv-TS@${preset}` : `node:http (${preset} run)`;
  if (slow.length > 0) slowRows.push(`${name}: ${slow.join(', ')}`);
  console.log(`| ${name} | ${clients} | ${ok.length}/${lat.length} | ${pct(ok, 50).toFixed(1)} | ${pct(ok, 99).toFixed(1)} | ${ok.length ? ok[ok.length - 1].toFixed(1) : '-'} | ${stats.loopP99Ms.toFixed(1)} | ${stats.loopMaxMs.toFixed(0)} | ${peak.toFixed(0)} | ${pct(conn, 50).toFixed(1)} / ${pct(conn, 99).toFixed(1)} |`);
}

(async () => {
  console.log(`static burst: ${clients} clients (from ${attackFrom}) GET /big-5m.bin at once and never read; GET / every 10 ms for ${seconds} s`);
  console.log('| server | readers | probes served | p50 ms | p99 ms | max ms | loop delay p99 ms | loop max ms | peak RSS MiB | connect p50 / p99 ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const preset of presets) for (const kind of servers) await row(kind, preset);
  if (slowRows.length > 0) console.log(`\nprobes above 50 ms or unserved (latency@ms after the burst began):\n${slowRows.join('\n')}`);
})().catch((err) => { console.error(err); process.exit(1); });
