'use strict';
// The subscribers of the fan-out scenario (bench/src/fanout.js), in a process of their own (pinned to the
// client CPU): N WebSocket (`ws`) or SSE (raw TCP, HTTP/1.0 so that the stream is the bare event blocks)
// connections to <port>/sub, counting the messages they receive. WebSocket messages must have `size`
// bytes (others are counted as bad). Talks to the runner over IPC:
//   -> { ready: opened, failed, reason }   every connection open (SSE: its head arrived) or failed
//   <- { expect: total }                   -> { done: received, bad, idleMs } once `total` more arrived,
//                                             or nothing came for IDLE_MS (then idleMs says how long)
//   <- { exit: true }                      closes every connection and exits
// Usage: node fanout-client.js <ws|sse> <port> <N> <size>
const net = require('node:net');
const WS = require('ws');

const IDLE_MS = 3000; // a server that buffers without backpressure (better-sse) can pause for GC for a while
const OPEN_WINDOW = 200; // connections opening at once (below every server's listen backlog)
const [kind, portRaw, nRaw, sizeRaw] = process.argv.slice(2);
const port = Number(portRaw);
const n = Number(nRaw);
const size = Number(sizeRaw);
const conns = [];
let received = 0;
let bad = 0;
let expect = Infinity;
let last = Date.now();
let finished = true;

function count(k) {
  received += k;
  last = Date.now();
  if (!finished && received >= expect) finish(0);
}
function finish(idleMs) {
  finished = true;
  process.send({ done: received, bad, idleMs });
}

function onWsMessage(data) {
  if (data.length !== size) bad++;
  count(1);
}

function openWs() {
  return new Promise((resolve, reject) => {
    const ws = new WS(`ws://127.0.0.1:${port}/sub`, { perMessageDeflate: false });
    ws.on('message', onWsMessage);
    ws.once('open', () => { ws.removeListener('error', reject); ws.on('error', () => {}); resolve(ws); });
    ws.once('error', reject);
  });
}

const NL = 0x0a;
function openSse() {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('GET /sub HTTP/1.0\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n'));
    let head = Buffer.alloc(0);
    let prevNl = false; // the last byte seen was a LF: an event ends at "\n\n" (HTML §9.2.5)
    s.on('data', (d) => {
      if (head !== null) {
        head = Buffer.concat([head, d]);
        const i = head.indexOf('\r\n\r\n');
        if (i < 0) return;
        if (!head.subarray(0, 12).toString('latin1').includes(' 200')) { reject(new Error(`status: ${head.subarray(0, 40).toString('latin1')}`)); s.destroy(); return; }
        d = head.subarray(i + 4);
        head = null;
        resolve(s);
      }
      let k = 0;
      if (prevNl && d.length > 0 && d[0] === NL) k++;
      for (let i = d.indexOf('\n\n'); i >= 0; i = d.indexOf('\n\n', i + 2)) k++;
      prevNl = d.length > 0 && d[d.length - 1] === NL;
      if (k > 0) count(k);
    });
    s.once('error', (err) => { if (head !== null) reject(err); });
  });
}

async function main() {
  let failed = 0;
  let reason = '';
  const open = kind === 'ws' ? openWs : openSse;
  for (let i = 0; i < n; i += OPEN_WINDOW) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + OPEN_WINDOW); j++) batch.push(open());
    for (const r of await Promise.allSettled(batch)) {
      if (r.status === 'fulfilled') conns.push(r.value);
      else { failed++; reason = r.reason && r.reason.message; }
    }
  }
  process.send({ ready: conns.length, failed, reason });
  process.on('message', (m) => {
    if (m.expect !== undefined) { expect = received + m.expect; last = Date.now(); finished = false; }
    if (m.exit) { for (const c of conns) (c.terminate || c.destroy).call(c); process.exit(0); }
  });
  process.on('disconnect', () => process.exit(0));
  setInterval(() => { if (!finished && Date.now() - last > IDLE_MS) finish(Date.now() - last); }, 100);
}
main().catch((err) => { console.error(err); process.exit(1); });
