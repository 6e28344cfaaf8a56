'use strict';
// CPU pinning: the server on CPU 0, the load client on CPU 1 (`taskset -c`), when taskset exists and the
// machine has at least 2 CPUs. Otherwise commands run unpinned and the report says so.
const { execFileSync } = require('node:child_process');
const os = require('node:os');

let tasksetOk = null;
function hasTaskset() {
  if (tasksetOk === null) {
    try { execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }); tasksetOk = true; } catch { tasksetOk = false; }
  }
  return tasksetOk;
}

const SERVER_CPU = 0;
const CLIENT_CPU = 1;

/** [command, args] running `cmd args` pinned to `cpu` when possible and wanted. */
function pinned(enabled, cpu, cmd, args) {
  if (enabled && os.cpus().length >= 2 && hasTaskset()) return ['taskset', ['-c', String(cpu), cmd, ...args]];
  return [cmd, args];
}

function pinningDescription(enabled) {
  if (!enabled) return 'none (--no-pin)';
  if (os.cpus().length < 2) return 'none (fewer than 2 CPUs)';
  if (!hasTaskset()) return 'none (taskset not found)';
  return `taskset: server on CPU ${SERVER_CPU}, client on CPU ${CLIENT_CPU}`;
}

module.exports = { pinned, pinningDescription, hasTaskset, SERVER_CPU, CLIENT_CPU };
