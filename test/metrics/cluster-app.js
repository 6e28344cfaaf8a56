'use strict';
// Metrics in a cluster (test/metrics/cluster-metrics.test.ts): 2 workers, each with the Metrics module in
// clusterAggregate mode; the primary answers their scrapes with every worker's metrics summed.
// GET / → the worker's pid.  GET /metrics → the whole cluster's metrics, from whichever worker serves it.
const { MicroWebSrv, startCluster } = require('@microwebsrv/core');
const { Metrics, clusterMetricsPrimary } = require('@microwebsrv/mods-metrics');

startCluster(() => {
  const srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 0)];
  srv.logLevel = 'WARNING';
  srv.loadModule(Metrics, { clusterAggregate: true, defaultMetrics: process.env.DEFAULT_METRICS === '1' });
  srv.registerRoute(() => String(process.pid), 'GET', '/');
  return srv;
}, { workers: 2, primary: clusterMetricsPrimary(), stopTimeoutSec: 10 }).then((c) => {
  if (c.isPrimary) console.log(`cluster on http://127.0.0.1:${c.addresses[0][1]}/`);
}, (err) => { console.error(err.message); process.exitCode = 1; });
