'use strict';
// The results: a text table on stdout, and Markdown + JSON under bench/results/.
const fs = require('node:fs');
const path = require('node:path');
const { fmtInt } = require('./warnings');

const RESULTS_DIR = path.join(__dirname, '..', 'results');

const REFS = {
  http: [['node-http', '×node:http'], ['uws', '×uWS'], ['ceiling', '×ceiling']],
  echo: [['net-echo', '×net echo']],
};

/** Adds `ratios` to each ok row: its median rate over each reference's (when the reference ran). */
function addRatios(kind, rows) {
  for (const r of rows) {
    r.ratios = {};
    if (r.status !== 'ok') continue;
    for (const [ref] of REFS[kind]) {
      const base = rows.find((x) => x.id === ref && x.status === 'ok');
      r.ratios[ref] = base ? r.median.perSec / base.median.perSec : null;
    }
  }
}

const f1 = (v) => (v === null || v === undefined ? '-' : v.toFixed(1));
const f2 = (v) => (v === null || v === undefined ? '-' : v.toFixed(2));
const pct = (v) => (v === null || v === undefined ? '-' : `${v.toFixed(0)}%`);
const ratio = (v) => (v === null || v === undefined ? '-' : `${v.toFixed(2)}×`);

function tableOf(kind, rows) {
  const echo = kind === 'echo';
  const refs = REFS[kind].filter(([ref]) => rows.some((r) => r.id === ref && r.status === 'ok'));
  const head = ['server', echo ? 'msg/s' : 'req/s', echo ? 'p50 µs' : 'p50 ms', echo ? 'p99 µs' : 'p99 ms',
    echo ? 'srv CPU µs/msg' : 'srv CPU µs/req', 'srv core', 'client core', 'other load', echo ? 'heap B/msg' : 'heap B/req', 'errors',
    ...refs.map(([, title]) => title)];
  const body = rows.map((r) => {
    if (r.status !== 'ok') return [r.label, `${r.status}: ${r.reason}`];
    const m = r.median;
    return [r.label, fmtInt(m.perSec), echo ? fmtInt(m.p50) : f2(m.p50), echo ? fmtInt(m.p99) : f2(m.p99),
      f2(m.serverCpuUsPerOp), pct(m.serverCoreBusyPct ?? m.serverCpuPct), pct(m.clientCoreBusyPct ?? m.clientCpuPct), pct(m.otherLoadPct), fmtInt(m.heapBytesPerOp),
      fmtInt(m.errors + m.non2xx), ...refs.map(([ref]) => ratio(r.ratios[ref]))];
  });
  return { head, body };
}

function textTable({ head, body }) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.filter((b) => b.length > 2).map((b) => String(b[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[0]) : String(c).padStart(widths[i]))).join('  ');
  return [line(head), ...body.map((b) => (b.length > 2 ? line(b) : `${String(b[0]).padEnd(widths[0])}  ${b[1]}`))].join('\n');
}

function mdTable({ head, body }) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  const rows = body.map((b) => (b.length > 2 ? b : [b[0], b[1], ...Array(head.length - 2).fill('')]));
  return [`| ${head.map(esc).join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function printScenario(s) {
  const out = [`\n== ${s.name}: ${s.description}`, `   load: ${s.tool}; medians of ${s.rounds} round(s) of ${s.duration} s`,
    textTable(tableOf(s.kind, s.rows))];
  for (const w of s.warnings) out.push(`WARNING: ${w}`);
  console.log(out.join('\n'));
}

function markdown(run) {
  const lines = [`# Benchmark results (${run.outName})`, '',
    `- date: ${run.date}`, `- command: \`${run.command}\``, `- machine: ${run.machine.cpus} × ${run.machine.cpuModel}, Node ${run.machine.node}, ${run.machine.platform}`,
    `- pinning: ${run.pinning}`, `- method: ${run.options.warmup} s warm-up, ${run.options.duration} s measured, ${run.options.rounds} round(s), servers alternating within each round, medians over rounds; a fresh server process per measure`,
    '- columns: latency from the load tool (autocannon: whole ms); srv CPU µs = the server process\'s utime+stime (/proc/<pid>/stat) per request (loopback softirq work is not in it); srv/client core = how busy that pinned core was while measuring (/proc/stat, softirq included; the process\'s own share when unpinned); other load = busy CPU time that is neither ours nor irq/softirq (other processes, steal), in % of one core: above 10% the figures are noisy; heap B = V8 heap bytes allocated in the server per request (GC profiler; off-heap Buffers not counted); ×X = req/s ratio to X', ''];
  for (const s of run.scenarios) {
    lines.push(`## ${s.name}`, '', `${s.description}. Load: **${s.tool}**.`, '', mdTable(tableOf(s.kind, s.rows)), '');
    for (const w of s.warnings) lines.push(`- ⚠ ${w}`);
    if (s.warnings.length) lines.push('');
  }
  return lines.join('\n');
}

function writeResults(run) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const base = path.join(RESULTS_DIR, run.outName);
  const write = (file, text) => { fs.writeFileSync(`${file}.tmp`, text); fs.renameSync(`${file}.tmp`, file); };
  write(`${base}.json`, `${JSON.stringify(run, null, 2)}\n`);
  write(`${base}.md`, `${markdown(run)}\n`);
  return [`${base}.md`, `${base}.json`];
}

module.exports = { addRatios, printScenario, writeResults };
