#!/usr/bin/env node
'use strict';
// `pnpm bench` entry: runs the scenarios, prints progress and a table per scenario, writes
// bench/results/<out>.md and .json. See bench/README.md for the method.
const os = require('node:os');
const path = require('node:path');
const { parseArgs, USAGE } = require('./cli');
const { SCENARIOS } = require('./scenarios');
const { resolveServer } = require('./servers');
const { ClientProcess } = require('./client-process');
const { measureOnce } = require('./measure');
const { ServerUnavailable } = require('./server-process');
const { pinningDescription } = require('./pin');
const { wrkVersion } = require('./wrk-client');
const { medians } = require('./stats');
const { warningsFor } = require('./warnings');
const { addRatios, printScenario, printComparison, writeResults } = require('./report');
const { runMemory } = require('./memory');
const { runUpload } = require('./upload');
const { runFanout } = require('./fanout');
const { describeRequest } = require('./requests');
const { ensureStaticFixture } = require('../servers/lib/fixtures');

const AUTOCANNON = `autocannon ${require('autocannon/package.json').version}`;
const log = (...a) => console.log(...a);
const pctOf = (v) => (v === null || v === undefined ? '-' : `${v.toFixed(0)}%`);

const WS = `ws ${require('ws/package.json').version}`;

function toolFor(kind, o) {
  if (kind === 'echo') return { loadKind: 'echo', tool: 'bench/src/echo-client.js (node:net, one JS thread)' };
  if (kind === 'ws') return { loadKind: 'ws-echo', tool: `bench/src/ws-echo-client.js (${WS} client, one JS thread)` };
  if (o.client === 'wrk') {
    const v = wrkVersion();
    if (!v) throw new Error('--client wrk: wrk is not installed (apt-get install -y wrk)');
    return { loadKind: 'wrk', tool: `${v} (1 thread)` };
  }
  return { loadKind: 'autocannon', tool: `${AUTOCANNON} (${o.workers > 0 ? `${o.workers} worker threads` : 'one JS thread'})` };
}

async function runScenario(ctx, name, o) {
  const sc = SCENARIOS[name];
  if (sc.kind === 'fanout') {
    const result = await runFanout(ctx, name, sc, o);
    printScenario(result);
    return result;
  }
  if (sc.kind === 'memory' || sc.kind === 'upload') {
    const result = await (sc.kind === 'memory' ? runMemory : runUpload)(ctx, name, sc, o);
    printScenario(result);
    return result;
  }
  const { loadKind, tool } = toolFor(sc.kind, o);
  const specs = (o.servers || sc.servers).map(resolveServer).filter((s) => {
    if (s.kind === sc.kind) return true;
    log(`  (${s.id} is an ${s.kind} server: not in the ${name} scenario)`);
    return false;
  });
  log(`\n>> scenario ${name}: ${sc.description(o)}\n   load: ${tool}; ${o.rounds} round(s) × (${o.warmup} s warm-up + ${o.duration} s)`);
  const rows = specs.map((s) => ({ id: s.id, name: s.name, label: s.label, status: 'ok', reason: null, samples: [] }));
  for (let round = 0; round < o.rounds; round++) {
    // alternate: every server once per round, the starting server rotating from round to round
    for (let k = 0; k < specs.length; k++) {
      const i = (k + round) % specs.length;
      const row = rows[i];
      if (row.status !== 'ok') continue;
      const started = Date.now();
      try {
        const s = await measureOnce(ctx, specs[i], sc, loadKind, o);
        row.samples.push(s);
        log(`  round ${round + 1}/${o.rounds}  ${row.label.padEnd(34)} ${Math.round(s.perSec).toLocaleString('en-US').padStart(10)}/s` +
          `  server ${pctOf(s.serverCpuPct)} (core ${pctOf(s.serverCoreBusyPct)})  client ${pctOf(s.clientCpuPct)} (core ${pctOf(s.clientCoreBusyPct)})  other ${pctOf(s.otherLoadPct)}` +
          `  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (err) {
        row.status = err instanceof ServerUnavailable ? err.status : 'failed';
        row.reason = err.message;
        log(`  round ${round + 1}/${o.rounds}  ${row.label.padEnd(34)} ${row.status}: ${row.reason}`);
      }
    }
  }
  for (const r of rows) {
    if (r.status === 'ok' && r.samples.length === 0) { r.status = 'failed'; r.reason = 'no sample'; }
    r.median = r.status === 'ok' ? medians(r.samples) : null;
  }
  addRatios(sc.kind, rows);
  const result = { name, description: sc.description(o), kind: sc.kind, tool, rounds: o.rounds, duration: o.duration,
    ...(sc.request ? { request: describeRequest(sc.request) } : {}), load: sc.load(o), rows };
  result.warnings = warningsFor(sc, rows, { tool, pinned: ctx.pinned });
  printScenario(result);
  return result;
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
    for (const id of o.servers || []) resolveServer(id); // unknown names fail here, before anything starts
    if (o.client === 'wrk' && !wrkVersion()) throw new Error('--client wrk: wrk is not installed (apt-get install -y wrk)');
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  if (o.help) { log(USAGE); return; }
  const pinning = pinningDescription(o.pin);
  const ctx = { pin: o.pin, pinned: pinning.startsWith('taskset'), log, client: new ClientProcess({ pin: o.pin }) };
  const cleanup = () => { ctx.client.child.kill('SIGKILL'); process.exit(130); };
  process.once('SIGINT', cleanup);
  process.once('SIGTERM', cleanup);
  ensureStaticFixture(); // here once, before any server: they all serve the same file, with the same mtime
  log(`MicroWebSrv-TS bench: Node ${process.version}, ${os.cpus().length} CPUs; pinning: ${pinning}`);
  const run = {
    outName: o.out,
    date: new Date().toISOString(),
    command: `node bench/src/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: (os.cpus()[0] || {}).model, platform: `${os.platform()} ${os.release()}` },
    pinning,
    options: { ...o },
    scenarios: [],
  };
  try {
    for (const name of o.scenarios) run.scenarios.push(await runScenario(ctx, name, o));
  } finally {
    await ctx.client.close();
  }
  const files = writeResults(run);
  printComparison(run);
  log(`\nresults: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
}

main().catch((err) => { console.error(err); process.exit(1); });
