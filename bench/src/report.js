'use strict';
// The results: a text table on stdout, and Markdown + JSON + an SVG chart (chart.js) under bench/results/.
const fs = require('node:fs');
const path = require('node:path');
const { fmtInt, badStatusOf } = require('./warnings');
const { svgChart } = require('./chart');
const { uploadTable, UPLOAD_COLUMNS } = require('./upload');
const { FANOUT_REFS } = require('./fanout');
const { compareRuns, comparisonCaption, readRun } = require('./compare');

const RESULTS_DIR = path.join(__dirname, '..', 'results');

const REFS = {
  http: [['node-http', '×node:http'], ['uws', '×uWS'], ['ceiling', '×ceiling']],
  echo: [['net-echo', '×net echo']],
  ws: [['ws-bare', '×ws']],
};
/** The main reference of each kind (the chart's): the first of REFS. */
const CHART_REFS = Object.fromEntries(Object.entries(REFS).map(([kind, refs]) => [kind, refs[0][0]]));

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
const f3 = (v) => (v === null || v === undefined ? '-' : v.toFixed(3));
const f2 = (v) => (v === null || v === undefined ? '-' : v.toFixed(2));
const pct = (v) => (v === null || v === undefined ? '-' : `${v.toFixed(0)}%`);
const ratio = (v) => (v === null || v === undefined ? '-' : `${(Math.abs(v) < 0.005 ? 0 : v).toFixed(2)}×`);

/** The memory scenario's table: one row per (server, N). */
function memoryTable(rows) {
  const hasBase = rows.some((r) => r.name === 'node-http' && r.status === 'ok');
  const hasBare = rows.some((r) => r.name === 'net-echo' && r.status === 'ok');
  const head = ['server', 'N', 'RSS MB', 'heap MB', 'ext MB', 'RSS B/conn', 'idle B/conn', 'heap B/conn', 'ext B/conn', 'slot memory',
    ...(hasBase ? ['idle ×node:http', 'heap ×node:http'] : []), ...(hasBare ? ['idle ×bare socket'] : [])];
  const body = rows.map((r) => {
    const n = fmtInt(r.n);
    if (r.status !== 'ok') return [`${r.label} (N=${n})`, `${r.status}: ${r.reason}`];
    const m = r.median;
    const slots = m.slotCount ? `${f1(m.slotMemoryMB)} MB (${fmtInt(m.slotCount)} × ${fmtInt(m.slotSize)} B${m.prefaulted ? ', resident' : ''})` : '-';
    return [r.label, n, `${f1(m.rssBeforeMB)} → ${f1(m.rssMB)} → ${f1(m.rssSettledMB)}`, `${f1(m.heapBeforeMB)} → ${f1(m.heapMB)}`, `${f1(m.extBeforeMB)} → ${f1(m.extMB)}`,
      fmtInt(m.rssPerConn), fmtInt(m.idlePerConn), fmtInt(m.heapPerConn), fmtInt(m.extPerConn), slots,
      ...(hasBase ? [ratio(r.ratios.idlePerConn), ratio(r.ratios.heapPerConn)] : []),
      // On a prefault row: issue 19's ratio (idle beyond the slot memory ÷ a bare node:net socket's idle).
      ...(hasBare ? [`${ratio(r.ratios.idleNet)}${m.prefaulted && r.ratios.idleNet !== null ? ' (beyond slots)' : ''}`] : [])];
  });
  return { head, body };
}

/** The fan-out scenario's table: one row per (N, size, server). */
function fanoutTable(rows) {
  const head = ['N', 'size', 'server', 'msg/s', 'latency p50 / p99 ms', 'srv CPU µs/msg', 'client CPU µs/msg', 'srv core', 'client core', 'other load', 'RSS MB first / peak / last', 'lost',
    '×uWS', '×ws loop', '×better-sse'];
  const refIds = [...FANOUT_REFS.ws, ...FANOUT_REFS.sse].map(([id]) => id);
  const body = rows.map((r) => {
    const where = [fmtInt(r.n), `${fmtInt(r.size)} B`, r.label];
    if (r.status !== 'ok') return [where.join(' '), `${r.status}: ${r.reason}`];
    const m = r.median;
    return [...where, fmtInt(m.perSec), m.latP50Ms == null ? '–' : `${f1(m.latP50Ms)} / ${f1(m.latP99Ms)}`, f3(m.serverCpuUsPerMsg), f3(m.clientCpuUsPerMsg), pct(m.serverCoreBusyPct ?? m.serverCpuPct), pct(m.clientCoreBusyPct ?? m.clientCpuPct),
      pct(m.otherLoadPct), `${f1(m.rssFirstMB)} / ${f1(m.rssPeakMB)} / ${f1(m.rssLastMB)}`, fmtInt(m.lost), ...refIds.map((id) => (id in r.ratios ? ratio(r.ratios[id]) : ''))];
  });
  return { head, body };
}

