'use strict';
// Cross-process fan-out through Redis: a publisher process (this one, on a RedisBus) → redis-server →
// 2 server processes (RedisBus + WebSockets) → 1,000 WebSocket subscribers (500 on each), in 2 client
// processes. Measures delivery latency (p50/p90/p99/max, publisher clock → subscriber arrival) at a fixed
// rate, then the throughput of a burst; and redis-server's own ceiling on this machine, the same shape
// without us: `redis-benchmark` (PUBLISH, no subscribers) and a raw ioredis loop (pipelined PUBLISH,
// 2 subscriber connections: what Redis can hand to 2 processes).
// Usage: node bench/src/redis-fanout-bench.js [--subs 1000] [--rate 100] [--seconds 5] [--burst 3000] [--size 64]
// Build first (npx -y pnpm@10.34.9 build). Needs redis-server (Debian package).
const { spawn, spawnSync, fork } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const { Redis } = require('ioredis');
const { RedisBus } = require('@microwebsrv/bus-redis');
const { makeMessage } = require('@microwebsrv/core');

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const SUBS = arg('subs', 1000);
const RATE = arg('rate', 100);
const SECONDS = arg('seconds', 5);
const BURST = arg('burst', 3000);
const SIZE = Math.max(8, arg('size', 64));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const fmt = (x) => (x === null ? '-' : x.toFixed(2));

function freePort() {
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

async function startRedis(port) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (/Ready to accept/.test(out)) resolve(); });
    child.once('exit', (c) => reject(new Error(`redis-server exited ${c}: ${out}`)));
  });
  child.stdout.resume();
  return child;
}

function startServer(url) {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'servers', 'redis-fanout.js'), '0'], { env: { ...process.env, REDIS_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = /READY (\d+)/.exec(out); if (m) resolve({ child, port: Number(m[1]) }); });
    child.once('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
  });
}

function startClients(port, n) {
  const child = fork(path.join(__dirname, 'redis-fanout-client.js'), [String(port), String(n)]);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (c) => reject(new Error(`clients exited ${c}`)));
  });
}

const payload = () => { const b = Buffer.alloc(SIZE, 0x61); b.writeDoubleLE(now(), 0); return b; };

/** Publishes `count` messages (at `rate`/s, or as fast as the publisher goes when rate is 0) and collects what the clients got. */
async function phase(bus, clients, count, rate) {
  const results = clients.map((c) => new Promise((r) => c.once('message', r)));
  for (const c of clients) c.send({ expect: count * (SUBS / clients.length) });
  await sleep(50);
  const t0 = now();
  if (rate > 0) {
    const every = 1000 / rate;
    for (let i = 0; i < count; i++) {
      bus.publish(makeMessage('bench', payload(), undefined));
      const wait = t0 + (i + 1) * every - now();
      if (wait > 0) await sleep(wait);
    }
  } else {
    for (let i = 0; i < count; i += 50) {
      for (let k = 0; k < 50 && i + k < count; k++) bus.publish(makeMessage('bench', payload(), undefined));
      await new Promise((r) => setImmediate(r));
    }
  }
  const got = await Promise.all(results);
  const t1 = now();
  const delivered = got.reduce((n, g) => n + g.done, 0);
  const worst = (i) => Math.max(...got.map((g) => g.lat[i] ?? 0));
  return { delivered, expected: count * SUBS, sec: (t1 - t0) / 1000, p50: worst(0), p90: worst(1), p99: worst(2), max: worst(3) };
}

/** redis-server alone: pipelined PUBLISH of SIZE-byte messages to 2 subscriber connections. */
async function rawCeiling(url, count) {
  const subs = [new Redis(url), new Redis(url)];
  let got = 0;
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  for (const s of subs) { await s.subscribe('raw'); s.on('messageBuffer', () => { if (++got === 2 * count) resolveDone(); }); }
  const pub = new Redis(url);
  await pub.ping();
  const msg = Buffer.alloc(SIZE, 0x61);
  const t0 = now();
  for (let i = 0; i < count; i += 1000) {
    const p = pub.pipeline();
    for (let k = 0; k < 1000 && i + k < count; k++) p.publish('raw', msg);
    await p.exec();
  }
  await done;
  const sec = (now() - t0) / 1000;
  for (const c of [...subs, pub]) c.disconnect();
  return { msgsPerSec: count / sec, deliveriesPerSec: (2 * count) / sec };
}

