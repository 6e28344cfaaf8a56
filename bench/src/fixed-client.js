'use strict';
// A fixed amount of HTTP/1.1 load: `total` GET requests to `path`, `depth` pipelined at a time on each of
// `conns` keep-alive connections (a batch is sent when the last one's responses are all in). Unlike
// wrk it stops after a count, so that two runs differ only in how many requests the server answered
// (bench/src/instr-count.sh subtracts them). Responses are counted by their status line.
// Usage: [VARY=1] node fixed-client.js <port> <path> <depth> <conns> <total>
const net = require('node:net');

const [port, path, depth, conns, total] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6])];
if (!(port > 0) || !path?.startsWith('/') || !(depth >= 1) || !(conns >= 1) || !(total >= 1)) {
  console.error('usage: node fixed-client.js <port> <path> <depth> <conns> <total>');
  process.exit(2);
}
// VARY=1: every request's head differs in its last field line (same length), so that no server can take
// it as a repeat of the one before: the cost of parsing every head in full.
const vary = process.env.VARY === '1';
let seq = 0;
const head = () => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${vary ? `X-Seq: ${String(seq++ % 1e6).padStart(6, '0')}\r\n` : ''}\r\n`;
const nextBatch = () => { let b = ''; for (let i = 0; i < depth; i++) b += head(); return b; };
const fixed = vary ? '' : nextBatch();
const batch = () => (vary ? nextBatch() : fixed);
const perConn = Math.ceil(total / depth / conns);
const t0 = Date.now();
let done = 0;
for (let c = 0; c < conns; c++) {
  const s = net.connect(port, '127.0.0.1');
  let left = perConn;
  let got = 0;
  let carry = '';
  s.setNoDelay(true);
  s.on('connect', () => s.write(batch()));
  s.on('data', (d) => {
    const str = carry + d.latin1Slice(0, d.length);
    let i = 0;
    for (let k = str.indexOf('HTTP/1.1 ', i); k !== -1; k = str.indexOf('HTTP/1.1 ', i)) { got++; i = k + 9; }
    carry = str.slice(Math.max(i, str.length - 8));
    if (got < depth) return;
    got -= depth;
    if (--left > 0) s.write(batch());
    else {
      s.end();
      if (++done === conns) console.log(`${perConn * depth * conns} requests in ${Date.now() - t0} ms`);
    }
  });
  s.on('error', (e) => { console.error(`fixed-client: ${e.message}`); process.exit(1); });
}
