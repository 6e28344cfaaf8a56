'use strict';
// The load client as one long-lived child process pinned to the client CPU (autocannon and the echo
// client are JavaScript: one thread, one core). Commands go over IPC; its CPU time comes from /proc.
const { spawn } = require('node:child_process');
const path = require('node:path');
const { pinned, CLIENT_CPU } = require('./pin');
const { cpuMicros } = require('./proc-stat');

class ClientProcess {
  constructor({ pin }) {
    const worker = path.join(__dirname, 'client-worker.js');
    const [cmd, args] = pinned(pin, CLIENT_CPU, process.execPath, [worker]);
    // The IPC channel (fd 3 + NODE_CHANNEL_FD) survives taskset's exec into node.
    this.child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.next = 1;
    this.pending = new Map();
    this.child.on('message', (m) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error)); else p.resolve(m.result);
    });
    this.child.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`client process exited (${signal || code})`));
      this.pending.clear();
    });
  }

  get pid() { return this.child.pid; }

  cpuMicros() { return cpuMicros(this.child.pid); }

  /** Runs one load (kind 'autocannon' or 'echo'); rejects when it fails or overruns `timeoutMs`. */
  run(kind, opts, timeoutMs) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.pending.delete(id); reject(new Error(`client gave no result within ${timeoutMs} ms`)); }, timeoutMs);
      this.pending.set(id, {
        resolve: (r) => { clearTimeout(t); resolve(r); },
        reject: (e) => { clearTimeout(t); reject(e); },
      });
      this.child.send({ id, kind, opts });
    });
  }

  close() {
    if (this.child.connected) this.child.disconnect();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) { clearTimeout(t); resolve(); return; }
      this.child.once('exit', () => { clearTimeout(t); resolve(); });
    });
  }
}

module.exports = { ClientProcess };
