'use strict';
// wrk (C, epoll), when installed: the cross-check that autocannon (one JS thread) is not the limit.
// One wrk thread pinned to the client CPU; pipelining through wrk/pipeline.lua. Run under `sh` so the
// shell's /proc stat (cutime + cstime) gives wrk's exact CPU time once it has been waited for.
const { spawn, execFileSync } = require('node:child_process');
const path = require('node:path');
const { pinned, CLIENT_CPU } = require('./pin');
const { statCpuMicros } = require('./proc-stat');

let version;
/** 'wrk <version>' or null when wrk is not installed. */
function wrkVersion() {
  if (version === undefined) {
    try {
      const out = execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      version = `wrk ${(/wrk (\S+)/.exec(out) || [])[1] || '?'}`;
    } catch (err) {
      const out = String((err && err.stdout) || '');
      version = /^wrk /.test(out) ? `wrk ${(/wrk (\S+)/.exec(out) || [])[1] || '?'}` : null; // wrk -v exits 1
    }
  }
  return version;
}

function toMs(v, unit) {
  return Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 }[unit] ?? NaN);
}

/** Parses wrk's report (with --latency) into the shape of an autocannon result. */
function parseWrk(out, duration) {
  const reqs = /(\d+) requests in ([\d.]+)(\w+)/.exec(out);
  const lat = (p) => { const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(out); return m ? toMs(m[1], m[2]) : null; };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (!reqs) throw new Error(`cannot parse wrk output: ${out.slice(0, 200)}`);
  // wrk 4.1 sometimes prints "99%  0.00us" under pipelining (a percentile below the median): unknown, not 0
  const p50 = lat(50);
  let p99 = lat(99);
  if (p99 !== null && p50 !== null && p99 < p50) p99 = null;
  const secs = reqs[3] === 's' ? Number(reqs[2]) : reqs[3] === 'ms' ? Number(reqs[2]) / 1000 : duration;
  return {
    requests: Number(reqs[1]),
    duration: secs,
    perSec: Number(reqs[1]) / secs,
    latencyMs: { p50, p99 },
    errors: sock ? Number(sock[1]) + Number(sock[2]) + Number(sock[3]) : 0,
    timeouts: sock ? Number(sock[4]) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    resets: 0,
  };
}

/**
 * Runs wrk once; resolves {result, clientCpuUs}. A plain GET goes as wrk sends it; pipelining, another
 * method, a body or headers go through wrk/pipeline.lua (the request as its arguments); `vary` (a header
 * name: every request gets its own value of it) through wrk/vary.lua.
 */
function runWrk({ url, method = 'GET', headers, body, vary, connections, pipelining, duration }, { pin }) {
  const wrkArgs = ['-t1', `-c${connections}`, `-d${Math.max(1, Math.round(duration))}s`, '--latency'];
  const pathname = new URL(url).pathname;
  if (vary !== undefined) {
    if (body !== undefined || (headers && Object.keys(headers).length > 0)) throw new Error('wrk: a varying header goes without a body or other headers (vary.lua)');
    wrkArgs.push('-s', path.join(__dirname, '..', 'wrk', 'vary.lua'), url, '--', String(pipelining), method, pathname, vary);
  } else {
    const scripted = pipelining > 1 || method !== 'GET' || body !== undefined || (headers && Object.keys(headers).length > 0);
    if (scripted) wrkArgs.push('-s', path.join(__dirname, '..', 'wrk', 'pipeline.lua'));
    wrkArgs.push(url);
    if (scripted) {
      wrkArgs.push('--', String(pipelining), method, pathname, body ?? '',
        ...Object.entries(headers || {}).map(([k, v]) => `${k}: ${v}`));
    }
  }
  const script = 'wrk "$@"; st=$?; cat /proc/$$/stat >&2; exit $st';
  const [cmd, args] = pinned(pin, CLIENT_CPU, 'sh', ['-c', script, 'sh', ...wrkArgs]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const t = setTimeout(() => child.kill('SIGKILL'), (duration + 30) * 1000);
    child.on('exit', (code) => {
      clearTimeout(t);
      if (code !== 0) { reject(new Error(`wrk exited ${code}: ${(err || out).trim().slice(0, 300)}`)); return; }
      try {
        const statLine = err.split('\n').find((l) => /^\d+ \(/.test(l));
        resolve({ result: parseWrk(out, duration), clientCpuUs: statLine ? statCpuMicros(statLine, true) : null });
      } catch (e) { reject(e); }
    });
  });
}

module.exports = { runWrk, wrkVersion, parseWrk };
