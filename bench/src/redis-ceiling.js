'use strict';
// redis-server's own ceiling on this machine, for the Redis bench (redis-fanout-bench.js): what Redis does
// with no code of ours in the path. redis-benchmark (C) pipelined PUBLISH of the same bytes, without
// subscribers and with 2 `redis-cli subscribe` connections attached (Redis writing each message to 2
// connections, as to our 2 processes); and redis-server's CPU per message, from /proc.
const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');
const { cpuMicros } = require('./proc-stat');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

/** A redis-server of the bench's own on a free port, no persistence. */
async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (/Ready to accept/.test(out)) resolve(); });
    child.once('exit', (c) => reject(new Error(`redis-server exited ${c}: ${out}`)));
  });
  child.stdout.resume();
  return { child, port, url: `redis://127.0.0.1:${port}` };
}

/** redis-benchmark -P 16 PUBLISH `bytes` bytes: { perSec, redisUsPerMsg }; null when it did not run. */
function redisBenchmark(redis, bytes, n = 300000) {
  const cpu0 = cpuMicros(redis.child.pid);
  const r = spawnSync('redis-benchmark', ['-p', String(redis.port), '-n', String(n), '-P', '16', '-q', 'PUBLISH', 'ceiling', 'a'.repeat(bytes)], { encoding: 'utf8' });
  const cpu = cpuMicros(redis.child.pid) - cpu0;
  const m = r.status === 0 ? /([\d.]+) requests per second/.exec(r.stdout.replace(/\r/g, '\n').split('\n').filter(Boolean).pop() ?? '') : null;
  return m ? { perSec: Math.round(Number(m[1])), redisUsPerMsg: cpu / n } : null;
}

/** Both redis-benchmark runs: without subscribers, then with 2 redis-cli subscribers on the channel. */
async function redisCeiling(redis, bytes) {
  const none = redisBenchmark(redis, bytes);
  const subs = [0, 1].map(() => spawn('redis-cli', ['-p', String(redis.port), 'subscribe', 'ceiling'], { stdio: ['ignore', 'ignore', 'ignore'] }));
  await sleep(300);
  const two = redisBenchmark(redis, bytes);
  for (const s of subs) s.kill('SIGKILL');
  return { none, two };
}

module.exports = { startRedis, redisCeiling, freePort, sleep };
