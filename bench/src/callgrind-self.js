'use strict';
// Self instructions per request by function, from a callgrind dump (bench/src/instr-profile.sh): JIT code
// is named through V8's /tmp/perf-<pid>.map (`--perf-basic-prof`), the rest by callgrind's symbols.
// Usage: node callgrind-self.js <callgrind.out> <pid> <requests> [top]
const fs = require('node:fs');

const [file, pid, requests, top] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5] ?? 40)];
if (!file || !pid || !(requests > 0)) {
  console.error('usage: node callgrind-self.js <callgrind.out> <pid> <requests> [top]');
  process.exit(2);
}

// JIT code ranges, sorted by start (the latest entry for an address wins: code can be replaced).
const jit = [];
for (const line of fs.readFileSync(`/tmp/perf-${pid}.map`, 'latin1').split('\n')) {
  const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
  if (m) jit.push([parseInt(m[1], 16), parseInt(m[2], 16), m[3]]);
}
jit.sort((a, b) => a[0] - b[0]);
function jitName(addr) {
  let lo = 0;
  let hi = jit.length - 1;
  let found = -1;
  while (lo <= hi) { const mid = (lo + hi) >> 1; if (jit[mid][0] <= addr) { found = mid; lo = mid + 1; } else hi = mid - 1; }
  return found >= 0 && addr < jit[found][0] + jit[found][1] ? `JIT ${jit[found][2]}` : 'JIT ???';
}

// Callgrind's format: `fn=(id) name` opens a function (the name only at its first use), `cfn=` names a
// callee, a `calls=` line is followed by the call's inclusive cost (not the caller's own), and other
// cost lines are `<line> <Ir>` (positions: line).
const names = new Map();
const self = new Map();
let fn = null;
let afterCalls = false;
for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
  const def = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(line);
  if (def) {
    if (def[2] !== undefined) names.set(def[1], def[2]);
    if (line[0] === 'f') fn = names.get(def[1]);
    continue;
  }
  if (line.startsWith('calls=')) { afterCalls = true; continue; }
  if (!/^[0-9+\-*]/.test(line)) continue;
  if (afterCalls) { afterCalls = false; continue; }
  const parts = line.split(' ');
  if (fn === null || parts.length < 2) continue;
  const name = /^0x[0-9a-f]+$/.test(fn) ? jitName(parseInt(fn, 16)) : fn;
  self.set(name, (self.get(name) ?? 0) + Number(parts[1]));
}
const rows = [...self].sort((a, b) => b[1] - a[1]);
const total = rows.reduce((t, r) => t + r[1], 0);
const share = { jit: 0, builtins: 0, compiler: 0, other: 0 };
for (const [name, ir] of rows) {
  if (name.startsWith('JIT ')) share.jit += ir;
  else if (name.startsWith('Builtins_')) share.builtins += ir;
  else if (/compiler|Zone|Compile|Parser|Scanner|Assembler|maglev|baseline/.test(name)) share.compiler += ir;
  else share.other += ir;
}
const per = (x) => Math.round(x / requests);
console.log(`${per(total)} instructions per request: JIT code ${per(share.jit)}, V8 builtins ${per(share.builtins)}, V8 compilers ${per(share.compiler)}, C++/libuv/libc ${per(share.other)}`);
for (const [name, ir] of rows.slice(0, top)) console.log(`${String(per(ir)).padStart(8)}  ${name.slice(0, 150)}`);
