'use strict';
// The fan-out scenario: one publish reaching N subscribers, WebSocket and SSE. Per sample: a fresh server
// process (pinned to the server CPU) → N subscribers opened by a client process of their own (pinned to the
// client CPU, src/fanout-client.js) → a checked burst (every subscriber got every message, of the right
// size) → warm-up → bursts of publishes for the measured seconds, the server's RSS read every second →
// server stopped. A burst = GET /publish?n=k&size=s (k messages published in batches of 16 per event-loop
// turn), then waiting until the subscribers counted k × N messages. See bench/README.md ("Fan-out").
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { onFreePort } = require('./free-port');
const { startServer, ServerUnavailable } = require('./server-process');
const { resolveServer } = require('./servers');
const { cpuMicros } = require('./proc-stat');
const { readCores, busyPct, otherLoadPct } = require('./core-stat');
const { pinned, CLIENT_CPU, SERVER_CPU } = require('./pin');
const { fdLimit, FD_RESERVE } = require('./memory');
const { medians } = require('./stats');
const { fmtInt } = require('./warnings');

/** Per kind of subscriber: the reference servers the ratios are taken against (when they ran). */
const FANOUT_REFS = { ws: [['fanout-uws', '×uWS'], ['fanout-ws-loop', '×ws loop']], sse: [['fanout-better-sse', '×better-sse']] };

const rssKiB = (pid) => {
  try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'))[1]); } catch { return null; }
};

/** The subscriber counts to run, capped by the descriptor limit (client and server each hold N sockets). */
function subscriberCounts(o) {
  const limit = fdLimit();
  const max = limit === null ? Infinity : limit - FD_RESERVE;
  const counts = [...new Set(o.fanoutSubs.map((n) => Math.min(n, max)))].sort((a, b) => a - b);
  const capped = o.fanoutSubs.filter((n) => n > max);
  const fdNote = limit === null ? 'descriptor limit unknown'
    : `descriptor limit ${fmtInt(limit)} per process` + (capped.length ? `: ${capped.map(fmtInt).join(', ')} capped to ${fmtInt(max)}` : '');
  return { counts, fdNote };
}

/** Messages per burst: `burst` deliveries spread over N subscribers, at least 2 messages. */
const perBurst = (burst, n) => Math.max(2, Math.round(burst / n));

