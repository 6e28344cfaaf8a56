'use strict';
// WebSocket echo throughput: @microwebsrv/mods-websockets (on MicroWebSrv) vs a bare `ws` WebSocketServer
// on node:http, in one run, same client (the `ws` client: N connections, each keeping W binary messages in
// flight), 64 B and 16 KiB messages. Prints messages/s for both and the ratio (mws / ws).
// Needs the built dists (`npx tsc -b`). Server on CPU 0, client on CPU 1 when taskset is there.
//
//   node bench/src/ws-echo-bench.js [--conns 50] [--window 8] [--seconds 4] [--warmup 1] [--rounds 2]
const { spawn } = require('node:child_process');
const path = require('node:path');
const { pinned, pinningDescription, CLIENT_CPU } = require('./pin');
const { cpuMicros } = require('./proc-stat');

const ROOT = path.resolve(__dirname, '../..');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

// ---- server side (child process) ----------------------------------------------------------------

async function runServer(kind) {
  process.on('SIGTERM', () => process.exit(0)); // exit normally (lets --cpu-prof write its profile)
  if (kind === 'mws') {
    const { MicroWebSrv } = require(path.join(ROOT, 'packages/core/dist/index.js'));
    const { WebSockets } = require(path.join(ROOT, 'packages/mods-websockets/dist/index.js'));
    const srv = new MicroWebSrv();
    srv.bindAddress = ['127.0.0.1', 0];
    srv.logLevel = 'ERROR';
    srv.bufferSlotsCount = 1024;
    srv.bufferSlotSize = Number(process.env.WS_BENCH_SLOT || 64 * 1024); // Node's net reads 64 KiB at a time
    srv.loadModule(WebSockets, {
      maxRecvMessageLength: 1 << 20,
      onWebSocketAccepted: (_s, ws) => {
        ws.onBinaryMessage = (w, d) => { w.sendBinaryMessage(d); };
        ws.onTextMessage = (w, t) => { w.sendTextMessage(t); };
      },
    });
    await srv.startManaged();
    process.stdout.write(`PORT ${srv.address[1]}\n`);
  } else {
    const http = require('node:http');
    const { WebSocketServer } = require('ws');
    const server = http.createServer((_q, r) => { r.writeHead(404); r.end(); });
    const wss = new WebSocketServer({ server, maxPayload: 1 << 20 });
    wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })));
    server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
  }
}

// ---- client side (this process) -------------------------------------------------------------------

function startServer(kind) {
  const [cmd, args] = pinned(true, 0, process.execPath, [__filename, '--serve', kind]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`${kind}: no port in 10 s`)), 10000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) { clearTimeout(t); resolve({ child, port: Number(m[1]) }); }
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

async function measure(pid, port, size, conns, window, warmupMs, ms) {
  const WebSocket = require('ws');
  const payload = Buffer.alloc(size, 0x61);
  const sockets = await Promise.all(Array.from({ length: conns }, () => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
  let count = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on('message', () => { count++; if (running) ws.send(payload, { binary: true }); });
    for (let i = 0; i < window; i++) ws.send(payload, { binary: true });
  }
  await new Promise((r) => setTimeout(r, warmupMs));
  const c0 = count;
  const cpu0 = cpuMicros(pid);
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, ms));
  const n = count - c0;
  const rate = n / (Number(process.hrtime.bigint() - t0) / 1e9);
  const cpu1 = cpuMicros(pid);
  const usPerMsg = cpu0 !== null && cpu1 !== null && n > 0 ? (cpu1 - cpu0) / n : NaN;
  running = false;
  await Promise.all(sockets.map((ws) => new Promise((r) => { ws.once('close', r); ws.terminate(); })));
  return { rate, usPerMsg };
}

async function main() {
  const conns = arg('conns', 50);
  const window = arg('window', 8);
  const seconds = arg('seconds', 4);
  const warmup = arg('warmup', 1);
  const rounds = arg('rounds', 2);
  // The client runs here: pin this process to the client CPU.
  const [tcmd] = pinned(true, CLIENT_CPU, 'x', []);
  if (tcmd === 'taskset') require('node:child_process').execFileSync('taskset', ['-pc', String(CLIENT_CPU), String(process.pid)], { stdio: 'ignore' });
  console.log(`WebSocket echo: ${conns} connections × ${window} in flight, ${rounds} rounds × (${warmup} s warm-up + ${seconds} s), binary messages`);
  console.log(`pinning: ${pinningDescription(true)}; node ${process.version}`);
  const servers = { mws: await startServer('mws'), ws: await startServer('ws') };
  const rows = [];
  try {
    for (const size of [64, 16 * 1024]) {
      const res = { mws: [], ws: [] };
      for (let r = 0; r < rounds; r++) {
        for (const kind of r % 2 === 0 ? ['mws', 'ws'] : ['ws', 'mws']) {
          res[kind].push(await measure(servers[kind].child.pid, servers[kind].port, size, conns, window, warmup * 1000, seconds * 1000));
        }
      }
      const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
      const mws = med(res.mws.map((x) => x.rate));
      const ws = med(res.ws.map((x) => x.rate));
      const cpuMws = med(res.mws.map((x) => x.usPerMsg));
      const cpuWs = med(res.ws.map((x) => x.usPerMsg));
      rows.push({ size, mws, ws, ratio: mws / ws, cpuMws, cpuWs, samples: res });
    }
  } finally {
    for (const s of Object.values(servers)) s.child.kill();
  }
  // Server CPU per echoed message is independent of the client (which, on 2 CPUs, is often the limit).
  console.log('| message | mods-websockets msg/s | ws on node:http msg/s | ratio | server CPU µs/msg mws | ws | ws/mws |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.size >= 1024 ? `${r.size / 1024} KiB` : `${r.size} B`} | ${Math.round(r.mws)} | ${Math.round(r.ws)} | ${r.ratio.toFixed(2)}× | ${r.cpuMws.toFixed(2)} | ${r.cpuWs.toFixed(2)} | ${(r.cpuWs / r.cpuMws).toFixed(2)}× |`);
  }
  console.log(JSON.stringify(rows.map((r) => ({ size: r.size, samples: r.samples }))));
}

if (process.argv[2] === '--serve') runServer(process.argv[3]).catch((e) => { console.error(e); process.exit(1); });
else main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
