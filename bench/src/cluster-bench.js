'use strict';
// Cluster scaling: plaintext and JSON on 1 and N workers, MicroWebSrv (startCluster) against node:http on
// node:cluster with the same number of workers, measured in the same run with wrk (one thread, 50
// connections, keep-alive), rounds interleaved between the servers. Prints req/s (median of the rounds),
// MicroWebSrv ÷ node:http per worker count, N workers ÷ 1 worker per server, and which read path the
// workers took (srv.stats.readPath: the onread re-wrap on handles the primary passed over IPC, or the copy).
// Needs the built packages (`npx -y pnpm@10.34.9 build`) and wrk (apt-get install -y wrk).
//
//   node bench/src/cluster-bench.js [--workers 1,2] [--rounds 3] [--duration 5] [--connections 50]
//
// The client runs on the same cores as the servers: with N = the core count the machine, not the server,
// is the ceiling (on 2 cores, wrk and 2 workers share 2 cores), and the N ÷ 1 figure shows that, not the
// engine's scaling.
const { spawn, execFileSync } = require('node:child_process');
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { cpuMicros } = require('./proc-stat');

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
}
const WORKERS = String(arg('workers', '1,2')).split(',').map(Number);
const ROUNDS = Number(arg('rounds', 3));
const DURATION = Number(arg('duration', 5));
const CONNECTIONS = Number(arg('connections', 50));
const SERVER = path.join(__dirname, '../servers/cluster.js');
const KINDS = ['microwebsrv', 'node-http'];
const ROUTES = { plaintext: '/', json: '/json/bench/21' };

function startServer(kind, workers) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER, kind, String(workers)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${kind} ×${workers} did not start`)); }, 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, port: Number(m[1]) }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} ×${workers} exited (${code})`)); });
  });
}

function stopServer(s) {
  return new Promise((resolve) => {
    s.child.removeAllListeners('exit');
    s.child.once('exit', resolve);
    s.child.kill('SIGTERM');
    setTimeout(() => s.child.kill('SIGKILL'), 15000).unref();
  });
}

/** The primary and its workers (children in /proc): their CPU µs together. */
function clusterCpu(pid) {
  let kids = [];
  try { kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number); } catch { /* no /proc */ }
  return [pid, ...kids].reduce((sum, p) => sum + (cpuMicros(p) ?? 0), 0);
}

/** One wrk run: req/s and the server's CPU µs per request (primary + workers, from /proc). */
function wrk(s, url, seconds) {
  const before = clusterCpu(s.child.pid);
  const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, `http://127.0.0.1:${s.port}${url}`], { encoding: 'utf8' });
  const cpu = clusterCpu(s.child.pid) - before;
  const rps = Number((/Requests\/sec:\s+([\d.]+)/.exec(out) || [])[1]);
  const requests = Number((/(\d+) requests in/.exec(out) || [])[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out);
  if (errors) throw new Error(`wrk reported errors: ${errors[0]}`);
  return { rps, cpuUs: cpu / requests };
}

const get = (port, url) => new Promise((resolve, reject) => {
  http.get({ host: '127.0.0.1', port, path: url, agent: false }, (res) => {
    let t = '';
    res.on('data', (d) => { t += d; });
    res.on('end', () => resolve(t));
  }).on('error', reject);
});

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function main() {
  console.log(`cluster bench: workers ${WORKERS.join(',')}, ${ROUNDS} rounds × ${DURATION} s, wrk -t1 -c${CONNECTIONS}, ${require('node:os').availableParallelism()} cores, Node ${process.version}`);
  const results = {}; // results[workers][kind][route] = [rps…]
  const readPaths = {};
  for (const w of WORKERS) {
    results[w] = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of (round % 2 === 0 ? KINDS : [...KINDS].reverse())) { // interleaved, alternating order
        const s = await startServer(kind, w);
        try {
          for (const [route, url] of Object.entries(ROUTES)) {
            wrk(s, url, 1); // warm-up
            ((results[w][kind] ??= {})[route] ??= []).push(wrk(s, url, DURATION));
          }
          if (kind === 'microwebsrv') readPaths[w] = await get(s.port, '/readpath');
        } finally {
          await stopServer(s);
        }
      }
    }
  }
  const med = (w, k, route, f) => median(results[w][k][route].map((r) => r[f]));
  console.log('\n| workers | route | microwebsrv req/s (CPU µs/req) | node:http req/s (CPU µs/req) | ratio req/s | ratio CPU/req |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const w of WORKERS) {
    for (const route of Object.keys(ROUTES)) {
      const [m, n] = KINDS.map((k) => med(w, k, route, 'rps'));
      const [mc, nc] = KINDS.map((k) => med(w, k, route, 'cpuUs'));
      console.log(`| ${w} | ${route} | ${Math.round(m)} (${mc.toFixed(1)}) | ${Math.round(n)} (${nc.toFixed(1)}) | ${(m / n).toFixed(2)}× | ${(nc / mc).toFixed(2)}× less |`);
    }
  }
  const [one, ...more] = WORKERS;
  for (const w of more) {
    console.log(`\n${w} workers ÷ ${one} (req/s):`);
    for (const route of Object.keys(ROUTES)) {
      console.log(`  ${route}: ${KINDS.map((k) => `${k} ${(med(w, k, route, 'rps') / med(one, k, route, 'rps')).toFixed(2)}×`).join(', ')}`);
    }
  }
  console.log('\nread path (one worker\'s srv.stats.readPath after its load):');
  for (const w of WORKERS) console.log(`  ${w} worker(s): ${readPaths[w]}`);
  console.log('\nrounds:', JSON.stringify(results));
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
