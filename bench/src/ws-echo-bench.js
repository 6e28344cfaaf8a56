'use strict';
// WebSocket echo at two message sizes: a thin wrapper over run.js's ws-echo scenario (MicroWebSrv-TS's
// WebSockets module vs a bare `ws` server; servers/microwebsrv-ws.js and servers/ws-bare.js, client
// src/ws-echo-client.js), run once with 64 B and once with 16 KiB messages. Its tables and results are
// run.js's: results/latest-ws-echo-64B.* and results/latest-ws-echo-16KiB.*.
// Needs the built dists (`npx tsc -b`).
//
//   node bench/src/ws-echo-bench.js [--conns 50] [--window 8] [--seconds 4] [--warmup 1] [--rounds 2] [--smoke]
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const smoke = process.argv.includes('--smoke');
function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
/** `--flag value` when given, else its default (none with --smoke: run.js's smoke durations apply). */
const opt = (flag, name, def) => {
  const v = arg(name, smoke ? undefined : def);
  return v === undefined ? [] : [flag, v];
};

const common = [
  '--scenario', 'ws-echo', '--connections', arg('conns', '50'), '--ws-window', arg('window', '8'),
  ...opt('--duration', 'seconds', '4'), ...opt('--warmup', 'warmup', '1'), ...opt('--rounds', 'rounds', '2'),
  ...(smoke ? ['--smoke'] : []),
];
for (const [size, name] of [[64, '64B'], [16 * 1024, '16KiB']]) {
  const out = smoke ? `smoke-ws-echo-${name}` : `latest-ws-echo-${name}`;
  const r = spawnSync(process.execPath, [path.join(__dirname, 'run.js'), ...common, '--ws-size', String(size), '--out', out], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
