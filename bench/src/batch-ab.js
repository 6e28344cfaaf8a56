'use strict';
// In-process A/B of the output batch (issue 19): the bench's plaintext route in this process, loaded by
// wrk pipelined (1 thread, 50 connections, on CPU 1) from a child; runs alternate between the batch on
// and off (off: the shared batch is held by a placeholder owner, so every response takes the string
// output as before the batch), and print the process CPU per request of each. One process, alternated
// runs: the machine's load changes hit both sides alike, which separate builds measured apart do not.
// usage (from the repository root, after a build; pin the server): taskset -c 0 node bench/src/batch-ab.js [seconds] [pipelining] [pairs]
const { spawn } = require('node:child_process');
const path = require('node:path');
const root = process.cwd();
const req = require('node:module').createRequire(path.join(root, 'bench/servers/microwebsrv.js'));
const { MicroWebSrv } = req('@microwebsrv/core');
const { batch } = require(path.join(root, 'packages/core/dist/engine/output-batch.js'));
const secs = Number(process.argv[2] || 2);
const pl = process.argv[3] || '16';
const pairs = Number(process.argv[4] || 6);

(async () => {
  const srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', 0];
  srv.logLevel = 'WARNING';
  srv.registerRoute((s, r) => r.response.returnOk('Hello World!'), 'GET', '/');
  await srv.startManaged();
  const port = srv.address[1];
  const args = ['-c', '1', 'wrk', '-t1', '-c50', `-d${secs}s`, '-s', path.join(root, 'bench/wrk/pipeline.lua'), `http://127.0.0.1:${port}/`, '--', pl, 'GET', '/', ''];
  const run = () => new Promise((res) => { const c = spawn('taskset', args); c.stdout.resume(); c.on('close', res); });
  await run(); // warm-up
  const res = { on: [], off: [] };
  const placeholder = {};
  for (let k = 0; k < pairs; k++) {
    for (const mode of (k % 2 ? ['off', 'on'] : ['on', 'off'])) {
      batch.owner = mode === 'off' ? placeholder : null;
      const n0 = srv.stats.requests;
      const c0 = process.cpuUsage();
      await run();
      const c = process.cpuUsage(c0);
      const n = srv.stats.requests - n0;
      res[mode].push({ cpu: (c.user + c.system) / n * 1000, user: c.user / n * 1000, rps: n / secs });
    }
  }
  batch.owner = null;
  const mean = (a, k) => a.reduce((s, x) => s + x[k], 0) / a.length;
  for (const m of ['on', 'off']) {
    console.log(`batch ${m.padEnd(3)} cpu ns/req ${res[m].map((x) => x.cpu.toFixed(0)).join(' ')}  mean ${mean(res[m], 'cpu').toFixed(0)} (user ${mean(res[m], 'user').toFixed(0)}), ${(mean(res[m], 'rps') / 1000).toFixed(0)}k req/s`);
  }
  let lower = 0;
  for (let i = 0; i < pairs; i++) if (res.on[i].cpu < res.off[i].cpu) lower++;
  console.log(`batch on cost less CPU in ${lower} of ${pairs} pairs`);
  await srv.stop();
  process.exit(0);
})();
