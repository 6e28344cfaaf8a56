'use strict';
// Cross-process pub/sub through Redis, three parts measured in one run against one redis-server of the
// bench's own (free port, no persistence):
//
// 1. redis-server's ceiling on this machine (redis-ceiling.js): redis-benchmark -P 16 PUBLISH of the bytes
//    our bus puts on the wire for a message (--size + its 18-byte head), without subscribers and with 2
//    redis-cli subscribers (Redis writing each message to 2 connections, as to our 2 processes).
// 2. Throughput between processes, few local subscribers (so that a local fan-out is not what is
//    measured): this process publishes --count messages as fast as it goes, 500 per event-loop turn, to
//    2 receiving processes (redis-bus-peer.js). `raw`: ioredis alone on both ends (auto-pipelined PUBLISH
//    of the same bytes; SUBSCRIBE, counting messageBuffer events): no code of ours. `bus`: a RedisBus
//    publishing, a RedisBus with one listener in each receiver. Rounds interleaved. Printed: messages/s
//    until both receivers had all, the ratio bus ÷ raw and bus ÷ redis-benchmark, and the CPU µs per
//    message of the publisher, a receiver and redis-server (with how busy redis-server's core was: near
//    100% means Redis is the limit). `--before <dist dir>` adds `bus@before`, another build of the package
//    (copy packages/bus-redis/dist before a change) in the same rounds.
// 3. Fan-out to --subs WebSocket subscribers spread over 2 server processes (servers/redis-fanout.js:
//    RedisBus + WebSockets; clients in 2 processes, redis-fanout-client.js): delivery latency
//    (publisher clock → subscriber arrival, p50/p90/p99/max, the worst client process's) at a steady
//    --rate, then a burst of --burst messages published as fast as the publisher goes (deliveries/s).
//
// Every process (Redis, publisher, receivers, servers, clients) shares the machine's cores.
// Usage: node bench/src/redis-fanout-bench.js [--subs 1000] [--rate 100] [--seconds 5] [--burst 3000]
//          [--size 64] [--count 100000] [--rounds 3] [--before <dir>] [--out <name>]
// Build first (npx -y pnpm@10.34.9 build). Needs redis-server and redis-benchmark (Debian's redis-server / redis-tools).
const { spawn, fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Redis } = require('ioredis');
const { makeMessage } = require('@microwebsrv/core');
const { startRedis, redisCeiling, sleep } = require('./redis-ceiling');
const { cpuMicros } = require('./proc-stat');

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
const SUBS = Number(opt('subs', 1000));
const RATE = Number(opt('rate', 100));
const SECONDS = Number(opt('seconds', 5));
const BURST = Number(opt('burst', 3000));
const SIZE = Math.max(8, Number(opt('size', 64)));
const COUNT = Number(opt('count', 100000));
const ROUNDS = Number(opt('rounds', 3));
const BEFORE = opt('before', null);
const OUT = opt('out', null);
/** What the bus sends per message beyond the data: 14-byte head, the id "0", ':', 2-byte event length. */
const BUS_HEAD = 18;
const PREFIX = 'bench:';
const now = () => performance.timeOrigin + performance.now();
const fmt = (x, d = 2) => (x === null || x === undefined ? '-' : x.toFixed(d));
const int = (x) => (x === null || x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const busModule = (dir) => (dir ? require(path.resolve(dir, 'index.js')) : require('@microwebsrv/bus-redis'));

function startServer(url) {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'servers', 'redis-fanout.js'), '0'], { env: { ...process.env, REDIS_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = /READY (\d+)/.exec(out); if (m) resolve({ child, port: Number(m[1]) }); });
    child.once('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
  });
}

function forkReady(file, args, env) {
  const child = fork(path.join(__dirname, file), args, { env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (c) => reject(new Error(`${file} exited ${c}`)));
  });
}

// ---- part 2: throughput between processes ------------------------------------------------------

/** Publishes COUNT messages with `publishOne` (500 per turn) and waits for both receivers to have them all. */
async function throughput(redis, peers, publishOne) {
  const results = peers.map((c) => new Promise((r) => c.once('message', r)));
  for (const c of peers) c.send({ expect: COUNT });
  await sleep(50);
  const redis0 = cpuMicros(redis.child.pid);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  for (let i = 0; i < COUNT; i += 500) {
    for (let k = 0; k < 500 && i + k < COUNT; k++) publishOne();
    await new Promise((r) => setImmediate(r));
  }
  const pubCpu = process.cpuUsage(cpu0);
  const got = await Promise.all(results);
  const sec = (now() - t0) / 1000;
  const redisUs = cpuMicros(redis.child.pid) - redis0;
  return {
    msgsPerSec: Math.min(...got.map((g) => g.got)) / sec,
    lost: 2 * COUNT - got.reduce((n, g) => n + g.got, 0),
    pubUs: (pubCpu.user + pubCpu.system) / COUNT,
    recvUs: got.reduce((n, g) => n + g.cpuUs, 0) / 2 / COUNT,
    redisUs: redisUs / COUNT,
    redisCorePct: (100 * redisUs) / (sec * 1e6),
  };
}