(async () => {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redis = await startRedis(port);
  const procs = [redis];
  try {
    const servers = [await startServer(url), await startServer(url)];
    procs.push(...servers.map((s) => s.child));
    const clients = [];
    for (const s of servers) { const c = await startClients(s.port, SUBS / servers.length); clients.push(c); procs.push(c); }
    const bus = new RedisBus({ url, prefix: 'bench:', log: () => {} });
    await bus.ready();
    await sleep(200);
    await phase(bus, clients, 50, 50); // warm-up
    const steady = await phase(bus, clients, RATE * SECONDS, RATE);
    const burst = await phase(bus, clients, BURST, 0);
    await bus.close();
    const raw = await rawCeiling(url, 200000);
    // redis-benchmark (C): pipelined PUBLISH of SIZE bytes, with no subscriber, then with 2 `redis-cli
    // subscribe` processes attached (Redis writing every message to 2 connections, as to our 2 servers).
    const rbench = () => {
      const r = spawnSync('redis-benchmark', ['-p', String(port), '-n', '300000', '-P', '16', '-q', 'PUBLISH', 'raw', 'a'.repeat(SIZE)], { encoding: 'utf8' });
      const m = r.status === 0 ? /([\d.]+) requests per second/.exec(r.stdout.replace(/\r/g, '\n').split('\n').filter(Boolean).pop() ?? '') : null;
      return m ? Math.round(Number(m[1])) : null;
    };
    const rb0 = rbench();
    const cliSubs = [0, 1].map(() => spawn('redis-cli', ['-p', String(port), 'subscribe', 'raw'], { stdio: ['ignore', 'ignore', 'ignore'] }));
    procs.push(...cliSubs);
    await sleep(300);
    const rb2 = rbench();
    const rb = `${rb0 ?? 'n/a'} PUBLISH/s without subscribers, ${rb2 ?? 'n/a'} with 2 subscriber connections (redis-cli)`;
    const lines = [
      `Cross-process fan-out through Redis: ${SUBS} WebSocket subscribers on 2 server processes, ${SIZE}-byte binary messages, node ${process.version}`,
      '',
      '| phase | messages | deliveries (got / expected) | time s | deliveries/s | messages/s | latency p50 ms | p90 | p99 | max |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      `| steady ${RATE} msg/s | ${RATE * SECONDS} | ${steady.delivered} / ${steady.expected} | ${steady.sec.toFixed(2)} | ${Math.round(steady.delivered / steady.sec)} | ${Math.round(steady.delivered / SUBS / steady.sec)} | ${fmt(steady.p50)} | ${fmt(steady.p90)} | ${fmt(steady.p99)} | ${fmt(steady.max)} |`,
      `| burst (as fast as published) | ${BURST} | ${burst.delivered} / ${burst.expected} | ${burst.sec.toFixed(2)} | ${Math.round(burst.delivered / burst.sec)} | ${Math.round(burst.delivered / SUBS / burst.sec)} | ${fmt(burst.p50)} | ${fmt(burst.p90)} | ${fmt(burst.p99)} | ${fmt(burst.max)} |`,
      '',
      `redis-server's ceiling on this machine: a raw ioredis loop (pipelined PUBLISH, 2 subscriber connections) ${Math.round(raw.msgsPerSec)} msg/s (${Math.round(raw.deliveriesPerSec)} deliveries/s by Redis); ` +
        `redis-benchmark -P 16 PUBLISH: ${rb}.`,
      'Latencies: the worst of the 2 client processes\' percentiles (each over its own deliveries).',
    ];
    console.log(lines.join('\n'));
    for (const c of clients) c.send({ exit: true });
  } finally {
    await sleep(200);
    for (const p of procs.reverse()) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
  }
})().catch((err) => { console.error(err); process.exit(1); });
