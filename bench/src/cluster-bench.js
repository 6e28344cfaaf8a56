'use strict';
// Cluster scaling: plaintext and JSON on 1 and N workers, MicroWebSrv (startCluster) against node:http on
// node:cluster with the same number of workers, measured in the same run with wrk (50 keep-alive
// connections); each round measures every setup and both servers (their order alternating). `--standalone` adds both
// servers as one plain process (bench/servers/microwebsrv.js, node-http.js: what run.js measures), pinned
// the same way, to show what a cluster of one costs against no cluster.
//
// Pinning (cluster-pin.js), as run.js does: each worker on a CPU of its own, wrk on the CPUs left; when
// workers + wrk need more CPUs than the machine has, nothing is pinned and the row says "cores shared".
// Per sample: req/s, latency p50/p99 (wrk), the server's CPU µs per request (primary + workers, utime +
// stime from /proc), wrk's CPU µs per request, how busy the server's and the client's CPUs were
// (/proc/stat, softirq included) and other load (busy time that is none of ours: other engineers' runs).
// Needs the built packages (`npx -y pnpm@10.34.9 build`) and wrk (apt-get install -y wrk).
//
//   node bench/src/cluster-bench.js [--workers 1,2] [--rounds 3] [--duration 5] [--connections 50]
//                                   [--standalone] [--no-pin] [--out <name>]   (--out: bench/results/<name>.md/.json)
const { spawn, spawnSync } = require('node:child_process');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cpuMicros, statCpuMicros } = require('./proc-stat');
const { readCores, busyPct, otherLoadPct } = require('./core-stat');
const { planFor, onCpus, childrenOf, pinWorkers } = require('./cluster-pin');
const { parseWrk } = require('./wrk-client');

const argv = process.argv.slice(2);
function arg(name, dflt) {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? dflt : argv[i + 1];
}
const WORKERS = String(arg('workers', '1,2')).split(',').map(Number);
const ROUNDS = Number(arg('rounds', 3));
const DURATION = Number(arg('duration', 5));
const CONNECTIONS = Number(arg('connections', 50));
const STANDALONE = argv.includes('--standalone');
const PIN = !argv.includes('--no-pin');
const OUT = arg('out', null);
const SERVERS = path.join(__dirname, '../servers');
const ROUTES = { plaintext: '/', json: '/json/bench/21' };
const LABEL = { microwebsrv: 'MicroWebSrv-TS', 'node-http': 'node:http' };

/** The setups measured: [workers, kind, how] — how: 'cluster' or 'standalone' (one process, no cluster). */
function setups() {
  const out = [];
  if (STANDALONE) out.push({ key: 'standalone', workers: 1, how: 'standalone' });
  for (const w of WORKERS) out.push({ key: String(w), workers: w, how: 'cluster' });
  return out;
}

function startServer(kind, setup, plan) {
  const args = setup.how === 'cluster' ? [path.join(SERVERS, 'cluster.js'), kind, String(setup.workers)] : [path.join(SERVERS, `${kind}.js`), '0'];
  const [cmd, cmdArgs] = onCpus(plan.serverCpus, process.execPath, args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${kind} ${setup.key} did not start`)); }, 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      // the primary is `taskset`'s child when pinned through it: taskset execs, so the pid is node's
      if (setup.how === 'cluster') pinWorkers(child.pid, plan.serverCpus);
      resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} ${setup.key} exited (${code})`)); });
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

/** The server's processes (primary + workers) CPU µs together. */
const serverCpu = (pid) => [pid, ...childrenOf(pid)].reduce((sum, p) => sum + (cpuMicros(p) ?? 0), 0);
/** CPU µs of this runner's waited-for children (wrk, once spawnSync returned). */
const reapedCpu = () => statCpuMicros(fs.readFileSync('/proc/self/stat', 'latin1'), true) - statCpuMicros(fs.readFileSync('/proc/self/stat', 'latin1'), false);

