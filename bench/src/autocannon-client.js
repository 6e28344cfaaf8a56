'use strict';
// autocannon (the default HTTP load tool), run in the client process (client-worker.js): one run, the
// result in the shape every client gives (wrk-client.js parses wrk's report into the same).
const autocannon = require('autocannon');

/**
 * Runs autocannon once; resolves {requests, duration, perSec, latencyMs, errors, timeouts, non2xx, resets,
 * statusCounts}. `vary`: a header name whose value differs on every request.
 */
function runAutocannon({ url, method = 'GET', headers, body, vary, connections, pipelining, duration, workers }) {
  return new Promise((resolve, reject) => {
    // autocannon stops at the first sample tick after `duration`: ticks every 100 ms (default 1 s) keep
    // a 0.5 s warm-up at 0.5 s instead of 1 s. A body gets its Content-Length from autocannon.
    const opts = { url, method, connections, pipelining, duration, timeout: 10, sampleInt: 100 };
    if (headers) opts.headers = headers;
    // `vary`: a header whose value differs on every request (autocannon puts a fresh id for [<id>]).
    if (vary !== undefined) { opts.headers = { ...opts.headers, [vary]: '[<id>]' }; opts.idReplacement = true; }
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

module.exports = { runAutocannon };
