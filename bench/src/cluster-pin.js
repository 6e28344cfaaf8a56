'use strict';
// Where the cluster bench puts its processes. Like run.js (server on CPU 0, client on CPU 1), so that the
// servers' rates compare their cost per request and not how the scheduler shares cores between them and
// the client: with N workers and C cores, when N + 1 <= C each worker gets a CPU of its own (worker i on
// CPU i, all its threads: `taskset -a -p`), the primary the workers' CPUs (it only accepts connections),
// and wrk the remaining CPUs (one thread per CPU). When N + 1 > C the workers and wrk cannot each have
// a core: nothing is pinned and the plan says "cores shared" (the rate then measures the machine).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const { hasTaskset } = require('./pin');

const range = (from, n) => Array.from({ length: n }, (_, i) => from + i);

/**
 * The plan for `workers` workers: { pinned, shared, serverCpus, clientCpus, wrkThreads, text }.
 * `serverCpus[i]` is worker i's CPU (`processes` = 1 for a standalone server: CPU 0). `cores` and
 * `taskset` (is it there) default to this machine's.
 */
function planFor(processes, enabled, cores = os.cpus().length, taskset = enabled && hasTaskset()) {
  if (!enabled) return { pinned: false, shared: false, serverCpus: [], clientCpus: [], wrkThreads: 1, text: 'unpinned (--no-pin)' };
  if (!taskset) return { pinned: false, shared: false, serverCpus: [], clientCpus: [], wrkThreads: 1, text: 'unpinned (taskset not found)' };
  if (processes + 1 > cores) {
    return { pinned: false, shared: true, serverCpus: [], clientCpus: [], wrkThreads: 1,
      text: `cores shared: ${processes} server process(es) + wrk on ${cores} cores, unpinned` };
  }
  const serverCpus = range(0, processes);
  const clientCpus = range(processes, cores - processes);
  return { pinned: true, shared: false, serverCpus, clientCpus, wrkThreads: clientCpus.length,
    text: `server on CPU ${serverCpus.join(',')} (one per worker), wrk on CPU ${clientCpus.join(',')}` };
}

/** [cmd, args] running `cmd args` on `cpus` (or as is when the list is empty). */
function onCpus(cpus, cmd, args) {
  return cpus.length === 0 ? [cmd, args] : ['taskset', ['-c', cpus.join(','), cmd, ...args]];
}

/** Child pids of `pid` (its cluster workers), from /proc. */
function childrenOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Pins worker i (every thread) of the primary `pid` on `cpus[i]`; the primary itself already runs on them all. */
function pinWorkers(pid, cpus) {
  if (cpus.length === 0) return;
  const kids = childrenOf(pid);
  kids.forEach((kid, i) => {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpus[i % cpus.length]), String(kid)], { stdio: 'ignore' });
  });
}

module.exports = { planFor, onCpus, childrenOf, pinWorkers };
