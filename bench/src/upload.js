'use strict';
// The `upload` scenario (issue 14): one large upload at a time to each server, three targets: the raw body
// streamed to /dev/null, to a temp file on disk, and one file part of a multipart/form-data body to
// /dev/null. A fresh server process per measure: its peak RSS (VmHWM) is then this upload's. The client is
// its own process (bench/src/upload-client.js), generating the body as it sends it.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { resolveServer } = require('./servers');
const { startServer, ServerUnavailable } = require('./server-process');
const { pinned, CLIENT_CPU } = require('./pin');
const { freePort } = require('./free-port');

const TARGETS = ['devnull', 'disk', 'multipart'];
const MiB = 1024 * 1024;

function procStatus(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s) || [])[1] || 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks (100 Hz)
}

function runClient(o, port, target, bytes) {
  const [cmd, args] = pinned(o.pin, CLIENT_CPU, process.execPath, [path.join(__dirname, 'upload-client.js'), String(port), target, String(bytes)]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', (code) => {
      if (code !== 0) { reject(new Error(`upload client exited ${code}: ${out.trim()}`)); return; }
      resolve(JSON.parse(out));
    });
  });
}

async function measure(ctx, spec, o, target, bytes) {
  const port = await freePort();
  const srv = await startServer(spec, port, { pin: o.pin });
  try {
    const before = procStatus(srv.pid);
    const cpu0 = cpuSeconds(srv.pid);
    const r = await runClient(o, srv.port, target, bytes);
    const cpu = cpuSeconds(srv.pid) - cpu0;
    const after = procStatus(srv.pid);
    if (r.status !== 200 || r.body !== String(bytes)) throw new Error(`answered ${r.status} ${JSON.stringify(r.body.slice(0, 80))}, expected 200 "${bytes}"`);
    return { seconds: r.seconds, mibPerSec: bytes / MiB / r.seconds, serverCpuSec: cpu, rssBefore: before.rss, peakGrowth: after.hwm - before.rss };
  } finally {
    await srv.stop();
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };

async function runUpload(ctx, name, sc, o) {
  const bytes = o.uploadMiB * MiB;
  const specs = (o.servers || sc.servers).map(resolveServer).filter((s) => s.kind === 'upload');
  ctx.log(`\n>> scenario ${name}: ${sc.description(o)}; ${o.rounds} round(s)`);
  const rows = [];
  for (const target of TARGETS) {
    const trows = specs.map((s) => ({ id: s.id, label: s.label, target, status: 'ok', reason: null, samples: [] }));
    for (let round = 0; round < o.rounds; round++) {
      for (let k = 0; k < specs.length; k++) {
        const i = (k + round) % specs.length;
        const row = trows[i];
        if (row.status !== 'ok') continue;
        try {
          const s = await measure(ctx, specs[i], o, target, bytes);
          row.samples.push(s);
          ctx.log(`  round ${round + 1}/${o.rounds}  ${target.padEnd(9)} ${row.label.padEnd(30)} ${s.mibPerSec.toFixed(0).padStart(5)} MiB/s  server CPU ${s.serverCpuSec.toFixed(2)} s  peak RSS +${(s.peakGrowth / MiB).toFixed(1)} MiB`);
        } catch (err) {
          row.status = err instanceof ServerUnavailable ? err.status : 'failed';
          row.reason = err.message;
          ctx.log(`  round ${round + 1}/${o.rounds}  ${target.padEnd(9)} ${row.label.padEnd(30)} ${row.status}: ${row.reason}`);
        }
      }
    }
    const ref = trows.find((r) => r.id === 'upload-node-http');
    for (const r of trows) {
      if (r.status === 'ok' && r.samples.length === 0) { r.status = 'failed'; r.reason = 'no sample'; }
      if (r.status !== 'ok') continue;
      r.median = { mibPerSec: median(r.samples.map((s) => s.mibPerSec)), serverCpuSec: median(r.samples.map((s) => s.serverCpuSec)), peakGrowth: median(r.samples.map((s) => s.peakGrowth)) };
    }
    for (const r of trows) if (r.median && ref && ref.median) r.ratio = r.median.mibPerSec / ref.median.mibPerSec;
    rows.push(...trows);
  }
  return { name, description: sc.description(o), kind: 'upload', tool: 'bench/src/upload-client.js (node:net, one JS thread, the body generated as sent)',
    fdNote: `${o.uploadMiB} MiB per upload, a fresh server per measure`, rounds: o.rounds, rows, warnings: [] };
}

const UPLOAD_COLUMNS = 'MiB/s = body bytes / the client\'s time from the first byte sent to the answer; ×node:http = that ratio; ' +
  'srv CPU s = the server process\'s utime+stime during the upload; peak RSS + = the server\'s VmHWM after the upload minus its RSS before it (medians)';

function uploadTable(rows) {
  const head = ['target', 'server', 'MiB/s', '×node:http', 'srv CPU s', 'peak RSS +MiB'];
  const body = rows.map((r) => (r.status !== 'ok' ? [r.target, r.label, r.status, r.reason || '', '', ''] : [
    r.target, r.label, r.median.mibPerSec.toFixed(0), r.ratio === undefined ? '-' : `×${r.ratio.toFixed(2)}`,
    r.median.serverCpuSec.toFixed(2), (r.median.peakGrowth / MiB).toFixed(1)]));
  return { head, body };
}

module.exports = { runUpload, uploadTable, UPLOAD_COLUMNS };