/** The subscriber process: resolves to {child, pid, next(expect) → {done, bad, idleMs}, close()}. */
function startClients(o, kind, port, n, size) {
  const [cmd, args] = pinned(o.pin, CLIENT_CPU, process.execPath, [path.join(__dirname, 'fanout-client.js'), kind, String(port), String(n), String(size)]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting = null;
  let exited = null;
  child.on('message', (m) => { if (waiting) { const w = waiting; waiting = null; w.resolve(m); } });
  child.once('exit', (code, signal) => {
    exited = `the subscriber process exited (${signal || code})`;
    if (waiting) { const w = waiting; waiting = null; w.reject(new Error(exited)); }
  });
  const wait = (ms) => new Promise((resolve, reject) => {
    if (exited) { reject(new Error(exited)); return; }
    const t = setTimeout(() => { waiting = null; reject(new Error(`no answer from the subscriber process within ${ms / 1000} s`)); }, ms);
    waiting = { resolve: (m) => { clearTimeout(t); resolve(m); }, reject: (e) => { clearTimeout(t); reject(e); } };
  });
  const handle = {
    pid: child.pid,
    next(expect, ms) { const p = wait(ms); child.send({ expect }); return p; },
    async close() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      if (child.connected) child.send({ exit: true }); else child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
  return wait(60000 + 10 * n).then((m) => {
    if (m.failed > 0) throw new Error(`${m.failed} of ${n} subscribers could not connect: ${m.reason}`);
    return handle;
  }, async (err) => { await handle.close(); throw err; });
}

async function get(port, p) {
  const r = await fetch(`http://127.0.0.1:${port}${p}`);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${text.slice(0, 100)}`);
  return text;
}

/** One burst: k messages published, until k × n were counted (or none came for 3 s). */
async function burst(srv, cl, n, k, size) {
  const t0 = process.hrtime.bigint();
  const done = cl.next(k * n, 120000);
  await get(srv.port, `/publish?n=${k}&size=${size}`);
  const r = await done;
  return { ...r, secs: Number(process.hrtime.bigint() - t0) / 1e9 - r.idleMs / 1000 };
}

/** The p-th percentile of `xs` (sorted in place). */
function pctOf(xs, p) {
  xs.sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
}

/** One sample of `spec` with n subscribers and messages of `size` bytes. Throws ServerUnavailable or Error. */
async function measureFanoutOnce(ctx, spec, n, size, o) {
  const srv = await onFreePort((port) => startServer(spec, port, { pin: ctx.pin }));
  let cl = null;
  try {
    cl = await startClients(o, spec.sub, srv.port, n, size);
    let subs = 0;
    for (let i = 0; i < 50 && subs !== n; i++) { subs = Number(await get(srv.port, '/subscribers')); if (subs !== n) await new Promise((r) => setTimeout(r, 100)); }
    if (subs !== n) throw new Error(`the server counts ${subs} subscribers, ${n} connected`);
    const k = perBurst(o.fanoutBurst, n);
    let prev = 0;
    const check = await burst(srv, cl, n, k, size); // the checked burst: every message, of the right size
    if (check.done - prev !== k * n || check.bad > 0) throw new Error(`check: ${check.done - prev} of ${k * n} messages delivered, ${check.bad} of the wrong size`);
    prev = check.done;
    let reads0 = check.reads;
    for (const until = Date.now() + o.warmup * 1000; Date.now() < until;) { const w = await burst(srv, cl, n, k, size); prev = w.done; reads0 = w.reads; }
    const rss = [rssKiB(srv.pid)];
    const sampler = setInterval(() => rss.push(rssKiB(srv.pid)), 1000);
    const me0 = process.cpuUsage();
    const cores0 = readCores();
    const s0 = cpuMicros(srv.pid);
    const c0 = cpuMicros(cl.pid);
    let delivered = 0;
    let expected = 0;
    let secs = 0;
    let bad = 0;
    let readsEnd = reads0;
    const lat = [];
    const t0 = process.hrtime.bigint();
    for (const until = Date.now() + o.duration * 1000; Date.now() < until;) {
      const b = await burst(srv, cl, n, k, size);
      delivered += b.done - prev;
      expected += k * n;
      secs += b.secs;
      bad = b.bad;
      prev = b.done;
      readsEnd = b.reads;
      if (b.lat) for (const x of b.lat) lat.push(x);
    }
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
    const serverCpuUs = cpuMicros(srv.pid) - s0;
    const clientCpuUs = cpuMicros(cl.pid) - c0;
    const cores1 = readCores();
    const me = process.cpuUsage(me0);
    clearInterval(sampler);
    rss.push(rssKiB(srv.pid));
    const mb = rss.filter((v) => v !== null).map((v) => +(v / 1024).toFixed(1));
    return {
      perSec: delivered / secs,
      delivered,
      lost: expected - delivered,
      bad,
      published: expected / n,
      perBurst: k,
      // Messages per client read: how far the server's writes had coalesced when the client read them (the
      // client's cost is mostly per read, so a server whose bytes arrive in fewer, larger reads is cheaper to receive).
      msgsPerRead: readsEnd > reads0 ? delivered / (readsEnd - reads0) : null,
      // Publish-to-receipt latency of the stamped messages (WebSocket, size >= 32; null otherwise).
      latP50Ms: lat.length > 0 ? pctOf(lat, 50) : null,
      latP99Ms: lat.length > 0 ? pctOf(lat, 99) : null,
      serverCpuUsPerMsg: serverCpuUs / delivered,
      clientCpuUsPerMsg: clientCpuUs / delivered,
      serverCpuPct: (100 * serverCpuUs) / wallUs,
      clientCpuPct: (100 * clientCpuUs) / wallUs,
      serverCoreBusyPct: ctx.pinned ? busyPct(cores0, cores1, SERVER_CPU) : null,
      clientCoreBusyPct: ctx.pinned ? busyPct(cores0, cores1, CLIENT_CPU) : null,
      otherLoadPct: otherLoadPct(cores0, cores1, serverCpuUs + clientCpuUs + me.user + me.system, wallUs),
      rssFirstMB: mb[0], rssPeakMB: Math.max(...mb), rssLastMB: mb[mb.length - 1], rssMB: mb,
    };
  } finally {
    if (cl) await cl.close();
    await srv.stop();
  }
}

/** Adds `ratios` to each ok row: its median msg/s over each reference's at the same N and size. */
function addFanoutRatios(rows) {
  for (const r of rows) {
    r.ratios = {};
    if (r.status !== 'ok') continue;
    for (const [ref] of FANOUT_REFS[r.sub]) {
      const base = rows.find((x) => x.id === ref && x.n === r.n && x.size === r.size && x.status === 'ok');
      r.ratios[ref] = base ? r.median.perSec / base.median.perSec : null;
    }
  }
}

/** Runs the scenario: every server at every N and size, `rounds` times (servers alternating). */
async function runFanout(ctx, name, sc, o) {
  const specs = (o.servers || sc.servers).map(resolveServer).filter((s) => {
    if (s.kind === 'fanout') return true;
    ctx.log(`  (${s.id} is an ${s.kind} server: not in the ${name} scenario)`);
    return false;
  });
  const { counts, fdNote } = subscriberCounts(o);
  const rounds = o.fanoutRounds;
  ctx.log(`\n>> scenario ${name}: ${sc.description(o, counts)}\n   ${fdNote}; ${rounds} round(s) × (${o.warmup} s warm-up + ${o.duration} s)`);
  const rows = [];
  for (const n of counts) {
    for (const size of o.fanoutSizes) {
      const group = specs.map((s) => ({ id: s.id, name: s.name, label: s.label, sub: s.sub, n, size, status: 'ok', reason: null, samples: [] }));
      rows.push(...group);
      for (let round = 0; round < rounds; round++) {
        for (let j = 0; j < specs.length; j++) {
          const i = (j + round) % specs.length;
          const row = group[i];
          if (row.status !== 'ok') continue;
          const started = Date.now();
          try {
            const s = await measureFanoutOnce(ctx, specs[i], n, size, o);
            row.samples.push(s);
            ctx.log(`  round ${round + 1}/${rounds}  ${row.label.padEnd(30)} N=${fmtInt(n).padStart(6)} ${String(size).padStart(5)} B ${fmtInt(s.perSec).padStart(10)} msg/s` +
              `  server ${s.serverCpuUsPerMsg.toFixed(3)} µs/msg (${s.serverCpuPct.toFixed(0)}%)  client ${s.clientCpuUsPerMsg.toFixed(3)} µs/msg (${s.clientCpuPct.toFixed(0)}%, ${s.msgsPerRead === null ? '-' : s.msgsPerRead.toFixed(1)} msgs/read)` +
              (s.latP50Ms === null ? '' : `  latency ${s.latP50Ms.toFixed(1)} / ${s.latP99Ms.toFixed(1)} ms`) +
              `  RSS ${s.rssFirstMB} / ${s.rssPeakMB} / ${s.rssLastMB} MB  other ${s.otherLoadPct === null ? '-' : s.otherLoadPct.toFixed(0)}%  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
          } catch (err) {
            row.status = err instanceof ServerUnavailable ? err.status : 'failed';
            row.reason = err.message;
            ctx.log(`  round ${round + 1}/${rounds}  ${row.label.padEnd(30)} N=${fmtInt(n)} ${size} B ${row.status}: ${row.reason}`);
          }
        }
      }
    }
  }
  for (const r of rows) {
    if (r.status === 'ok' && r.samples.length === 0) { r.status = 'failed'; r.reason = 'no sample'; }
    r.median = r.status === 'ok' ? medians(r.samples.map(({ rssMB, ...rest }) => rest)) : null;
  }
  addFanoutRatios(rows);
  const result = { name, description: sc.description(o, counts), kind: 'fanout', tool: 'bench/src/fanout-client.js (raw TCP frame / event counter, one JS thread)', fdNote, rounds, duration: o.duration, rows };
  result.warnings = fanoutWarnings(rows, ctx);
  return result;
}

