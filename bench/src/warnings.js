'use strict';
// Signs that a figure measures something other than the server: the client at its limit, a server that
// was not saturated, errors, no pinning.
// With pinning, the cores' busy share (/proc/stat, softirq included) is the signal; without, the
// processes' own CPU share.
const CLIENT_BUSY_PCT = { core: 95, process: 90 };
const SERVER_BUSY_PCT = { core: 90, process: 85 };
// Busy time on the machine that is neither ours nor irq/softirq, in % of one core.
const OTHER_LOAD_PCT = 10;

function share(m, who) {
  const core = m[`${who}CoreBusyPct`];
  if (core !== null && core !== undefined) return { pct: core, what: 'core', where: `the ${who}'s core was` };
  const proc = m[`${who}CpuPct`];
  return proc === null || proc === undefined ? null : { pct: proc, what: 'process', where: `the ${who} process was` };
}

function warningsFor(scenario, rows, { tool, pinned }) {
  const w = [];
  const ok = rows.filter((r) => r.status === 'ok');
  if (!pinned) w.push('server and client were not pinned to separate cores: they competed for CPU.');
  const ceiling = ok.find((r) => r.name === 'ceiling');
  const others = ok.filter((r) => r.name !== 'ceiling');
  if (ceiling && others.length) {
    const best = others.reduce((a, b) => (b.median.perSec > a.median.perSec ? b : a));
    if (best.median.perSec >= 0.9 * ceiling.median.perSec) {
      w.push(`${best.label} reached ${(100 * best.median.perSec / ceiling.median.perSec).toFixed(0)}% of the ceiling (${fmtInt(best.median.perSec)} vs ${fmtInt(ceiling.median.perSec)}/s): ` +
        `${tool} is probably the limit, not the servers${tool.startsWith('autocannon') ? ' (cross-check with --client wrk)' : ''}.`);
    }
  }
  for (const r of ok) {
    const m = r.median;
    const c = share(m, 'client');
    const s = share(m, 'server');
    if (c && c.pct >= CLIENT_BUSY_PCT[c.what]) {
      w.push(`${r.label}: ${c.where} ${c.pct.toFixed(0)}% busy: ${tool} was at its limit, the server may go faster.`);
    }
    if (s && s.pct < SERVER_BUSY_PCT[s.what]) {
      w.push(`${r.label}: ${s.where} only ${s.pct.toFixed(0)}% busy (not saturated): its rate is a lower bound; its CPU per ${scenario.kind === 'http' ? 'request' : 'message'} still holds.`);
    }
    if (m.otherLoadPct !== null && m.otherLoadPct >= OTHER_LOAD_PCT) {
      w.push(`${r.label}: other processes (or hypervisor steal) took ${m.otherLoadPct.toFixed(0)}% of a core while measuring: noisy figure, re-run on a quiet machine.`);
    }
    const bad = badStatusOf(m);
    if (m.errors > 0 || bad > 0) {
      w.push(`${r.label}: ${fmtInt(m.errors)} errors/timeouts and ${fmtInt(bad)} responses with an unexpected status (median per round; the rate counts the expected status only).`);
    }
  }
  return w;
}

/** Answers with another status than the scenario's (older results: `non2xx`). */
const badStatusOf = (m) => m.badStatus ?? m.non2xx ?? 0;

function fmtInt(n) {
  return n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US');
}

module.exports = { warningsFor, fmtInt, badStatusOf };
