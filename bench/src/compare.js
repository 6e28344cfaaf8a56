'use strict';
// Before / after: a run set against the previous run of the same name (or any saved run, --compare).
// Only the throughput scenarios are compared, server by server, on the three figures that matter for a
// change to the engine: the rate, the server CPU per request (steadier than the rate on a loaded 2-core
// machine) and the V8 heap allocated per request (deterministic). A rate is only comparable between runs
// made on the same machine under the same load: the table says which run is which, and the ratio column
// is after ÷ before (above 1 is faster for the rate, below 1 is cheaper for CPU and heap).
const fs = require('node:fs');
const { fmtInt } = require('./warnings');

const NOT_RATES = new Set(['memory', 'upload', 'fanout']);

const f2 = (v) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(2) : '-');
const int = (v) => (typeof v === 'number' && Number.isFinite(v) ? fmtInt(v) : '-');
const times = (after, before) => (typeof after === 'number' && typeof before === 'number' && before > 0 ? `${(after / before).toFixed(2)}×` : '-');

/** The saved run in `file` (a results/<name>.json), or null when there is none or it cannot be read. */
function readRun(file) {
  try {
    const run = JSON.parse(fs.readFileSync(file, 'utf8'));
    return run && Array.isArray(run.scenarios) ? run : null;
  } catch {
    return null;
  }
}

/**
 * One table per throughput scenario that both runs measured, one row per server both measured (ok).
 * Returns [] when nothing is comparable.
 */
function compareRuns(before, after) {
  const tables = [];
  for (const s of after.scenarios) {
    if (NOT_RATES.has(s.kind)) continue;
    const old = before.scenarios.find((b) => b.name === s.name && b.kind === s.kind);
    if (!old) continue;
    const body = [];
    for (const r of s.rows) {
      const o = old.rows.find((b) => b.id === r.id);
      if (!o || r.status !== 'ok' || o.status !== 'ok') continue;
      const a = r.median;
      const b = o.median;
      body.push([r.label,
        int(b.perSec), int(a.perSec), times(a.perSec, b.perSec),
        f2(b.serverCpuUsPerOp), f2(a.serverCpuUsPerOp), times(a.serverCpuUsPerOp, b.serverCpuUsPerOp),
        int(b.heapBytesPerOp), int(a.heapBytesPerOp), times(a.heapBytesPerOp, b.heapBytesPerOp)]);
    }
    if (body.length === 0) continue;
    const unit = s.kind === 'http' ? 'req' : 'msg';
    tables.push({
      name: s.name,
      head: ['server', `${unit}/s before`, `${unit}/s after`, '×', `CPU µs/${unit} before`, 'after', '×', `heap B/${unit} before`, 'after', '×'],
      body,
    });
  }
  return tables;
}

/** One line that says which two runs a comparison sets side by side. */
function comparisonCaption(before, after) {
  return `before: ${before.date || '?'} (\`${before.command || '?'}\`); after: ${after.date || '?'} (\`${after.command || '?'}\`)`;
}

module.exports = { compareRuns, comparisonCaption, readRun };
