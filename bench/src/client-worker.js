'use strict';
// The load-client process (started pinned to the client CPU by client-process.js). Takes commands over
// IPC, one at a time: {id, kind: 'autocannon' | 'echo' | 'ws-echo' | 'idle-open' | 'idle-status' | 'idle-close', opts}
// -> {id, result} or {id, error}. The idle-* commands hold the memory scenario's idle connections
// (idle-client.js) between commands.
const autocannon = require('autocannon');
const { runEcho } = require('./echo-client');
const { runWsEcho } = require('./ws-echo-client');
const { openIdle, idleStatus, closeIdle } = require('./idle-client');

const RUN = {
  autocannon: (o) => runAutocannon(o),
  echo: (o) => runEcho(o),
  'ws-echo': (o) => runWsEcho(o),
  'idle-open': (o) => openIdle(o),
  'idle-status': () => idleStatus(),
  'idle-close': () => closeIdle(),
};

function runAutocannon({ url, method = 'GET', headers, body, connections, pipelining, duration, workers }) {
  return new Promise((resolve, reject) => {
    // autocannon stops at the first sample tick after `duration`: ticks every 100 ms (default 1 s) keep
    // a 0.5 s warm-up at 0.5 s instead of 1 s. A body gets its Content-Length from autocannon.
    const opts = { url, method, connections, pipelining, duration, timeout: 10, sampleInt: 100 };
    if (headers) opts.headers = headers;
    if (body !== undefined) opts.body = body;
    if (workers > 0) opts.workers = workers;
    autocannon(opts, (err, r) => {
      if (err) { reject(err); return; }
      resolve({
        requests: r.requests.total,
        duration: r.duration,
        perSec: r.requests.total / r.duration,
        latencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
        errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, resets: r.resets,
        // per status, so that a scenario whose answer is not a 2xx (static-304) counts its own
        statusCounts: Object.fromEntries(Object.entries(r.statusCodeStats || {}).map(([code, v]) => [code, v.count])),
      });
    });
  });
}

process.on('message', async (m) => {
  try {
    if (!RUN[m.kind]) throw new Error(`unknown client command ${m.kind}`);
    const result = await RUN[m.kind](m.opts);
    process.send({ id: m.id, result });
  } catch (err) {
    process.send({ id: m.id, error: String(err && err.message ? err.message : err) });
  }
});
process.on('disconnect', () => process.exit(0));