/** Warnings: lost messages, other load, client at its limit. */
function fanoutWarnings(rows, ctx) {
  const w = [];
  for (const r of rows) {
    if (r.status !== 'ok') continue;
    const m = r.median;
    const at = `${r.label} (N=${fmtInt(r.n)}, ${r.size} B)`;
    if (m.lost > 0) w.push(`${at}: ${fmtInt(m.lost)} messages published were not delivered (dropped for slow subscribers): its rate counts only those delivered`);
    if (m.bad > 0) w.push(`${at}: ${fmtInt(m.bad)} messages of the wrong size`);
    if (m.otherLoadPct !== null && m.otherLoadPct >= 10) w.push(`${at}: other processes used ${m.otherLoadPct.toFixed(0)}% of a core while measuring: the rates are noisy, compare the CPU µs per message`);
    if (ctx.pinned && m.clientCoreBusyPct !== null && m.clientCoreBusyPct >= 95) w.push(`${at}: the subscribers' core was ${m.clientCoreBusyPct.toFixed(0)}% busy: the client may be the limit, compare the server CPU µs per message`);
  }
  if (!ctx.pinned) w.push('nothing was pinned: server and subscribers shared the cores');
  return w;
}

module.exports = { runFanout, measureFanoutOnce, addFanoutRatios, perBurst, subscriberCounts, FANOUT_REFS };
