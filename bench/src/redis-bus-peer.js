'use strict';
// A receiving process of the Redis throughput phase (redis-fanout-bench.js), one of 2, with few local
// subscribers so that what is measured is the bus, not a local fan-out:
//   raw: an ioredis connection SUBSCRIBEd to the channel, counting `messageBuffer` events (no code of ours);
//   bus: a RedisBus with one local listener on the topic, counting delivered TopicMessages.
// Usage (forked): [MWS_BUS_DIST=<dir>] node redis-bus-peer.js <raw|bus> <redis url> <channel or topic> <prefix>
//   -> { ready: true }   <- { expect: n }   -> { got, cpuUs } (when n arrived, or 3 s without a message)
//   <- { exit: true }
const [mode, url, name, prefix] = process.argv.slice(2);

let got = 0;
let expect = Infinity;
let cpu0 = null;
let last = Date.now();
let idle = null;

function onOne() {
  got++;
  if (got === expect) finish();
}

function finish() {
  if (idle !== null) { clearInterval(idle); idle = null; }
  const c = process.cpuUsage(cpu0);
  process.send({ got, cpuUs: c.user + c.system });
  expect = Infinity;
}

async function main() {
  if (mode === 'raw') {
    const { Redis } = require('ioredis');
    const sub = new Redis(url);
    await sub.subscribe(name);
    sub.on('messageBuffer', () => { last = Date.now(); onOne(); });
  } else if (mode === 'bus') {
    // MWS_BUS_DIST: another build of the package (a before/after in one run, see --before)
    const { RedisBus } = process.env.MWS_BUS_DIST ? require(require('node:path').resolve(process.env.MWS_BUS_DIST, 'index.js')) : require('@microwebsrv/bus-redis');
    const bus = new RedisBus({ url, prefix, log: () => {} });
    await bus.ready();
    bus.subscribe(name, () => { last = Date.now(); onOne(); });
    await new Promise((r) => setTimeout(r, 100)); // the SUBSCRIBE reply
  } else {
    throw new Error(`mode must be raw or bus, got ${mode}`);
  }
  process.on('message', (m) => {
    if (m.exit) process.exit(0);
    if (m.expect === undefined) return;
    got = 0;
    expect = m.expect;
    cpu0 = process.cpuUsage();
    last = Date.now();
    idle = setInterval(() => { if (Date.now() - last > 3000) finish(); }, 100);
  });
  process.send({ ready: true });
}

main().catch((err) => { console.error(err); process.exit(1); });
