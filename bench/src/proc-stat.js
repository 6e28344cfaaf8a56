'use strict';
// CPU time of a process (all its threads) from /proc/<pid>/stat: utime + stime, in microseconds.
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

let ticksPerSec = null;
function clockTicks() {
  if (ticksPerSec === null) {
    try { ticksPerSec = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { ticksPerSec = 100; }
  }
  return ticksPerSec;
}

/** CPU µs used so far by `pid` (user + system), or null when /proc is not readable. */
function cpuMicros(pid) {
  try {
    return statCpuMicros(fs.readFileSync(`/proc/${pid}/stat`, 'latin1'), false);
  } catch {
    return null;
  }
}

/** utime + stime (+ cutime + cstime of waited-for children when `children`) of a stat line, in µs. */
function statCpuMicros(stat, children) {
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let ticks = Number(f[11]) + Number(f[12]);
  if (children) ticks += Number(f[13]) + Number(f[14]);
  return (ticks * 1e6) / clockTicks();
}

module.exports = { cpuMicros, statCpuMicros, clockTicks };
