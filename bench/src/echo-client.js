'use strict';
// The echo load: `connections` TCP connections, each sending a `size`-byte message and waiting for all of
// it to come back before sending the next, for `duration` seconds. Counts echoed messages, checks every
// byte (two alternating messages per connection, so a stale or mixed-up echo is caught), records the
// round-trip latency. Runs in the client process (client-worker.js).
const net = require('node:net');
const { performance } = require('node:perf_hooks');
const { Histogram } = require('./histogram');

function makeMessage(size, seed) {
  const m = Buffer.alloc(size);
  for (let i = 0; i < size; i++) m[i] = (i * 131 + seed * 17 + 7) & 0xff;
  return m;
}

function runEcho({ port, host = '127.0.0.1', connections, duration, size = 64 }) {
  return new Promise((resolve) => {
    const hist = new Histogram();
    const sockets = [];
    const res = { messages: 0, errors: 0, mismatches: 0 };
    let running = true;

    const open = (k) => {
      const msgs = [makeMessage(size, 2 * k), makeMessage(size, 2 * k + 1)];
      let turn = 0;
      let got = 0;
      let sentAt = 0;
      // onread: the replies land in one fixed buffer per connection (no Buffer per read): a cheaper client.
      const s = net.connect({ host, port, noDelay: true, onread: { buffer: Buffer.allocUnsafe(4096), callback: onRead } });
      sockets.push(s);
      const send = () => { sentAt = performance.now(); s.write(msgs[turn]); };
      s.on('connect', () => { if (running) send(); });
      function onRead(n, buf) {
        const want = msgs[turn];
        if (got + n > size || want.compare(buf, 0, n, got, got + n) !== 0) { res.mismatches++; s.destroy(); return false; }
        got += n;
        if (got < size) return true;
        got = 0;
        turn ^= 1;
        if (!running) return true;
        res.messages++;
        hist.record((performance.now() - sentAt) * 1000);
        send();
        return true;
      }
      s.on('error', () => { res.errors++; });
    };

    const start = performance.now();
    for (let k = 0; k < connections; k++) open(k);
    setTimeout(() => {
      running = false;
      const elapsed = (performance.now() - start) / 1000;
      for (const s of sockets) s.destroy();
      resolve({
        ...res,
        duration: elapsed,
        perSec: res.messages / elapsed,
        latencyUs: { p50: hist.percentile(50), p99: hist.percentile(99) },
      });
    }, duration * 1000);
  });
}

module.exports = { runEcho };
