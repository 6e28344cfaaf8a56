'use strict';
// Several cores: the same server on WORKERS processes (node:cluster). Every response names its worker;
// GET /news streams the topic 'news' (server-sent events) and POST /news publishes on it, from whichever
// worker the POST lands on to the streams of every worker. SIGHUP replaces the workers one at a time.
const { MicroWebSrv, startCluster } = require('@microwebsrv/core');
const { ServerSentEvents } = require('@microwebsrv/mods-sse');

/** Builds and configures one worker's server; startCluster starts it (and validates it once, in the primary). */
function setup({ workerId }) {
  const srv = new MicroWebSrv();
  srv.setLightConfig();                                  // per worker: memory = workers × the preset's slots
  srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)];
  const sse = srv.loadModule(ServerSentEvents);
  srv.registerRoute(() => ({ worker: workerId, pid: process.pid }), 'GET', '/');
  srv.registerRoute((_s, req) => { sse.open(req)?.subscribe('news'); }, 'GET', '/news');
  srv.registerRoute((_s, req) => {
    srv.publish('news', req.getPostedText());            // reaches /news streams on every worker
    return { publishedBy: process.pid };
  }, 'POST', '/news');
  return srv;
}

startCluster(setup, {
  workers: Number(process.env.WORKERS ?? 2),             // default: os.availableParallelism()
  restart: { maxRestarts: 5, windowSec: 60 },            // a 6th death within 60 s: stop, exit 1
  primary: ({ cluster }) => {                            // runs once, in the primary, before the first fork
    cluster.on('online', (w) => console.log(`worker ${w.id} online (pid ${w.process.pid})`));
  },
}).then((c) => {
  if (!c.isPrimary) return;                              // a worker: its server listens, nothing else to do
  console.log(`cluster on http://localhost:${c.addresses[0][1]}/ (${c.workers.length} workers)`);
  process.on('SIGHUP', () => { c.rollingRestart().then(() => console.log('rolling restart done')); });
}, (err) => { console.error(err.message); process.exitCode = 1; });