/** One wrk run against `s`: rate, latency, CPU per request of both sides, core use. */
function wrk(s, url, seconds, plan) {
  const [cmd, args] = onCpus(plan.clientCpus, 'wrk', [`-t${plan.wrkThreads}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${s.port}${url}`]);
  const cores0 = readCores();
  const srv0 = serverCpu(s.child.pid);
  const cli0 = reapedCpu();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const wallUs = (performance.now() - t0) * 1000;
  const srvUs = serverCpu(s.child.pid) - srv0;
  const cliUs = reapedCpu() - cli0;
  const cores1 = readCores();
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  const w = parseWrk(r.stdout, seconds);
  if (w.errors + w.timeouts + w.non2xx > 0) throw new Error(`wrk reported errors: ${JSON.stringify(w)}`);
  const requests = w.requests;
  const busy = (cpus) => (cpus.length === 0 ? null : cpus.reduce((a, c) => a + (busyPct(cores0, cores1, String(c)) ?? 0), 0) / cpus.length);
  return {
    rps: w.perSec,
    p50: w.latencyMs.p50,
    p99: w.latencyMs.p99,
    cpuUs: srvUs / requests,
    clientUs: cliUs / requests,
    serverCore: busy(plan.serverCpus),
    clientCore: busy(plan.clientCpus),
    other: otherLoadPct(cores0, cores1, srvUs + cliUs, wallUs),
  };
}

const get = (port, url) => new Promise((resolve, reject) => {
  http.get({ host: '127.0.0.1', port, path: url, agent: false }, (res) => {
    let t = '';
    res.on('data', (d) => { t += d; });
    res.on('end', () => resolve(t));
  }).on('error', reject);
});

const median = (xs) => { const s = xs.filter((x) => x !== null && !Number.isNaN(x)).sort((a, b) => a - b); return s.length === 0 ? null : s[Math.floor(s.length / 2)]; };
const f1 = (x) => (x === null ? '-' : x.toFixed(1));
const pct = (x) => (x === null ? '-' : `${Math.round(x)}%`);
const ratio = (a, b) => (a === null || b === null || !b ? '-' : `${(a / b).toFixed(2)}×`);