async function partThroughput(redis) {
  const data = Buffer.alloc(SIZE, 0x61);
  const wire = Buffer.alloc(SIZE + BUS_HEAD, 0x61);
  const modes = { raw: null, bus: null, ...(BEFORE ? { 'bus@before': BEFORE } : {}) };
  const setups = {};
  for (const [mode, dir] of Object.entries(modes)) {
    const peerMode = mode === 'raw' ? 'raw' : 'bus';
    const name = mode === 'raw' ? 'raw' : `t/${mode}`; // topic of a bus, channel of raw
    const env = dir ? { MWS_BUS_DIST: dir } : {};
    const peers = [await forkReady('redis-bus-peer.js', [peerMode, redis.url, name, PREFIX], env), await forkReady('redis-bus-peer.js', [peerMode, redis.url, name, PREFIX], env)];
    if (mode === 'raw') {
      const pub = new Redis(redis.url, { enableAutoPipelining: true });
      await pub.ping();
      setups[mode] = { peers, publishOne: () => { pub.publish('raw', wire); }, close: () => pub.disconnect() };
    } else {
      const { RedisBus } = busModule(dir);
      const bus = new RedisBus({ url: redis.url, prefix: PREFIX, log: () => {} });
      await bus.ready();
      setups[mode] = { peers, publishOne: () => { bus.publish(makeMessage(name, data, undefined)); }, close: () => bus.close() };
    }
  }
  const samples = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const order = Object.keys(modes);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < order.length; k++) {
      const mode = order[(k + round) % order.length];
      const s = await throughput(redis, setups[mode].peers, setups[mode].publishOne);
      samples[mode].push(s);
      console.error(`  throughput round ${round + 1} ${mode.padEnd(10)} ${int(s.msgsPerSec)} msg/s, lost ${s.lost}, µs/msg: publisher ${fmt(s.pubUs)}, receiver ${fmt(s.recvUs)}, redis ${fmt(s.redisUs)} (redis core ${Math.round(s.redisCorePct)}%)`);
    }
  }
  for (const s of Object.values(setups)) { await s.close(); for (const p of s.peers) p.send({ exit: true }); }
  const med = (mode, f) => median(samples[mode].map((s) => s[f]));
  return { samples, med, modes: order };
}

// ---- part 3: fan-out to WebSocket subscribers --------------------------------------------------

const stamped = () => { const b = Buffer.alloc(SIZE, 0x61); b.writeDoubleLE(now(), 0); return b; };

/** Publishes `count` messages (at `rate`/s, or as fast as the publisher goes when rate is 0) and collects what the clients got. */
async function phase(bus, clients, count, rate, pids) {
  const results = clients.map((c) => new Promise((r) => c.once('message', r)));
  for (const c of clients) c.send({ expect: count * (SUBS / clients.length) });
  await sleep(50);
  const cpu = (list) => list.reduce((n, p) => n + (cpuMicros(p) ?? 0), 0);
  const cpu0 = { redis: cpu(pids.redis), servers: cpu(pids.servers), clients: cpu(pids.clients) };
  const t0 = now();
  if (rate > 0) {
    const every = 1000 / rate;
    for (let i = 0; i < count; i++) {
      bus.publish(makeMessage('bench', stamped(), undefined));
      const wait = t0 + (i + 1) * every - now();
      if (wait > 0) await sleep(wait);
    }
  } else {
    for (let i = 0; i < count; i += 50) {
      for (let k = 0; k < 50 && i + k < count; k++) bus.publish(makeMessage('bench', stamped(), undefined));
      await new Promise((r) => setImmediate(r));
    }
  }
  const got = await Promise.all(results);
  const sec = (now() - t0) / 1000;
  const worst = (i) => Math.max(...got.map((g) => g.lat[i] ?? 0));
  const delivered = got.reduce((n, g) => n + g.done, 0);
  // CPU % of one core over the phase, per side (the clients' includes up to 3 s of idle wait at a shortfall)
  const pctOf = (k) => (100 * (cpu(pids[k]) - cpu0[k])) / (sec * 1e6);
  return { delivered, expected: count * SUBS, sec, p50: worst(0), p90: worst(1), p99: worst(2), max: worst(3),
    redisPct: pctOf('redis'), serversPct: pctOf('servers'), clientsPct: pctOf('clients') };
}

async function partFanout(redis, procs) {
  const servers = [await startServer(redis.url), await startServer(redis.url)];
  procs.push(...servers.map((s) => s.child));
  const clients = [];
  for (const s of servers) { const c = await forkReady('redis-fanout-client.js', [String(s.port), String(SUBS / servers.length)]); clients.push(c); procs.push(c); }
  const { RedisBus } = busModule(null);
  const bus = new RedisBus({ url: redis.url, prefix: PREFIX, log: () => {} });
  await bus.ready();
  await sleep(200);
  const pids = { redis: [redis.child.pid], servers: servers.map((s) => s.child.pid), clients: clients.map((c) => c.pid) };
  await phase(bus, clients, 50, 50, pids); // warm-up
  const steady = await phase(bus, clients, RATE * SECONDS, RATE, pids);
  const burst = await phase(bus, clients, BURST, 0, pids);
  await bus.close();
  for (const c of clients) c.send({ exit: true });
  return { steady, burst };
}

