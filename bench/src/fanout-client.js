'use strict';
// The subscribers of the fan-out bench, in a process of their own: N WebSocket (`ws`) or SSE (raw TCP)
// connections to <url>/sub, counting the messages they receive. Talks to its parent over IPC:
//   -> { ready: N }   every connection is open (and, for SSE, its head arrived)
//   <- { expect: total } then -> { done: received } once `total` arrived or nothing came for 2 s
// Usage (by fanout-bench.js): node fanout-client.js <ws|sse> <port> <N>
const net = require('node:net');
const WS = require('ws');

const [kind, portRaw, nRaw] = process.argv.slice(2);
const port = Number(portRaw);
const n = Number(nRaw);
let received = 0;
let expect = Infinity;
let last = Date.now();
const conns = [];

function count(k) {
  received += k;
  last = Date.now();
  if (received >= expect) finish();
}
let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  process.send({ done: received });
}

function openWs() {
  return new Promise((resolve, reject) => {
    const ws = new WS(`ws://127.0.0.1:${port}/sub`, { perMessageDeflate: false });
    ws.on('message', () => count(1));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function openSse() {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('GET /sub HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n'));
    let head = true;
    let tail = '';
    s.setEncoding('latin1');
    s.on('data', (d) => {
      if (head) { const i = d.indexOf('\r\n\r\n'); if (i < 0) return; head = false; d = d.slice(i + 4); resolve(s); }
      // Each event ends with an empty line ("\n\n"); the data is 'a's, chunk-size lines end in CRLF.
      const text = tail + d;
      let k = 0;
      for (let i = text.indexOf('\n\n'); i >= 0; i = text.indexOf('\n\n', i + 2)) k++;
      tail = text.slice(-1);
      if (k > 0) count(k);
    });
    s.once('error', reject);
  });
}

async function main() {
  for (let i = 0; i < n; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 100); j++) batch.push(kind === 'ws' ? openWs() : openSse());
    conns.push(...await Promise.all(batch));
  }
  process.send({ ready: conns.length });
  process.on('message', (m) => {
    if (m.expect !== undefined) { expect = m.expect; last = Date.now(); received = 0; finished = false; }
    if (m.exit) { for (const c of conns) (c.terminate ?? c.destroy).call(c); process.exit(0); }
  });
  setInterval(() => { if (expect !== Infinity && !finished && Date.now() - last > 2000) finish(); }, 200).unref();
}
main().catch((err) => { console.error(err); process.exit(1); });