async function main() {
  const cores = os.cpus().length;
  const lines = [];
  const say = (l = '') => { lines.push(l); console.log(l); };
  const command = `node bench/src/cluster-bench.js ${argv.join(' ')}`.trim();
  say(`# Cluster bench\n\n- command: \`${command}\`\n- date: ${new Date().toISOString()}\n- machine: ${cores} × ${(os.cpus()[0] || {}).model}, Node ${process.version}, load average at start ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  say(`- load: wrk, ${CONNECTIONS} keep-alive connections, ${ROUNDS} rounds × (1 s warm-up + ${DURATION} s) per route; each round measures every setup and both servers (order alternating); medians over rounds`);
  const all = setups();
  for (const st of all) say(`- ${st.how === 'standalone' ? 'standalone (one process, no cluster)' : `${st.workers} worker(s)`}: ${planFor(st.how === 'standalone' ? 1 : st.workers, PIN).text}`);
  const results = {}; // results[key][kind][route] = [sample…]
  const readPaths = {};
  for (const st of all) results[st.key] = {};
  // Every setup and server once per round (servers alternating, the setups in turn), so that a change of
  // the machine's other load during the run falls on all of them alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const st of all) {
      const plan = planFor(st.how === 'standalone' ? 1 : st.workers, PIN);
      const kinds = round % 2 === 0 ? ['microwebsrv', 'node-http'] : ['node-http', 'microwebsrv'];
      for (const kind of kinds) {
        const s = await startServer(kind, st, plan);
        try {
          for (const [route, url] of Object.entries(ROUTES)) {
            wrk(s, url, 1, plan); // warm-up
            const sample = wrk(s, url, DURATION, plan);
            ((results[st.key][kind] ??= {})[route] ??= []).push(sample);
            console.error(`  ${st.key.padEnd(10)} round ${round + 1} ${LABEL[kind].padEnd(15)} ${route.padEnd(9)} ${Math.round(sample.rps)} req/s, server ${f1(sample.cpuUs)} µs/req, wrk ${f1(sample.clientUs)} µs/req, other load ${pct(sample.other)}`);
          }
          if (kind === 'microwebsrv' && st.how === 'cluster') readPaths[st.key] = await get(s.port, '/readpath');
        } finally {
          await stopServer(s);
        }
      }
    }
  }
  const med = (key, kind, route, f) => median(results[key][kind][route].map((r) => r[f]));
  say('\n| setup | route | pinning | MicroWebSrv-TS req/s | node:http req/s | ratio req/s | MWS server CPU µs/req | node:http server CPU µs/req | CPU/req: node:http ÷ MWS | wrk CPU µs/req (MWS / node) | server cores busy (MWS / node) | p99 ms (MWS / node) | other load |');
  say('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: |');
  for (const st of all) {
    const plan = planFor(st.how === 'standalone' ? 1 : st.workers, PIN);
    const pinText = plan.pinned ? 'pinned' : plan.shared ? '**cores shared**' : 'unpinned';
    for (const route of Object.keys(ROUTES)) {
      const g = (kind, f) => med(st.key, kind, route, f);
      const [m, n] = [g('microwebsrv', 'rps'), g('node-http', 'rps')];
      const [mc, nc] = [g('microwebsrv', 'cpuUs'), g('node-http', 'cpuUs')];
      say(`| ${st.how === 'standalone' ? 'standalone' : `${st.workers} worker(s)`} | ${route} | ${pinText} | ${Math.round(m)} | ${Math.round(n)} | ${ratio(m, n)} | ${f1(mc)} | ${f1(nc)} | ${ratio(nc, mc)} | ${f1(g('microwebsrv', 'clientUs'))} / ${f1(g('node-http', 'clientUs'))} | ${pct(g('microwebsrv', 'serverCore'))} / ${pct(g('node-http', 'serverCore'))} | ${f1(g('microwebsrv', 'p99'))} / ${f1(g('node-http', 'p99'))} | ${pct(Math.max(g('microwebsrv', 'other') ?? 0, g('node-http', 'other') ?? 0))} |`);
    }
  }
  const [one, ...more] = WORKERS;
  for (const w of more) {
    const plan = planFor(w, PIN);
    say(`\n${w} workers ÷ ${one} worker${plan.shared ? ` (cores shared: ${w} workers + wrk on ${cores} cores, so the rate ratio measures the machine; the CPU per request ratio is what scales with cores)` : ''}:`);
    say('');
    say('| route | server | req/s N ÷ 1 | req/s ÷ (N × one worker) (goal ≥ 0.90) | CPU µs/req: 1 worker ÷ N workers |');
    say('| --- | --- | ---: | ---: | ---: |');
    for (const route of Object.keys(ROUTES)) {
      for (const kind of ['microwebsrv', 'node-http']) {
        const r1 = med(String(one), kind, route, 'rps');
        const rn = med(String(w), kind, route, 'rps');
        say(`| ${route} | ${LABEL[kind]} | ${ratio(rn, r1)} | ${(rn / (r1 * (w / one))).toFixed(2)} | ${ratio(med(String(one), kind, route, 'cpuUs'), med(String(w), kind, route, 'cpuUs'))} |`);
      }
    }
  }
  say('\nread path (one worker\'s srv.stats.readPath after its load: zeroCopy = the onread re-wrap on handles the primary passed over IPC):');
  for (const w of WORKERS) say(`- ${w} worker(s): ${readPaths[w]}`);
  if (OUT) {
    const base = path.join(__dirname, '..', 'results', OUT);
    fs.writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
    fs.writeFileSync(`${base}.json`, `${JSON.stringify({ command, date: new Date().toISOString(), cores, node: process.version, results, readPaths }, null, 1)}\n`);
    console.log(`\nresults: bench/results/${OUT}.md, .json`);
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
