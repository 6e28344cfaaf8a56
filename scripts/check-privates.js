#!/usr/bin/env node
/**
 * The second half of the layering check (the first is dependency-cruiser, .dependency-cruiser.cjs): no
 * source file reads another object's `_underscore` member. Inside a class `this._x` is its own business;
 * `other._x` couples two files through a private. Node's own private API, feature-detected where it is
 * used, is listed below with the reason. Prints each offence and exits 1.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** file (relative) → members of Node's private API it may read. */
const ALLOWED = {
  // onread re-wrap of accepted sockets (DESIGN.md: private API, feature-detected, with a fallback).
  'packages/xasync/src/onread-rewrap.ts': ['_handle', '_server'],
  // An accepted connection's handle driven without a net.Socket, and the handle under a net.Socket for
  // writes past Node's Writable (issue 19: no net.Socket per idle connection, no heap per write),
  // feature-detected, with a fallback.
  'packages/xasync/src/handle-socket.ts': ['_handle'],
  'packages/xasync/src/conn-socket.ts': ['_handle'],
};

function* sources(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== '__tests__' && e.name !== 'node_modules' && e.name !== 'dist') yield* sources(p); }
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

const offences = [];
for (const pkg of fs.readdirSync(path.join(ROOT, 'packages'))) {
  const src = path.join(ROOT, 'packages', pkg, 'src');
  if (!fs.existsSync(src)) continue;
  for (const file of sources(src)) {
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    // Members declared in this file: a class reading its own privates on another instance (t._next of a
    // linked table, a module-level callback of the class) stays inside one file, which is the point.
    const own = new Set([...text.matchAll(/^\s*(?:\/\*\*.*?\*\/\s*)?(?:(?:private|protected|public|readonly|static|override)\s+)*(_[A-Za-z]\w*)\s*[(:=!?]/gm)].map((m) => m[1]));
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '').replace(/'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"/g, "''");
      if (/^\s*(\*|\/\*)/.test(code)) return; // JSDoc and block comments
      for (const m of code.matchAll(/([\w$\])]+)(\?)?\.(_[A-Za-z]\w*)/g)) {
        if (m[1] === 'this' || own.has(m[3])) continue;
        if ((ALLOWED[rel] ?? []).includes(m[3])) continue;
        offences.push(`${rel}:${i + 1}: reads ${m[1]}.${m[3]} (another object's private member: give the two files a named interface)`);
      }
    });
  }
}
if (offences.length > 0) {
  console.error(offences.join('\n'));
  console.error(`check-privates: ${offences.length} read(s) of another object's _private member`);
  process.exit(1);
}
console.log('check-privates: no file reads another object\'s _private member');
