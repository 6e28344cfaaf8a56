'use strict';
// How busy the CPU cores were, from /proc/stat. On loopback much of the TCP work runs as softirq, which
// no process's utime/stime shows: a core can be 100% busy while the process pinned to it shows 75%.
// Core busy share is the saturation signal; busy time that neither our processes nor irq/softirq
// explain is someone else's load (another build or test run, hypervisor steal): noise.
const fs = require('node:fs');
const { clockTicks } = require('./proc-stat');

/** Per CPU index: {busy, irq, total} in µs so far; null when /proc/stat is unreadable. */
function readCores() {
  try {
    const out = {};
    const us = 1e6 / clockTicks();
    for (const line of fs.readFileSync('/proc/stat', 'latin1').split('\n')) {
      const m = /^cpu(\d+) (.*)$/.exec(line);
      if (!m) continue;
      const v = m[2].trim().split(/\s+/).slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
      const total = v.reduce((a, b) => a + b, 0);
      out[m[1]] = { busy: (total - v[3] - v[4]) * us, irq: (v[5] + v[6]) * us, total: total * us };
    }
    return out;
  } catch {
    return null;
  }
}

/** Percentage of the time core `cpu` was busy between two readCores() readings. */
function busyPct(a, b, cpu) {
  if (!a || !b || !a[cpu] || !b[cpu] || b[cpu].total === a[cpu].total) return null;
  return (100 * (b[cpu].busy - a[cpu].busy)) / (b[cpu].total - a[cpu].total);
}

/**
 * Busy time on all cores not explained by irq/softirq nor by `oursUs` (CPU µs of our own processes),
 * as a percentage of one core over `wallUs`.
 */
function otherLoadPct(a, b, oursUs, wallUs) {
  if (!a || !b || oursUs === null || !(wallUs > 0)) return null;
  let busy = 0;
  for (const cpu of Object.keys(b)) {
    if (!a[cpu]) continue;
    busy += (b[cpu].busy - a[cpu].busy) - (b[cpu].irq - a[cpu].irq);
  }
  return Math.max(0, (100 * (busy - oursUs)) / wallUs);
}

module.exports = { readCores, busyPct, otherLoadPct };
