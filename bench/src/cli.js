'use strict';
// Command-line options of run.js.
const { SCENARIOS } = require('./scenarios');

const USAGE = `usage: node bench/src/run.js [options]   (or: pnpm bench -- [options])
  --scenario <name>    ${Object.keys(SCENARIOS).join(' | ')} (repeatable; default: all)
  --smoke              short check: 1 s rounds, 0.5 s warm-up, 1 round (results go to results/smoke.*, git-ignored)
  --duration <s>       measured seconds per round (default 5)
  --warmup <s>         warm-up seconds before each measure (default 1)
  --rounds <n>         rounds; servers alternate within each round, medians over rounds (default 3; memory: 1)
  --connections <n>    client connections (default 50)
  --pipelining <n>     requests in flight per connection in the pipelined scenarios (default 16)
  --ws-size <bytes>    WebSocket message size in the ws-echo scenario (default 64)
  --ws-window <n>      WebSocket messages in flight per connection in the ws-echo scenario (default 8)
  --idle-conns a,b     idle connections per server in the memory scenario (default 1000,10000; --smoke: 200)
  --upload-mib <n>     MiB per upload in the upload scenario (default 256; --smoke: 32)
  --fanout-subs a,b    subscribers in the fanout scenario (default 1000,10000; --smoke: 200)
  --fanout-sizes a,b   message sizes in bytes in the fanout scenario (default 64,4096)
  --fanout-burst <n>   deliveries per burst of publishes in the fanout scenario (default 200000; --smoke: 20000)
  --servers a,b,c      servers to run instead of the scenario's list (name, name@variant, microwebsrv@normal+prefault)
  --client <tool>      HTTP load tool: autocannon (default) | wrk (if installed)
  --workers <n>        autocannon worker threads (default 0: one thread; the client has one core)
  --out <name>         write results/<name>.md, .json and .svg (default: latest[-<scenarios>][-wrk], smoke with --smoke)
  --compare <file>     the run to print the before/after table against (default: the previous results/<out>.json,
                       kept as results/<out>.previous.json)
  --no-pin             do not pin server and client to separate cores
  -h, --help`;

function parseArgs(argv) {
  const o = {
    scenarios: [], smoke: false, duration: 5, warmup: 1, rounds: 3, connections: 50, pipelining: 16, wsSize: 64, wsWindow: 8, idleConns: [1000, 10000], uploadMiB: 256,
    fanoutSubs: [1000, 10000], fanoutSizes: [64, 4096], fanoutBurst: 200000,
    servers: null, client: 'autocannon', workers: 0, out: null, pin: true, set: new Set(),
  };
  const num = (name, v, min) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) throw new Error(`${name} needs a number >= ${min}, got ${v}`);
    return n;
  };
  const list = (name, v, min) => {
    const l = String(v || '').split(',').filter((x) => x.trim()).map((x) => Math.floor(num(name, x.trim(), min)));
    if (!l.length) throw new Error(`${name} needs a comma-separated list of numbers`);
    return l;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--': break;
      case '--scenario': {
        const s = val();
        if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}: ${Object.keys(SCENARIOS).join(', ')}`);
        o.scenarios.push(s);
        break;
      }
      case '--smoke': o.smoke = true; break;
      case '--duration': o.duration = num(flag, val(), 0.5); o.set.add('duration'); break;
      case '--warmup': o.warmup = num(flag, val(), 0); o.set.add('warmup'); break;
      case '--rounds': o.rounds = Math.floor(num(flag, val(), 1)); o.set.add('rounds'); break;
      case '--connections': o.connections = Math.floor(num(flag, val(), 1)); break;
      case '--pipelining': o.pipelining = Math.floor(num(flag, val(), 1)); break;
      case '--ws-size': o.wsSize = Math.floor(num(flag, val(), 1)); break;
      case '--ws-window': o.wsWindow = Math.floor(num(flag, val(), 1)); break;
      case '--idle-conns': o.idleConns = String(val() || '').split(',').filter((x) => x.trim()).map((x) => Math.floor(num(flag, x.trim(), 1))); if (!o.idleConns.length) throw new Error('--idle-conns needs counts, e.g. 1000,10000'); o.set.add('idleConns'); break;
      case '--upload-mib': o.uploadMiB = Math.floor(num(flag, val(), 1)); o.set.add('uploadMiB'); break;
      case '--fanout-subs': o.fanoutSubs = list(flag, val(), 1); o.set.add('fanoutSubs'); break;
      case '--fanout-sizes': o.fanoutSizes = list(flag, val(), 1); break;
      case '--fanout-burst': o.fanoutBurst = Math.floor(num(flag, val(), 1)); o.set.add('fanoutBurst'); break;
      case '--servers': o.servers = String(val() || '').split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--client': o.client = val(); if (!['autocannon', 'wrk'].includes(o.client)) throw new Error(`--client autocannon|wrk, got ${o.client}`); break;
      case '--workers': o.workers = Math.floor(num(flag, val(), 0)); break;
      case '--out': o.out = val(); if (!/^[\w.-]+$/.test(o.out || '')) throw new Error('--out takes a plain file name'); break;
      case '--compare': o.compare = val(); if (!o.compare) throw new Error('--compare takes the path of a results JSON'); break;
      case '--no-pin': o.pin = false; break;
      case '-h': case '--help': o.help = true; break;
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (o.smoke) {
    if (!o.set.has('duration')) o.duration = 1;
    if (!o.set.has('warmup')) o.warmup = 0.5;
    if (!o.set.has('rounds')) o.rounds = 1;
    if (!o.set.has('idleConns')) o.idleConns = [200];
    if (!o.set.has('uploadMiB')) o.uploadMiB = 32;
    if (!o.set.has('fanoutSubs')) o.fanoutSubs = [200];
    if (!o.set.has('fanoutBurst')) o.fanoutBurst = 20000;
  }
  // the memory scenario waits ~6 s per sample for V8 to settle and its figures barely move between rounds
  o.memoryRounds = o.set.has('rounds') ? o.rounds : 1;
  // fanout: 2 sizes × 2 counts × 5 servers; one round unless asked (each sample opens up to 10,000 subscribers)
  o.fanoutRounds = o.set.has('rounds') ? o.rounds : 1;
  const all = o.scenarios.length === 0;
  if (all) o.scenarios = Object.keys(SCENARIOS);
  // a partial run does not overwrite the full one: latest-echo, latest-plaintext-pipelined-wrk, ...
  if (!o.out) o.out = o.smoke ? 'smoke' : ['latest', ...(all ? [] : o.scenarios), ...(o.client === 'wrk' ? ['wrk'] : [])].join('-');
  delete o.set;
  return o;
}

module.exports = { parseArgs, USAGE };
