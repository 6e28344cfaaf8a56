'use strict';
// One sample: start the server (pinned), check its answer, warm up, then measure with the server's and
// the client's CPU time read from /proc around the measured run, and the server's V8 heap allocation.
const { onFreePort } = require('./free-port');
const { startServer } = require('./server-process');
const { cpuMicros } = require('./proc-stat');
const { readCores, busyPct, otherLoadPct } = require('./core-stat');
const { SERVER_CPU, CLIENT_CPU } = require('./pin');
const { checkHttp, checkEcho, checkWs } = require('./sanity');
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
 * Checks the server's answer (after the request's own preparation: static-304 fetches that server's
 * ETag) and returns the load's target: {port} (echo), {url} (ws), {url, method, headers, body} (http).
 */
async function checkAndTarget(spec, sc, loadOpts, port) {
  if (spec.kind === 'echo') {
    const bad = await checkEcho(port);
    if (bad) throw new Error(bad);
    return { port };
  }
  if (spec.kind === 'ws') {
    const bad = await checkWs(port, loadOpts.size);
    if (bad) throw new Error(bad);
    return { url: `ws://127.0.0.1:${port}/echo` };
  }
  const req = sc.request.prepare ? await sc.request.prepare(port, sc.request) : sc.request;
  const bad = await checkHttp(port, req);
  if (bad) throw new Error(bad);
  return { url: `http://127.0.0.1:${port}${req.path}`, method: req.method, headers: req.headers, body: req.body, vary: req.vary };
}

/** The answers that count: echoed messages, or HTTP responses with the scenario's expected status. */
function countOf(kind, expectStatus, result) {
  if (kind !== 'http') return result.messages;
  // autocannon counts every status; wrk only "non-2xx or 3xx" (its count is of status > 399)
  if (result.statusCounts) return result.statusCounts[expectStatus] || 0;
  return result.requests - (result.non2xx || 0);
}

/**
 * Measures `spec` once in scenario `sc`. `loadKind`: 'autocannon' | 'wrk' | 'echo' | 'ws-echo'.
 * Resolves a sample, or throws (ServerUnavailable from startServer, or Error with the failure).
 */
async function measureOnce(ctx, spec, sc, loadKind, o) {
  const { warmup, duration } = o;
  const loadOpts = sc.load(o);
  const srv = await onFreePort((port) => startServer(spec, port, { pin: ctx.pin }));
  try {
    const target = await checkAndTarget(spec, sc, loadOpts, srv.port);
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

    // a refusal (e.g. 503 when no slot is free) is not a served request: rates and per-request CPU count
    // the expected answers only (200, or 304 in static-304)
    const count = countOf(spec.kind, spec.kind === 'http' ? sc.request.expect.status : null, result);
    const msgs = spec.kind !== 'http';
    const serverCpuUs = s0 === null || s1 === null ? null : s1 - s0;
    return {
      perSec: count / result.duration,
      count,
      p50: msgs ? result.latencyUs.p50 : result.latencyMs.p50,
      p99: msgs ? result.latencyUs.p99 : result.latencyMs.p99,
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
      // answers with another status than the expected one (results before static-304 called it non2xx)
      badStatus: spec.kind === 'http' ? result.requests - count : 0,
    };
  } finally {
    const exit = await srv.stop();
    if (exit.code !== 0 && exit.signal !== 'SIGTERM') ctx.log(`    note: ${spec.id} exited ${exit.signal || exit.code} on SIGTERM`);
  }
}

module.exports = { measureOnce };
