'use strict';
// Subscribers of the Redis fan-out bench, in a process of their own: N WebSockets to ws://127.0.0.1:<port>/sub.
// Each message starts with the publisher's clock (float64, ms since the epoch: performance.timeOrigin +
// performance.now(), comparable across processes of one machine); latency = arrival − that.
//   -> { ready: N }   <- { expect: total }   -> { done: received, lat: [p50, p90, p99, max] (ms) }
const WS = require('ws');

const [portRaw, nRaw] = process.argv.slice(2);
const n = Number(nRaw);
let received = 0;
let expect = Infinity;
let lat = new Float64Array(1 << 20);
let last = Date.now();
let finished = false;
const now = () => performance.timeOrigin + performance.now();

function onMessage(data) {
  const t = now();
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (received >= lat.length) { const bigger = new Float64Array(lat.length * 2); bigger.set(lat); lat = bigger; }
  lat[received++] = t - b.readDoubleLE(0);
  last = Date.now();
  if (received >= expect) finish();
}

function finish() {
  if (finished) return;
  finished = true;
  const l = lat.subarray(0, received).sort();
  const q = (p) => (received === 0 ? null : l[Math.min(received - 1, Math.floor(p * received))]);
  process.send({ done: received, lat: [q(0.5), q(0.9), q(0.99), received ? l[received - 1] : null] });
}

(async () => {
  const conns = [];
  for (let i = 0; i < n; i++) {
    conns.push(await new Promise((resolve, reject) => {
      const ws = new WS(`ws://127.0.0.1:${portRaw}/sub`, { perMessageDeflate: false });
      ws.on('message', onMessage);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    }));
  }
  process.send({ ready: n });
  process.on('message', (m) => {
    if (m.expect !== undefined) {
      expect = m.expect; received = 0; finished = false; last = Date.now();
      const idle = setInterval(() => { if (finished) clearInterval(idle); else if (Date.now() - last > 3000) { clearInterval(idle); finish(); } }, 100);
    }
    if (m.exit) { for (const c of conns) c.terminate(); process.exit(0); }
  });
})().catch((err) => { console.error(err); process.exit(1); });