function tableOf(kind, rows) {
  if (kind === 'memory') return memoryTable(rows);
  if (kind === 'upload') return uploadTable(rows);
  if (kind === 'fanout') return fanoutTable(rows);
  const msg = kind !== 'http'; // echo, ws: messages, latency in µs from our own clients
  const refs = REFS[kind].filter(([ref]) => rows.some((r) => r.id === ref && r.status === 'ok'));
  const head = ['server', msg ? 'msg/s' : 'req/s', msg ? 'p50 µs' : 'p50 ms', msg ? 'p99 µs' : 'p99 ms',
    msg ? 'srv CPU µs/msg' : 'srv CPU µs/req', 'srv core', 'client core', 'other load', msg ? 'heap B/msg' : 'heap B/req', 'errors',
    ...refs.map(([, title]) => title)];
  const body = rows.map((r) => {
    if (r.status !== 'ok') return [r.label, `${r.status}: ${r.reason}`];
    const m = r.median;
    return [r.label, fmtInt(m.perSec), msg ? fmtInt(m.p50) : f2(m.p50), msg ? fmtInt(m.p99) : f2(m.p99),
      f2(m.serverCpuUsPerOp), pct(m.serverCoreBusyPct ?? m.serverCpuPct), pct(m.clientCoreBusyPct ?? m.clientCpuPct), pct(m.otherLoadPct), fmtInt(m.heapBytesPerOp),
      fmtInt(m.errors + badStatusOf(m)), ...refs.map(([ref]) => ratio(r.ratios[ref]))];
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

const MEMORY_COLUMNS = 'all in the server process after full GCs. RSS MB = resident set before → right after opening the N connections → ' +
  'settled (V8\'s young generation shrunk back to its idle size, a few s later); heap / ext MB = V8 heap used and external memory (Buffers, ' +
  'ArrayBuffers) before → settled; RSS B/conn = (right after − before) / N, which includes the young generation the burst of accepts grew ' +
  '(transient); **idle B/conn** = settled anonymous RSS (RssAnon) growth / N: what an idle connection keeps (file-backed RSS, the node ' +
  'binary\'s code paged in once, left out); heap / ext B/conn = settled growth / N; slot memory = MicroWebSrv-TS\'s bufferSlotsCount × ' +
  'bufferSlotSize, allocated at start (keepAllocBufferSlots), so in "before" for ext, but in RSS only once its pages are touched: on first use ' +
  'as shipped (≈ one 4 KiB page per connection), at start with prefault, where idle B/conn is then the cost beyond the slot memory; ' +
  'idle ×bare socket = idle B/conn ÷ node:net echo\'s (a bare socket) at the same N: on a prefault row "(beyond slots)", the ratio of issue ' +
  '19\'s goal (≤ 1.00×: an idle keep-alive connection costs no more than a bare socket beyond the preset\'s slot memory). Kernel socket ' +
  'buffers are not in any of these';

function printScenario(s) {
  const out = [`\n== ${s.name}: ${s.description}`,
    s.kind === 'memory' || s.kind === 'upload' || s.kind === 'fanout' ? `   client: ${s.tool}; ${s.fdNote}; medians of ${s.rounds} round(s)${s.kind === 'fanout' ? ` of ${s.duration} s` : ''}` : `   load: ${s.tool}; medians of ${s.rounds} round(s) of ${s.duration} s`,
    textTable(tableOf(s.kind, s.rows))];
  for (const c of s.comparisons || []) out.push(`* ${c}`);
  for (const w of s.warnings) out.push(`WARNING: ${w}`);
  console.log(out.join('\n'));
}

function markdown(run, chartFile) {
  const lines = [`# Benchmark results (${run.outName})`, '',
    `- date: ${run.date}`, `- command: \`${run.command}\``, `- machine: ${run.machine.cpus} × ${run.machine.cpuModel}, Node ${run.machine.node}, ${run.machine.platform}`,
    `- pinning: ${run.pinning}`];
  if (chartFile) lines.splice(2, 0, `![Throughput of each server relative to the reference, per scenario](${chartFile})`, '');
  if (run.scenarios.some((s) => s.kind === 'fanout')) {
    lines.push(`- fan-out method: a fresh server process per server, N and size; N subscribers in one client process; ${run.options.warmup} s warm-up then bursts of publishes for ${run.options.duration} s; msg/s = messages the subscribers counted / the bursts' time; CPU µs per delivered message from /proc for the server and the subscribers' process; the server's RSS read every second (first / peak / last); lost = published × N − delivered; ×X = msg/s ratio to X at the same N and size; see bench/README.md, "Fan-out"`);
  }
  if (run.scenarios.some((s) => s.kind !== 'memory' && s.kind !== 'upload' && s.kind !== 'fanout')) {
    lines.push(`- method: ${run.options.warmup} s warm-up, ${run.options.duration} s measured, ${run.options.rounds} round(s), servers alternating within each round, medians over rounds; a fresh server process per measure`,
      '- columns: latency from the load tool (autocannon: whole ms; echo and ws-echo: our own clients, µs); srv CPU µs = the server process\'s utime+stime (/proc/<pid>/stat) per request (loopback softirq work is not in it); srv/client core = how busy that pinned core was while measuring (/proc/stat, softirq included; the process\'s own share when unpinned); other load = busy CPU time that is neither ours nor irq/softirq (other processes, steal), in % of one core: above 10% the figures are noisy; heap B = V8 heap bytes allocated in the server per request (GC profiler; off-heap Buffers not counted); errors = errors and timeouts + answers with another status than the scenario expects; ×X = req/s ratio to X');
  }
  if (run.scenarios.some((s) => s.kind === 'memory')) {
    lines.push('- memory method: a fresh server process (node --expose-gc) per server and N; snapshots in the server after full GCs: before, right after opening N idle keep-alive connections, and settled (V8\'s young generation shrunk back); see bench/README.md, "Memory scenario"');
  }
  lines.push('');
  if (run.comparison) {
    lines.push('## Before / after', '', `${run.comparison.caption}. × = after ÷ before: above 1 is faster for the rate, below 1 is cheaper for CPU and heap. Rates compare only between runs on the same machine under the same load; heap per request is deterministic.`, '');
    for (const t of run.comparison.tables) lines.push(`### ${t.name}`, '', mdTable(t), '');
  }
  for (const s of run.scenarios) {
    if (s.kind === 'fanout') {
      lines.push(`## ${s.name}`, '', `${s.description}. Subscribers: **${s.tool}**; ${s.fdNote}; medians of ${s.rounds} round(s) of ${s.duration} s.`, '', mdTable(tableOf(s.kind, s.rows)), '');
    } else if (s.kind === 'memory' || s.kind === 'upload') {
      lines.push(`## ${s.name}`, '', `${s.description}. Client: **${s.tool}**; ${s.fdNote}; medians of ${s.rounds} round(s).`, '',
        mdTable(tableOf(s.kind, s.rows)), '', `Columns: ${s.kind === 'memory' ? MEMORY_COLUMNS : UPLOAD_COLUMNS}.`, '');
      for (const c of s.comparisons || []) lines.push(`- ${c}`);
      if ((s.comparisons || []).length) lines.push('');
    } else {
      lines.push(`## ${s.name}`, '', `${s.description}. Load: **${s.tool}**.`, '', mdTable(tableOf(s.kind, s.rows)), '');
    }
    for (const w of s.warnings) lines.push(`- ⚠ ${w}`);
    if (s.warnings.length) lines.push('');
  }
  return lines.join('\n');
}

const write = (file, text) => { fs.writeFileSync(`${file}.tmp`, text); fs.renameSync(`${file}.tmp`, file); };

/**
 * Writes results/<out>.json, .md and .svg. The run of the same name it replaces is kept as
 * <out>.previous.json, and the before/after table against it (or against `--compare <file>`) goes into
 * the run as `comparison`, so the Markdown shows it and render.js redraws it.
 */
function writeResults(run) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const json = path.join(RESULTS_DIR, `${run.outName}.json`);
  const files = [];
  const againstFile = run.options && run.options.compare ? path.resolve(run.options.compare) : json;
  const before = readRun(againstFile);
  if (before && againstFile === json) {
    const kept = path.join(RESULTS_DIR, `${run.outName}.previous.json`);
    write(kept, fs.readFileSync(json, 'utf8'));
    files.push(kept);
  }
  if (before) {
    const tables = compareRuns(before, run);
    if (tables.length) run.comparison = { caption: comparisonCaption(before, run), tables };
  }
  write(json, `${JSON.stringify(run, null, 2)}\n`);
  return [...writeRendered(run), json, ...files];
}

/** The before/after tables of `run` on stdout (nothing when it has none). */
function printComparison(run) {
  if (!run.comparison) return;
  const out = [`\n== before / after: ${run.comparison.caption}`];
  for (const t of run.comparison.tables) out.push(`-- ${t.name}`, textTable(t));
  console.log(out.join('\n'));
}

/** The Markdown and the chart of `run` (also from a saved JSON: render.js). Returns the files written. */
function writeRendered(run) {
  const base = path.join(RESULTS_DIR, run.outName);
  const svg = svgChart(run, CHART_REFS);
  if (svg) write(`${base}.svg`, svg);
  write(`${base}.md`, `${markdown(run, svg ? `${run.outName}.svg` : null)}\n`);
  return svg ? [`${base}.md`, `${base}.svg`] : [`${base}.md`];
}

module.exports = { addRatios, printScenario, printComparison, writeResults, writeRendered, tableOf, RESULTS_DIR };
