'use strict';
// One sample: start the server (pinned), check its answer, warm up, then measure with the server's and
// the client's CPU time read from /proc around the measured run, and the server's V8 heap allocation.
const { freePort } = require('./free-port');
const { startServer } = require('./server-process');
const { cpuMicros } = require('./proc-stat');
const { readCores, busyPct, otherLoadPct } = require('./core-stat');
const { SERVER_CPU, CLIENT_CPU } = require('./pin');
const { checkHttp, checkEcho } = require('./sanity');
const { runWrk } = require('./wrk-client');

/** Runs the load once; resolves {result, clientCpuUs} (clientCpuUs: CPU used by the client during it). */
async function load(ctx, kind, opts) {
  if (kind === 'wrk') return runWrk(opts, { pin: ctx.pin });
  const c0 = ctx.client.cpuMicros();
  const result = await ctx.client.run(kind, opts, (opts.duration + 30) * 1000);
  const c1 = ctx.client.cpuMicros();
  return { result, clientCpuUs: c0 === null || c1 === null ? null : c1 - c0 };
}

/**
 * Measures `spec` once. `loadKind`: 'autocannon' | 'wrk' | 'echo'; `loadOpts` without url/port/duration.
 * Resolves a sample, or throws (ServerUnavailable from startServer, or Error with the failure).
 */
async function measureOnce(ctx, spec, loadKind, loadOpts, { warmup, duration }) {
  const port = await freePort();
  const srv = await startServer(spec, port, { pin: ctx.pin });
  try {
    const bad = spec.kind === 'echo' ? await checkEcho(srv.port) : await checkHttp(srv.port);
    if (bad) throw new Error(bad);
    const target = spec.kind === 'echo' ? { port: srv.port } : { url: `http://127.0.0.1:${srv.port}/` };
    if (warmup > 0) await load(ctx, loadKind, { ...loadOpts, ...target, duration: warmup });

    await srv.allocStart();
    const s0 = cpuMicros(srv.pid);
    const cores0 = readCores();
    const me0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const { result, clientCpuUs } = await load(ctx, loadKind, { ...loadOpts, ...target, duration });
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
    const s1 = cpuMicros(srv.pid);
    const cores1 = readCores();
    const me = process.cpuUsage(me0);
    const alloc = await srv.allocStop();

    // a refusal (e.g. 503 when no slot is free) is not a served request: rates and per-request CPU count 2xx only
    const count = spec.kind === 'echo' ? result.messages : result.requests - (result.non2xx || 0);
    const serverCpuUs = s0 === null || s1 === null ? null : s1 - s0;
    return {
      perSec: count / result.duration,
      count,
      p50: spec.kind === 'echo' ? result.latencyUs.p50 : result.latencyMs.p50,
      p99: spec.kind === 'echo' ? result.latencyUs.p99 : result.latencyMs.p99,
      serverCpuUsPerOp: serverCpuUs !== null && count > 0 ? serverCpuUs / count : null,
      serverCpuPct: serverCpuUs !== null ? (100 * serverCpuUs) / wallUs : null,
      clientCpuPct: clientCpuUs !== null ? (100 * clientCpuUs) / wallUs : null,
      serverCoreBusyPct: ctx.pinned ? busyPct(cores0, cores1, SERVER_CPU) : null,
      clientCoreBusyPct: ctx.pinned ? busyPct(cores0, cores1, CLIENT_CPU) : null,
      otherLoadPct: serverCpuUs === null || clientCpuUs === null ? null
        : otherLoadPct(cores0, cores1, serverCpuUs + clientCpuUs + me.user + me.system, wallUs),
      heapBytesPerOp: alloc && alloc.heapBytes !== null && count > 0 ? alloc.heapBytes / count : null,
      rssMB: alloc ? alloc.rss / 1048576 : null,
      errors: (result.errors || 0) + (result.timeouts || 0) + (result.mismatches || 0),
      non2xx: result.non2xx || 0,
    };
  } finally {
    const exit = await srv.stop();
    if (exit.code !== 0 && exit.signal !== 'SIGTERM') ctx.log(`    note: ${spec.id} exited ${exit.signal || exit.code} on SIGTERM`);
  }
}

module.exports = { measureOnce };