// ---- report ------------------------------------------------------------------------------------

(async () => {
  const redis = await startRedis();
  const procs = [redis.child];
  const lines = [];
  const say = (l = '') => { lines.push(l); console.log(l); };
  const command = `node bench/src/redis-fanout-bench.js ${argv.join(' ')}`.trim();
  try {
    const ceiling = await redisCeiling(redis, SIZE + BUS_HEAD);
    const tp = await partThroughput(redis);
    const fan = await partFanout(redis, procs);
    say('# Redis pub/sub bench');
    say('');
    say(`- command: \`${command}\``);
    say(`- date: ${new Date().toISOString()}; machine: ${os.cpus().length} × ${(os.cpus()[0] || {}).model}, Node ${process.version}, redis-server ${redisVersion()}; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    say(`- messages: ${SIZE} bytes of data (${SIZE + BUS_HEAD} on the wire with the bus's head; raw and redis-benchmark send ${SIZE + BUS_HEAD})`);
    say('');
    say('## redis-server\'s ceiling (redis-benchmark -P 16 PUBLISH, C client)');
    say('');
    say('| subscribers | PUBLISH/s | redis-server CPU µs/msg |');
    say('| --- | ---: | ---: |');
    for (const [k, v] of [['none', ceiling.none], ['2 connections (redis-cli)', ceiling.two]]) say(`| ${k} | ${v ? int(v.perSec) : 'n/a'} | ${v ? fmt(v.redisUsPerMsg) : '-'} |`);
    say('');
    say(`## Throughput between processes: 1 publisher → redis-server → 2 receiving processes (1 local subscriber each), ${COUNT.toLocaleString('en-US')} messages, ${ROUNDS} rounds, medians`);
    say('');
    say('| publisher → receivers | messages/s (each receiver got) | ÷ raw ioredis | ÷ redis-benchmark (2 subs) | lost | publisher CPU µs/msg | receiver CPU µs/msg | redis-server CPU µs/msg | redis-server core busy |');
    say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const rawRate = tp.med('raw', 'msgsPerSec');
    const label = { raw: 'raw ioredis (auto-pipelined PUBLISH → SUBSCRIBE)', bus: 'RedisBus → RedisBus', 'bus@before': `RedisBus → RedisBus (${BEFORE})` };
    for (const m of tp.modes) {
      const r = tp.med(m, 'msgsPerSec');
      say(`| ${label[m]} | ${int(r)} | ${fmt(r / rawRate)}× | ${ceiling.two ? `${fmt(r / ceiling.two.perSec)}×` : '-'} | ${tp.med(m, 'lost')} | ${fmt(tp.med(m, 'pubUs'))} | ${fmt(tp.med(m, 'recvUs'))} | ${fmt(tp.med(m, 'redisUs'))} | ${Math.round(tp.med(m, 'redisCorePct'))}% |`);
    }
    say('');
    say(`## Fan-out: ${SUBS} WebSocket subscribers on 2 server processes (RedisBus + WebSockets), clients in 2 processes`);
    say('');
    say('| phase | messages | deliveries (got / expected) | time s | deliveries/s | messages/s | latency p50 ms | p90 | p99 | max | CPU (% of a core): redis-server / 2 servers / 2 client processes |');
    say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const [name, p, n] of [[`steady ${RATE} msg/s`, fan.steady, RATE * SECONDS], ['burst (as fast as published)', fan.burst, BURST]]) {
      say(`| ${name} | ${n} | ${p.delivered} / ${p.expected} | ${p.sec.toFixed(2)} | ${int(p.delivered / p.sec)} | ${int(p.delivered / SUBS / p.sec)} | ${fmt(p.p50)} | ${fmt(p.p90)} | ${fmt(p.p99)} | ${fmt(p.max)} | ${Math.round(p.redisPct)}% / ${Math.round(p.serversPct)}% / ${Math.round(p.clientsPct)}% |`);
    }
    say('');
    say('Latencies: the worst of the 2 client processes\' percentiles (each over its own deliveries). Every process shares the machine\'s cores.');
    if (OUT) {
      const base = path.join(__dirname, '..', 'results', OUT);
      fs.writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
      fs.writeFileSync(`${base}.json`, `${JSON.stringify({ command, date: new Date().toISOString(), ceiling, throughput: tp.samples, fanout: fan }, null, 1)}\n`);
      console.log(`\nresults: bench/results/${OUT}.md, .json`);
    }
  } finally {
    await sleep(200);
    for (const p of procs.reverse()) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
  }
})().catch((err) => { console.error(err); process.exit(1); });

function redisVersion() {
  try { return /v=([\d.]+)/.exec(require('node:child_process').execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))[1]; } catch { return '?'; }
}
