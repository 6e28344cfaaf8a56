'use strict';
// The ceiling: the least work a Node HTTP responder can do. A bare `net` server (noDelay) whose accepted
// sockets read into one fixed per-connection buffer through Node's `onread` option (no Buffer per read),
// answering each complete request head ("\r\n\r\n") with one canned response; all heads of one read
// (pipelining) are answered with one write. No parsing, no routing, no validation: not a server, a bound.
// Usage: node ceiling.js <port>
const net = require('node:net');
const { portArg, ready, onStop } = require('./lib/lifecycle');

const READ_BUF = 16 * 1024;
const BODY = 'Hello World!';
let date = new Date().toUTCString();
const build = () => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\nDate: ${date}\r\n\r\n${BODY}`;
let one = build();
let batches = []; // batches[n]: the responses to n pipelined heads, one latin1 string (<= 16 KB: no Buffer)
setInterval(() => { date = new Date().toUTCString(); one = build(); batches = []; }, 1000).unref();
function responses(n) {
  if (n === 1) return one;
  if (n > 64) return one.repeat(n);
  return batches[n] ?? (batches[n] = one.repeat(n));
}

/** Re-wraps an accepted socket to read into its own fixed buffer; counts "\r\n\r\n" in each read. */
function onConnection(orig) {
  const buf = Buffer.allocUnsafe(READ_BUF + 4);
  let m = 0; // 0..3: how much of CR LF CR LF the previous read ended with
  const sock = new net.Socket({
    handle: orig._handle, readable: true, writable: true,
    onread: {
      buffer: buf.subarray(0, READ_BUF), // the kernel never writes the sentinel's 4 bytes
      callback(n) {
        let heads = 0;
        let i = 0;
        // A sentinel just past the data stops indexOf at n instead of scanning the stale rest of the buffer.
        buf.latin1Write('\r\n\r\n', n);
        // finish a head split across reads
        while (m > 0 && i < n) {
          const want = (m & 1) ? 0x0a : 0x0d;
          if (buf[i] === want) { i++; if (++m === 4) { heads++; m = 0; break; } } else { m = 0; }
        }
        for (;;) {
          const at = buf.indexOf('\r\n\r\n', i, 'latin1');
          if (at === -1 || at + 4 > n) break;
          heads++;
          i = at + 4;
        }
        // how much of the pattern the unconsumed tail ends with (for the next read)
        if (m === 0) {
          for (let k = Math.min(3, n - i); k > 0; k--) {
            if (buf[n - k] === 0x0d && (k < 2 || buf[n - k + 1] === 0x0a) && (k < 3 || buf[n - k + 2] === 0x0d)) { m = k; break; }
          }
        }
        if (heads > 0) sock.write(responses(heads), 'latin1');
        return true;
      },
    },
  });
  sock._server = orig._server; // hand the server's connection accounting over, or close() never completes
  orig._server = null;
  orig._handle = null;
  sock.setNoDelay(true);
  sock.on('end', () => sock.end());
  sock.on('error', () => sock.destroy());
  conns.add(sock);
  sock.on('close', () => conns.delete(sock));
}

const conns = new Set();
const server = net.createServer({ pauseOnConnect: true, noDelay: true }, onConnection);
server.listen(portArg(), '127.0.0.1', () => ready(server.address().port));
onStop(() => new Promise((resolve) => {
  server.close(() => resolve());
  for (const s of conns) s.destroy();
}));
