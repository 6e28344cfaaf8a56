'use strict';
// WORKERS=n: the demo on n worker processes (startCluster, docs/scaling.md). Each worker builds the same
// servers with main.js's buildServers() and owns its slot pool (memory: n × the preset); the primary holds
// the ports and hands each connection to the next worker. The chat spans the workers (the cluster bus);
// each dashboard shows the worker that serves it. SIGHUP to the primary: a rolling restart. Ctrl-C or
// SIGTERM: every worker drains, then exit 0.
const { startCluster } = require('@microwebsrv/core');

/** Runs main.js's servers on WORKERS processes. */
function runOnWorkers({ buildServers, startStatsTicker, stopWhenOrphaned }) {
  const workers = Number(process.env.WORKERS);
  startCluster(() => buildServers().servers, { workers }).then((c) => {
    if (!c.isPrimary) { startStatsTicker(); return; }
    const [http, https] = c.addresses;
    console.log(`MicroWebSrv-TS demo on http://localhost:${http[1]}/  (${workers} workers; Ctrl-C stops, SIGHUP restarts them one by one)`);
    if (https) console.log(`  and on https://localhost:${https[1]}/`);
    process.on('SIGHUP', () => {
      c.rollingRestart().then(() => console.log('rolling restart done'), (err) => console.error(err.message));
    });
    stopWhenOrphaned(() => console.log('the process that started the demo is gone: stopping'));
  }, (err) => { console.error(err.message); process.exitCode = 1; });
}

module.exports = { runOnWorkers };
