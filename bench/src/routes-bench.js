'use strict';
// Route lookup cost against the number of routes: RouteTable.find with 10 and with 1,000 routes (static
// and parametrised), ns/op and the ratio. A MicroWebSrv2-style linear regex scan runs alongside as the
// reference for what "grows linearly" looks like. Needs the built core: `pnpm build` (tsc -b) first.
//
//   node bench/src/routes-bench.js [--ops 1000000] [--rounds 5] [--sizes 10,1000] [--linear 0]
//
// Each figure is the median of the rounds; lookups rotate over 64 request paths spread across all the
// routes (not one hot key), with the same request set for every table size.

function loadRouteTable() {
  try {
    const core = require('@microwebsrv/core');
    if (typeof core.RouteTable === 'function') return core.RouteTable;
  } catch { /* not built or not wired: use the file directly */ }
  return require('../../packages/core/dist/routes/route-table.js').RouteTable;
}

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
}

const OPS = Number(arg('ops', 1_000_000));
const ROUNDS = Number(arg('rounds', 5));
const SIZES = String(arg('sizes', '10,1000')).split(',').map(Number);
const WITH_LINEAR = arg('linear', '1') !== '0'; // the reference is slow with 10,000 routes
const RouteTable = loadRouteTable();

const PATTERNS = {
  static: (i) => `/static/r${i}/page`,
  param: (i) => `/api/r${i}/<id>/items/<n:int>`,
};
const REQUESTS = {
  static: (i) => `/static/r${i}/page`,
  param: (i) => `/api/r${i}/user-${i}/items/${i * 7}`,
  'param %': (i) => `/api/r${i}/a%2Fb%20${i}/items/${i}`,
  miss: (i) => `/api/r${i}/x/nope/${i}`,
};

/** MicroWebSrv2's own lookup: one regex per route, tried in order (the linear reference). */
class LinearTable {
  constructor() { this.routes = []; }
  add(handler, method, pattern) {
    const names = [];
    const re = new RegExp('^' + pattern.replace(/<([^>:]+)(?::[a-z]+)?>/g, (_m, n) => { names.push(n); return '([^/]+)'; }) + '$');
    this.routes.push({ handler, method, re, names });
  }
  find(method, rawPath) {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.re.exec(rawPath);
      if (m === null) continue;
      const args = {};
      for (let k = 0; k < r.names.length; k++) args[r.names[k]] = decodeURIComponent(m[k + 1]);
      return { handler: r.handler, args };
    }
    return null;
  }
}

function build(Table, n) {
  const t = new Table();
  for (let i = 0; i < n; i++) {
    t.add(() => i, 'GET', PATTERNS.static(i));
    t.add(() => i, 'GET', PATTERNS.param(i));
  }
  return t;
}

/** 64 request paths spread evenly over the n routes of each kind. */
function requests(kind, n) {
  const out = [];
  for (let k = 0; k < 64; k++) out.push(REQUESTS[kind](Math.floor((k * n) / 64) % n));
  return out;
}

let sink = 0; // keeps the results alive so the lookups cannot be optimised away

function nsPerOp(table, paths, ops) {
  const mask = paths.length - 1;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    const m = table.find('GET', paths[i & mask]);
    if (m !== null) sink += 1;
  }
  return Number(process.hrtime.bigint() - t0) / ops;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function measure(Table, kind, n, ops) {
  const table = build(Table, n);
  const paths = requests(kind, n);
  const expectHit = kind !== 'miss';
  for (const p of paths) {
    if ((table.find('GET', p) !== null) !== expectHit) throw new Error(`${kind} ${p}: unexpected ${expectHit ? 'miss' : 'hit'}`);
  }
  nsPerOp(table, paths, Math.min(ops, 200_000)); // warm-up: let the JIT settle
  const runs = [];
  for (let r = 0; r < ROUNDS; r++) runs.push(nsPerOp(table, paths, ops));
  return median(runs);
}

function main() {
  const [lo, hi] = [SIZES[0], SIZES[SIZES.length - 1]];
  console.log(`routes-bench: node ${process.version}, ${OPS} lookups × ${ROUNDS} rounds (median), sizes ${SIZES.join(', ')} routes per kind`);
  const rows = [];
  const tables = [['RouteTable', RouteTable, OPS]];
  if (WITH_LINEAR) tables.push(['linear (MWS2-style)', LinearTable, Math.max(10_000, OPS / 20)]);
  for (const [label, Table, ops] of tables) {
    for (const kind of Object.keys(REQUESTS)) {
      const ns = SIZES.map((n) => measure(Table, kind, n, ops));
      rows.push({ table: label, kind, ns, ratio: ns[ns.length - 1] / ns[0] });
    }
  }
  const head = ['table', 'request', ...SIZES.map((n) => `ns/op @${n}`), `ratio ${hi}/${lo}`];
  const body = rows.map((r) => [r.table, r.kind, ...r.ns.map((x) => x.toFixed(1)), `${r.ratio.toFixed(2)}×`]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells) => cells.map((x, c) => (c < 2 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
  if (sink === -1) console.log(sink);
}

main();
