'use strict';
// What the availability benches share (attack-bench.js, static-burst.js): starting a target server
// (servers/attack-target.js) and one legitimate probe request on a new connection.
const { fork } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

/** Forks servers/attack-target.js for `kind` on `preset`; resolves {child, port, slotBytes, budget} once it prints READY. */
function startTarget(kind, preset) {
  const child = fork(path.join(__dirname, '..', 'servers', 'attack-target.js'), [kind, '0'], {
    env: { ...process.env, MWS_PRESET: preset }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\d+)(?: SLOTS (\d+) BUDGET (\d+))?/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), slotBytes: m[2] ? Number(m[2]) : null, budget: m[3] ? Number(m[3]) : null });
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code}): ${out}`)));
  });
}

/**
 * One legitimate `GET /` (Connection: close) on a new connection: its latency in ms (connect to full
 * response), or null when not answered 200 within `timeoutMs`. `onConnect(ms)`: the connect time.
 * `onFail(why)`: why it was not served ('503', another status line, 'timeout', 'reset', 'closed').
 */
function probe(port, timeoutMs, onConnect = null, onFail = null) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    let finished = false;
    const done = (ok, why) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      s.destroy();
      if (!ok && onFail !== null) onFail(got.startsWith('HTTP/1.1 ') ? got.slice(9, 12) : why);
      resolve(ok ? ms() : null);
    };
    const timer = setTimeout(() => done(false, 'timeout'), timeoutMs);
    s.setEncoding('latin1');
    s.on('error', () => done(false, 'reset'));
    s.on('connect', () => { if (onConnect !== null) onConnect(ms()); s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'); });
    s.on('data', (d) => { got += d; if (got.endsWith('Hello World!')) done(got.startsWith('HTTP/1.1 200 ')); });
    s.on('close', () => done(got.startsWith('HTTP/1.1 200 ') && got.endsWith('Hello World!'), 'closed'));
  });
}

module.exports = { startTarget, probe };
