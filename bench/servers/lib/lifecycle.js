'use strict';
// What every benchmark server shares: the port argument, the `READY <port>` / `SKIP <reason>` lines the
// runner waits for, a clean exit on SIGTERM/SIGINT (or when the runner's IPC channel goes away), and the
// allocation probe and the memory snapshot the runner drives over IPC (see ./alloc-probe.js,
// ./mem-probe.js); SIGUSR2 prints the memory snapshot as `MEM <json>` (for a server run by hand).
const { allocStart, allocStop } = require('./alloc-probe');
const { memSnapshot, setMemInfo } = require('./mem-probe');

/** The port from argv[2] (0 or missing: let the OS choose). */
function portArg() {
  const raw = process.argv[2] ?? '0';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    console.error(`usage: node ${process.argv[1]} <port>  (got ${JSON.stringify(raw)})`);
    process.exit(2);
  }
  return port;
}

function ready(port) {
  process.stdout.write(`READY ${port}\n`);
}

/** The server cannot run here (e.g. an optional native module is missing): say why, exit 0. */
function skip(reason) {
  process.stdout.write(`SKIP ${String(reason).replace(/\s+/g, ' ').slice(0, 300)}\n`, () => process.exit(0));
}

let stopping = false;
/** `stop` (may return a promise) runs once on SIGTERM/SIGINT/IPC disconnect; exit 0 after it, forced after 3 s. */
function onStop(stop) {
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 3000).unref();
    Promise.resolve()
      .then(stop)
      .catch((err) => console.error('stop failed:', err))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('disconnect', shutdown); // the runner died: do not linger as an orphan holding CPU 0
}

if (typeof process.send === 'function') {
  process.on('message', (m) => {
    if (m && m.cmd === 'alloc-start') { allocStart(); process.send({ ev: 'alloc-started' }); }
    else if (m && m.cmd === 'alloc-stop') process.send({ ev: 'alloc', ...allocStop() });
    else if (m && m.cmd === 'mem') memSnapshot({ settle: !!m.settle }).then((snap) => process.send({ ev: 'mem', ...snap }));
    else if (m && m.cmd === 'heap-snapshot') process.send({ ev: 'heap-snapshot', path: heapSnapshot(m.path) });
  });
  process.channel?.unref(); // the IPC channel alone must not keep a server alive
}

/** A V8 heap snapshot written to `file` after full GCs (bench/src/idle-heap.js; node --expose-gc). */
function heapSnapshot(file) {
  if (typeof global.gc === 'function') for (let i = 0; i < 4; i++) global.gc();
  return require('node:v8').writeHeapSnapshot(file);
}

// `kill -USR2 <pid>`: one memory snapshot (after full GCs when run with node --expose-gc, once the young
// generation has shrunk back: see ./mem-probe.js) on stdout.
process.on('SIGUSR2', () => {
  memSnapshot({ settle: true }).then((snap) => process.stdout.write(`MEM ${JSON.stringify(snap)}\n`));
});

module.exports = { portArg, ready, skip, onStop, setMemInfo };
