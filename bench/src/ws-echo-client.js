'use strict';
// The WebSocket echo load: `connections` `ws` client connections to ws://…/echo, each keeping `window`
// binary messages of `size` bytes in flight (a reply sends the next one), for `duration` seconds. Counts
// the echoed messages, checks each (length and bytes), records the round-trip latency per message (echoes
// come back in order on a connection, so a ring of send times per connection is enough). The connections
// are opened before the clock starts: the handshakes are not in the rate. Runs in the client process
// (client-worker.js); `ws` is one JavaScript thread, which on 2 cores is usually the limit.
const { performance } = require('node:perf_hooks');
const WebSocket = require('ws');
const { Histogram } = require('./histogram');

function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function runWsEcho({ url, connections, window = 8, size = 64, duration }) {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 131 + 7) & 0xff;
  const opened = await Promise.allSettled(Array.from({ length: connections }, () => connect(url)));
  const sockets = opened.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failed = opened.find((r) => r.status === 'rejected');
  if (failed) {
    for (const ws of sockets) ws.terminate();
    throw new Error(`WebSocket connect failed: ${failed.reason && failed.reason.message}`);
  }
  const hist = new Histogram();
  const res = { messages: 0, errors: 0, mismatches: 0 };
  let running = true;

  const starters = sockets.map((ws) => {
    const sentAt = new Float64Array(window);
    let sent = 0;
    let got = 0;
    const send = () => { sentAt[sent++ % window] = performance.now(); ws.send(payload, { binary: true }); };
    ws.on('message', (data, isBinary) => {
      const t = sentAt[got++ % window];
      if (!isBinary || data.length !== size || !payload.equals(data)) { res.mismatches++; ws.terminate(); return; }
      if (!running) return; // the replies still in flight when the clock stopped are not counted
      res.messages++;
      hist.record((performance.now() - t) * 1000);
      send();
    });
    ws.on('error', () => { res.errors++; });
    return send;
  });
  const start = performance.now();
  for (const send of starters) for (let i = 0; i < window; i++) send();
  await new Promise((resolve) => setTimeout(resolve, duration * 1000));
  running = false;
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(sockets.map((ws) => new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) { resolve(); return; }
    ws.once('close', resolve);
    ws.terminate();
  })));
  return {
    ...res,
    duration: elapsed,
    perSec: res.messages / elapsed,
    latencyUs: { p50: hist.percentile(50), p99: hist.percentile(99) },
  };
}

module.exports = { runWsEcho };
