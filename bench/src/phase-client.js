'use strict';
// Load in two phases on the same keep-alive connections (bench/src/instr-profile.sh): `warm` GET requests
// to `path`, one at a time on each of `conns` connections; then it prints PHASE, waits for a line on
// stdin, sends `measured` more and exits. Unlike fixed-client.js the connections live through both
// phases, so that a profile of the second sees connection objects as a long-running server does (old,
// not young: V8's write barriers and allocation differ), and no connection is opened or closed in it.
// Usage: node phase-client.js <port> <path> <conns> <warm> <measured>
const net = require('node:net');

const [port, path, conns, warm, measured] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6])];
if (!(port > 0) || !path?.startsWith('/') || !(conns >= 1) || !(warm >= 1) || !(measured >= 1)) {
  console.error('usage: node phase-client.js <port> <path> <conns> <warm> <measured>');
  process.exit(2);
}
const head = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
let sent = 0;
let got = 0;
let phase = 0;
let waiting = [];
const socks = [];

/** Sends the next request on `s`, or parks it when this phase's requests are all sent. */
function next(s) {
  if (sent >= (phase === 0 ? warm : warm + measured)) {
    waiting.push(s);
    if (waiting.length === conns) phaseDone();
    return;
  }
  sent++;
  s.write(head);
}

function phaseDone() {
  if (phase === 0) {
    phase = 1;
    console.log('PHASE');
    process.stdin.once('data', () => { const w = waiting; waiting = []; for (const s of w) next(s); });
    return;
  }
  console.log(`done ${got}`);
  for (const s of socks) s.destroy();
  process.exit(0);
}

for (let c = 0; c < conns; c++) {
  const s = net.connect(port, '127.0.0.1');
  socks.push(s);
  s.setNoDelay(true);
  s.on('connect', () => next(s));
  // One request in flight per connection, and responses are small: each read holds whole ones.
  s.on('data', (d) => {
    const str = d.latin1Slice(0, d.length);
    for (let k = str.indexOf('HTTP/1.1 '); k !== -1; k = str.indexOf('HTTP/1.1 ', k + 9)) { got++; next(s); }
  });
  s.on('error', (e) => { console.error(`phase-client: ${e.message}`); process.exit(1); });
}
