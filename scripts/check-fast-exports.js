#!/usr/bin/env node
/**
 * Every module of the packages' built code, index files aside, keeps its `exports` object in V8's fast
 * mode (issue 19). TypeScript compiles a re-export (`export { x } from './y'`) to `exports.x = void 0`
 * and later `Object.defineProperty(exports, 'x', { get })`: turning a data property into an accessor
 * makes V8 move the whole object to dictionary mode, and every call through it (`(0, m.f)()`, how
 * the compiled code calls an imported function) then becomes a generic property lookup, even in
 * optimized code. On the response path that was ~700 instructions per request (four lookups through
 * head-builder's exports), measured with bench/src/instr-count.sh. A module imports from the file that
 * defines a name; only the package entry points (index files, read once by their users) re-export.
 *
 * Runs itself again with --allow-natives-syntax (for %HasFastProperties); prints each offender, exits 1.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');

if (process.argv[2] !== '--child') {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', __filename, '--child'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

function* modules(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== '__tests__') yield* modules(p); }
    else if (e.name.endsWith('.js') && e.name !== 'index.js' && !e.name.endsWith('.test.js')) yield p;
  }
}

// %HasFastProperties is V8 natives syntax: only parsed with the flag, so compiled here, in the child.
const hasFast = new Function('o', 'return %HasFastProperties(o)');
const bad = [];
let checked = 0;
for (const pkg of fs.readdirSync(path.join(ROOT, 'packages'))) {
  const dist = path.join(ROOT, 'packages', pkg, 'dist');
  if (!fs.existsSync(dist)) continue;
  for (const file of modules(dist)) {
    const exp = require(file);
    checked++;
    if (exp !== null && typeof exp === 'object' && !hasFast(exp)) bad.push(path.relative(ROOT, file));
  }
}
for (const f of bad) {
  console.error(`check-fast-exports: ${f}: its exports object is in dictionary mode (a re-export?): import from the defining file instead`);
}
if (checked === 0) {
  console.error('check-fast-exports: no built module found (run tsc -b first)');
  process.exit(1);
}
process.exit(bad.length === 0 ? 0 : 1);
