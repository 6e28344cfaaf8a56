'use strict';
// The floor of any HTTP server written in JavaScript on this Node: the accepted TCP handle driven
// directly (as xasync's HandleSocket does), reads into one Buffer, and per read one canned
// "Hello World!" response per request head in it (counted by its CRLFCRLF), written with one
// writeBuffer through one request object made once (a lone head's answer written as it is, several
// copied into one batch). No parsing, no routing, no state: what Node itself costs per read and per write.
// Not a server (it answers every request the same, and at most 64 heads of one read: the harness
// pipelines 16); it gives bench/src/instr-count.sh and
// bench/src/user-sys.sh a reference that no JavaScript server can go below.
// Usage: node node-floor.js <port>
const net = require('node:net');
const { portArg, ready, skip, onStop } = require('./lib/lifecycle');

let b;
try { b = process.binding('stream_wrap'); } catch { b = null; }
if (!b || typeof b.WriteWrap !== 'function' || !b.streamBaseState) {
  skip('this Node has no stream_wrap binding');
} else {
  const ONE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n'
    + 'Date: Mon, 07 Dec 2026 14:00:00 GMT\r\nServer: floor\r\n\r\nHello World!', 'latin1');
  const BATCH = Buffer.alloc(ONE.length * 64);
  const handles = new Set();
  let sym = null;
  const written = () => {}; // one completion for every write: the floor allocates nothing of its own
  const req = new b.WriteWrap();
  req.oncomplete = written;
  req.buffer = BATCH;
  function onread() {
    const c = this[sym];
    const n = b.streamBaseState[b.kReadBytesOrError];
    if (n < 0) { handles.delete(this); this.readStop(); this.close(); return undefined; }
    if (n === 0) return undefined;
    // Heads counted by their CRLFCRLF within the n bytes read (indexOf would search the whole buffer).
    const buf = c.buf;
    let count = 0;
    for (let i = 3; i < n; i++) {
      if (buf[i] === 0x0a && buf[i - 1] === 0x0d && buf[i - 2] === 0x0a && buf[i - 3] === 0x0d) count++;
    }
    count = Math.min(count, 64);
    // One head: the canned answer itself, no copy. Several: copied into one batch, written at once.
    let out = ONE;
    if (count > 1) {
      for (let k = 0; k < count; k++) ONE.copy(BATCH, k * ONE.length);
      out = BATCH.subarray(0, count * ONE.length);
    }
    // One request object for every write (a slow reader would see a later batch: a floor, not a server).
    req.handle = this;
    this.writeBuffer(req, out);
    // Undefined: the handle keeps reading into the buffer it has (Node's C++ then does not ask for its
    // memory and length again, as net.Socket's onread without a buffer generator).
    return undefined;
  }
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (sock) => {
    const h = sock._handle;
    sym ??= Object.getOwnPropertySymbols(h).find((s) => s.description === 'owner_symbol');
    sock._handle = null;
    sock.destroy();
    h[sym] = { buf: Buffer.alloc(16 * 1024) };
    h.onread = onread;
    h.useUserBuffer(h[sym].buf);
    h.setNoDelay(true);
    h.readStart();
    handles.add(h);
  });
  server.listen(portArg(), '127.0.0.1', () => ready(server.address().port));
  onStop(() => new Promise((resolve) => {
    for (const h of handles) h.close();
    server.close(() => resolve());
  }));
}
