'use strict';
// Render throughput of the template module (packages/mods-template) against Eta called directly.
//
// A page with a 100-row loop, written once in the module's instruction syntax and once as the
// equivalent native Eta template. Two comparisons, each N renders per round, several rounds, medians:
//   compiled — the compiled page function (what a request runs once the page is cached) vs Eta's
//              compiled function: the translation must cost nothing per render (target >= 0.95x);
//   module   — TemplatePages.render(path, vars) (safe path resolution, freshness stat, fresh variables)
//              vs eta.render(name, data) with Eta's own cache (no freshness check, no path checks).
// Uses the built dists: run `npx tsc -b` first.  Usage: node bench/src/template-bench.js [N] [rounds]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const modDir = path.join(__dirname, '..', '..', 'packages', 'mods-template');
const tpl = require(path.join(modDir, 'dist', 'index.js'));
const { Eta } = require(require.resolve('eta', { paths: [modDir] }));
const { MicroWebSrv } = require(require.resolve('@microwebsrv/core', { paths: [modDir] }));

const N = Number(process.argv[2] ?? 20000);
const ROUNDS = Number(process.argv[3] ?? 7);

const OURS = `<table>
{{ for r of rows }}<tr><td>{{ r.id }}</td><td>{{ r.name }}</td><td>{{ r.email }}</td>{{ if r.active }}<td>on</td>{{ else }}<td>off</td>{{ end }}</tr>
{{ end }}</table>
`;
const NATIVE = `<table>
<% for (const r of it.rows) { %><tr><td><%= r.id %></td><td><%= r.name %></td><td><%= r.email %></td><% if (r.active) { %><td>on</td><% } else { %><td>off</td><% } %></tr>
<% } %></table>
`;

const rows = Array.from({ length: 100 }, (_, i) => ({ id: i, name: `User <${i}>`, email: `user${i}@example.com`, active: i % 3 === 0 }));
const data = { rows };

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }

function timeSync(fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn();
  return Number(process.hrtime.bigint() - t0) / N;
}
async function timeAsync(fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / N;
}

async function compare(label, ours, eta, timer) {
  for (let i = 0; i < 2000; i++) { await ours(); await eta(); } // warm-up (JIT)
  const a = [];
  const b = [];
  for (let r = 0; r < ROUNDS; r++) { // alternate so drift hits both sides
    a.push(await timer(ours));
    b.push(await timer(eta));
  }
  const mo = median(a);
  const me = median(b);
  console.log(`${label.padEnd(9)} module ${mo.toFixed(0).padStart(7)} ns/render   eta ${me.toFixed(0).padStart(7)} ns/render   ratio (eta time / module time) ${(me / mo).toFixed(3)}x`);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-tpl-bench-'));
  try {
    fs.writeFileSync(path.join(dir, 'page.jshtml'), OURS);
    fs.writeFileSync(path.join(dir, 'page.eta'), NATIVE);

    // Same output, or the comparison means nothing.
    const oursFn = tpl.compilePage(tpl.createEta(tpl.basicRuntime()), OURS, ['rows']);
    const eta = new Eta({ views: dir, cache: true });
    const nativeFn = eta.compile(NATIVE);
    const nativeRender = () => nativeFn.call(eta, data, {});
    if (oursFn(data) !== nativeRender()) throw new Error('outputs differ:\n' + oursFn(data) + '\n---\n' + nativeRender());

    const srv = new MicroWebSrv();
    srv.rootPath = dir;
    const mod = srv.loadModule(tpl.TemplatePages, {});
    if ((await mod.render('page.jshtml', data)) !== eta.render('./page', data)) throw new Error('module output differs');

    console.log(`node ${process.version}, ${N} renders x ${ROUNDS} rounds, 100-row page (${oursFn(data).length} chars), medians`);
    await compare('compiled', () => oursFn(data), nativeRender, timeSync);
    await compare('module', () => mod.render('page.jshtml', data), () => eta.render('./page', data), timeAsync);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
