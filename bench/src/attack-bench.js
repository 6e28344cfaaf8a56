'use strict';
// Availability under attack (issue 18): for each preset, attack and server (this project, node:http),
// a fresh server is attacked for --seconds while a legitimate client opens a new connection every 20 ms
// for `GET /` (Connection: close, 2 s timeout). Printed: the share of legitimate requests answered 200,
// their p50/p99 latency (connect to full response), the server's peak RSS (VmHWM) and, for this project,
// its defences' counters. Loopback only, bounded in time (~--seconds + 3 s per row).
// Usage: node bench/src/attack-bench.js [--seconds 10] [--presets light,normal] [--attacks slowloris,rudy,slowread] [--servers mws,node-http]
//   [--attack-from 127.0.0.2]  (the attackers' source address; the probes come from 127.0.0.1)
// Build first (npx -y pnpm@10.34.9 build). The attackers: src/attack-client.js; the servers: servers/attack-target.js.
const fs = require('node:fs');
const { fork } = require('node:child_process');
const path = require('node:path');
const { probe, startTarget } = require('./attack-probe');

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const seconds = Number(arg('seconds', '10'));
const presets = arg('presets', 'light,normal').split(',');
const attacks = arg('attacks', 'slowloris,rudy,slowread').split(',');
const servers = arg('servers', 'mws,node-http').split(',');
/** Where the attack comes from (attack-client.js): another address than the probes' 127.0.0.1 by default. */
const attackFrom = arg('attack-from', '127.0.0.2');
const SLOTS = { light: 128, normal: 512 };
/** Attack connections: twice the preset's pool for slowloris and RUDY (the issue: 128 / 512 held, 600 RUDY), 200 slow readers. */
const connsFor = (attack, preset) => (attack === 'slowread' ? 200 : 2 * SLOTS[preset]);

const hwmKiB = (pid) => { try { return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'))[1]); } catch { return null; } };

const startServer = startTarget;

/** One legitimate request on a new connection: latency in ms, or null when not answered 200 within 2 s. */

const pct = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

async function row(kind, preset, attack) {
  const srv = await startServer(kind, preset);
  const conns = connsFor(attack, preset);
  const attacker = fork(path.join(__dirname, 'attack-client.js'), [attack, String(srv.port), String(conns), String(seconds), attackFrom], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const attackDone = new Promise((r) => attacker.once('message', r));
  // Let the attack fill the pool first (1 s), then probe every 20 ms until it ends.
  await new Promise((r) => setTimeout(r, 1000));
  const probes = [];
  // Why and when (s after the attack began) the probes that were not served failed.
  const failures = {};
  // Connect times (the kernel's and the client's share of the latency: what the server cannot change).
  const connectMs = [];
  // The probes above 40 ms, with when they began (s after the attack began): where the p99 comes from.
  const slow = [];
  const t0 = Date.now() - 1000;
  const end = Date.now() + (seconds - 1.5) * 1000;
  while (Date.now() < end) {
    const at = ((Date.now() - t0) / 1000).toFixed(0);
    const atMs = Date.now() - t0;
    probes.push(probe(srv.port, 2000, (ms) => connectMs.push(ms), (why) => { const k = `${why}@${at}s`; failures[k] = (failures[k] ?? 0) + 1; })
      .then((ms) => { if (ms !== null && ms > 40) slow.push(`${ms.toFixed(0)} ms@${(atMs / 1000).toFixed(2)}s`); return ms; }));
    await new Promise((r) => setTimeout(r, 20));
  }
  const lat = await Promise.all(probes);
  const att = await attackDone;
  const stats = await new Promise((r) => { srv.child.once('message', (m) => r(m.stats)); srv.child.send('stats'); });
  const peak = hwmKiB(srv.child.pid);
  srv.child.kill('SIGTERM');
  await new Promise((r) => srv.child.once('exit', r));
  const ok = lat.filter((x) => x !== null).sort((a, b) => a - b);
  return {
    server: kind === 'mws' ? `MicroWebSrv-TS@${preset}` : `node:http (${preset} load)`, attack, conns,
    probes: lat.length, served: ok.length, p50: pct(ok, 50), p99: pct(ok, 99), peakRssMiB: peak / 1024,
    limitMiB: srv.slotBytes === null ? null : (srv.slotBytes + srv.budget) / 1048576 + 64,
    attackerOpened: att.opened, stats, failures, slow, connectP99: pct(connectMs.sort((a, b) => a - b), 99),
  };
}

async function main() {
  const rows = [];
  console.log(`attack scenario: ${seconds} s per row, legitimate GET / every 20 ms on a new connection (2 s timeout)`);
  for (const preset of presets) {
    for (const attack of attacks) {
      for (const kind of servers) {
        const r = await row(kind, preset, attack);
        rows.push(r);
        const s = r.stats;
        const extra = `loop delay p99 ${s.loopP99Ms.toFixed(1)} ms max ${s.loopMaxMs.toFixed(0)} ms  ` + (s.evictedBy ? `evicted ${s.evicted} (idle ${s.evictedBy.idle}, head ${s.evictedBy.head}, body ${s.evictedBy.body}, send ${s.evictedBy.send}), refused ${s.refused}, rateClosed ${s.rateClosed} (body ${s.rateClosedBy.body}, send ${s.rateClosedBy.send}), budgetRefused ${s.bodyBudgetRefused}` : '');
        const failed = Object.entries(r.failures).map(([k, n]) => `${n}× ${k}`).join(', ');
        console.log(`  ${r.server.padEnd(28)} ${attack.padEnd(9)} ${String(r.conns).padStart(4)} conns  served ${r.served}/${r.probes}  p99 ${r.p99.toFixed(1)} ms (connect p99 ${r.connectP99.toFixed(1)} ms)  peak RSS ${r.peakRssMiB.toFixed(0)} MiB  attacker opened ${r.attackerOpened}  ${extra}${failed ? `  not served: ${failed}` : ''}${r.slow.length ? `  slow probes: ${r.slow.join(', ')}` : ''}`);
      }
    }
  }
  console.log('\n| server | attack | attack conns | legitimate served | p50 ms | p99 ms | peak RSS MiB | RSS bound MiB (slots + body budget + 64) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(`| ${r.server} | ${r.attack} | ${r.conns} | ${(100 * r.served / r.probes).toFixed(1)}% (${r.served}/${r.probes}) | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} | ${r.limitMiB === null ? '–' : r.limitMiB.toFixed(0)} |`);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
