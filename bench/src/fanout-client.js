'use strict';
// The subscribers of the fan-out scenario (bench/src/fanout.js), in a process of their own (pinned to the
// client CPU): N WebSocket or SSE connections to <port>/sub, counting the messages they receive. Both are
// raw TCP sockets with a counter that neither parses payloads nor allocates per message, so that the
// client costs far less than any server and the rates compare the servers (a `ws` client parsed and
// copied every message into a Buffer and kept its core 100% busy). WebSocket: an RFC 6455 handshake, then
// the frame headers are read (§5.2; server frames are unmasked) and payloads skipped; a message whose
// length is not `size` is counted as bad. SSE: HTTP/1.0, so that the stream is the bare event blocks.
// Talks to the runner over IPC:
//   -> { ready: opened, failed, reason }   every connection open (its 101 / 200 head arrived) or failed
//   <- { expect: total }                   -> { done: received, bad, idleMs, reads } once `total` more arrived,
//                                             or nothing came for IDLE_MS (then idleMs says how long)
//   <- { exit: true }                      closes every connection and exits
// Usage: node fanout-client.js <ws|sse> <port> <N> <size>
const net = require('node:net');
const crypto = require('node:crypto');

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
/** Reads (onread callbacks) so far: messages per read tells how much the server's writes coalesced by the time the client read. */
let reads = 0;
/**
 * Publish-to-receipt latencies (ms) of the stamped messages (bench/servers/fanout.js: the first of each
 * batch, stamped with the monotonic clock in µs), read by one subscriber in LAT_EVERY (parsing costs the
 * client), WebSocket only; sent with each `done` and reset.
 */
let lat = [];
const LAT_EVERY = 8;
/** Subscribers opened so far (the sampled ones are every LAT_EVERY-th). */
let opened = 0;
const LAT_MAX = 100000;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

function count(k) {
  received += k;
  last = Date.now();
  if (!finished && received >= expect) finish(0);
}
function finish(idleMs) {
  finished = true;
  process.send({ done: received, bad, idleMs, reads, lat });
  lat = [];
}

/** One read buffer for every socket (`onread`: no Buffer, no 'data' event per read; each read is handled before the next). */
const READ_BUF = Buffer.allocUnsafe(256 * 1024);

/**
 * Connects to /sub, writes `request`, waits for the head of a `status` response, then gives every body
 * byte to `onBody(buf, start, end)` (the shared read buffer: used at once, never kept).
 */
function connect(request, status, resolve, reject, onBody) {
  let head = Buffer.alloc(0);
  const s = net.connect({
    port, host: '127.0.0.1',
    onread: {
      buffer: READ_BUF,
      callback(nread, buf) {
        reads++;
        if (head === null) { onBody(buf, 0, nread); return; }
        head = Buffer.concat([head, buf.subarray(0, nread)]);
        const i = head.indexOf('\r\n\r\n');
        if (i < 0) return;
        if (!head.subarray(0, 13).toString('latin1').includes(` ${status}`)) { reject(new Error(`status: ${head.subarray(0, 40).toString('latin1')}`)); s.destroy(); return; }
        const rest = Buffer.from(head.subarray(i + 4));
        head = null;
        resolve(s);
        if (rest.length > 0) onBody(rest, 0, rest.length);
      },
    },
  }, () => s.write(request));
  s.on('error', (err) => { if (head !== null) reject(err); });
}

/** A WebSocket subscriber: frames counted from their headers (RFC 6455 §5.2), payloads skipped, nothing allocated per message. */
function openWs() {
  return new Promise((resolve, reject) => {
    const key = crypto.randomBytes(16).toString('base64');
    const request = `GET /sub HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    const hdr = Buffer.alloc(14); // a frame header split across reads
    const sampled = opened++ % LAT_EVERY === 0 && size >= 32;
    let hlen = 0;
    let skip = 0; // payload bytes of the current frame still to pass
    let msgLen = 0; // payload bytes of the current (fragmented) message so far
    connect(request, 101, resolve, reject, (d, i, n) => {
      let k = 0;
      while (i < n) {
        if (skip > 0) { const t = Math.min(skip, n - i); skip -= t; i += t; continue; }
        let b0;
        let len;
        if (hlen === 0 && i + 1 < n && (d[i + 1] & 0xff) < 126) { // the common case: a whole short header, unmasked
          b0 = d[i];
          len = d[i + 1];
          i += 2;
        } else {
          hdr[hlen++] = d[i++];
          if (hlen < 2) continue;
          const l7 = hdr[1] & 0x7f;
          const need = 2 + (l7 === 126 ? 2 : l7 === 127 ? 8 : 0) + (hdr[1] & 0x80 ? 4 : 0);
          if (hlen < need) continue;
          b0 = hdr[0];
          len = l7 < 126 ? l7 : l7 === 126 ? hdr.readUInt16BE(2) : hdr.readUInt32BE(2) * 0x100000000 + hdr.readUInt32BE(6);
          hlen = 0;
        }
        skip = len;
        // A stamped message whose time is in this read: its latency (ms since the epoch, 3 decimals).
        if (sampled && i + 16 <= n && d[i] >= DIGIT_0 && d[i] <= DIGIT_9 && lat.length < LAT_MAX) {
          // CLOCK_MONOTONIC, shared by every process of the machine (µs, as the server stamped it).
          lat.push((Number(process.hrtime.bigint() / 1000n) - Number(d.latin1Slice(i, i + 16))) / 1000);
        }
        const op = b0 & 0x0f;
        if (op >= 8) continue; // a control frame (ping, pong, close): not a message
        msgLen += len;
        if (b0 & 0x80) { if (msgLen !== size) bad++; msgLen = 0; k++; }
      }
      if (k > 0) count(k);
    });
  });
}

const NL = 0x0a;
const NL_NL = Buffer.from('\n\n');
function openSse() {
  return new Promise((resolve, reject) => {
    let prevNl = false; // the last byte seen was a LF: an event ends at "\n\n" (HTML §9.2.5)
    connect('GET /sub HTTP/1.0\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n', 200, resolve, reject, (buf, start, end) => {
      const d = buf.subarray(start, end); // one view per read (indexOf has no end bound)
      let k = 0;
      if (prevNl && d.length > 0 && d[0] === NL) k++;
      for (let i = d.indexOf(NL_NL); i >= 0; i = d.indexOf(NL_NL, i + 2)) k++;
      prevNl = d.length > 0 && d[d.length - 1] === NL;
      if (k > 0) count(k);
    });
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
    if (m.exit) { for (const c of conns) c.destroy(); process.exit(0); }
  });
  process.on('disconnect', () => process.exit(0));
  setInterval(() => { if (!finished && Date.now() - last > IDLE_MS) finish(Date.now() - last); }, 100);
}
main().catch((err) => { console.error(err); process.exit(1); });
