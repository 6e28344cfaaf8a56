'use strict';
// Starts one benchmark server as a child process pinned to the server CPU, waits for `READY <port>`
// (or `SKIP <reason>`, or an early exit = unavailable), and stops it with SIGTERM (SIGKILL after 5 s).
const { spawn } = require('node:child_process');
const { pinned, SERVER_CPU } = require('./pin');

const START_TIMEOUT_MS = 15000;

class ServerUnavailable extends Error {
  constructor(status, reason) { super(reason); this.status = status; } // status: 'skipped' | 'unavailable'
}

/**
 * Resolves to a running server {pid, port, child, allocStart(), allocStop(), mem(), stop()}; rejects with
 * ServerUnavailable. `spec.nodeArgs` (optional): node options before the script (e.g. --expose-gc);
 * BENCH_SERVER_NODE_ARGS (environment, space-separated) adds more to every server, e.g. to profile one:
 * `BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' node bench/src/run.js …`.
 */
function startServer(spec, port, { pin }) {
  const [cmd, args] = pinned(pin, SERVER_CPU, process.execPath, [...(spec.nodeArgs || []), ...(process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(' ') : []), spec.script, String(port)]);
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...spec.env },
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  return new Promise((resolve, reject) => {
    let out = '';
    let settled = false;
    const settle = (fn, v) => { if (!settled) { settled = true; clearTimeout(timer); fn(v); } };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(reject, new ServerUnavailable('unavailable', `no READY line within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      if (settled) return; // keep draining the pipe, ignore the rest
      out += d;
      const ready = /^READY (\d+)$/m.exec(out);
      const skip = /^SKIP (.*)$/m.exec(out);
      if (ready) settle(resolve, makeHandle(child, Number(ready[1]) || port, exited, () => stderr));
      else if (skip) settle(reject, new ServerUnavailable('skipped', skip[1].trim()));
    });
    exited.then(({ code, signal }) => {
      settle(reject, new ServerUnavailable('unavailable', firstErrorLine(stderr) || `exited (${signal || code}) before READY`));
    });
  });
}

function firstErrorLine(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^\w*Error\b|^Error:/.test(l)) || lines[0] || '';
}

function makeHandle(child, port, exited, stderr) {
  let waiting = null;
  child.on('message', (m) => { if (waiting && m && (m.ev === 'alloc' || m.ev === 'alloc-started' || m.ev === 'mem')) { const w = waiting; waiting = null; w(m); } });
  const ask = (cmd, timeoutMs = 2000, extra = {}) => new Promise((resolve) => {
    if (!child.connected) { resolve(null); return; }
    const t = setTimeout(() => { waiting = null; resolve(null); }, timeoutMs);
    waiting = (m) => { clearTimeout(t); resolve(m); };
    child.send({ cmd, ...extra });
  });
  return {
    pid: child.pid,
    port,
    stderr,
    allocStart: () => ask('alloc-start'),
    /** {heapBytes, gcs, rss} allocated on the V8 heap since allocStart(), or null. */
    allocStop: () => ask('alloc-stop'),
    /**
     * The server's memory after full GCs (servers/lib/mem-probe.js), or null when it does not answer;
     * `settle`: once V8's young generation has shrunk back to its floor (up to 15 s).
     */
    mem: (settle = false) => ask('mem', 25000, { settle }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const r = await exited;
      clearTimeout(t);
      return r; // {code, signal}: code 0 is a clean exit
    },
  };
}

module.exports = { startServer, ServerUnavailable };
