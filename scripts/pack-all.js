'use strict';
// `pnpm pack:all`: a clean build of the packages, then one tarball each in dist-tarballs/ (git-ignored),
// as npm would publish them (pnpm rewrites the `workspace:` specifiers into versions). Install them in
// another project with `npm i <the printed paths>`; see the README, "Using the packages in your own project".
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dest = path.join(root, 'dist-tarballs');
const packages = ['xasync', 'core', 'mods-websockets', 'mods-template', 'mods-repl', 'mods-sse', 'mods-files', 'bus-redis', 'mods-metrics'];
const shell = process.platform === 'win32'; // pnpm is a .cmd there, which only a shell runs

// tsc -b never deletes outputs whose source moved or went away: build from nothing, so none ships.
for (const name of packages) fs.rmSync(path.join(root, 'packages', name, 'dist'), { recursive: true, force: true });
fs.rmSync(dest, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-b'], { cwd: root, stdio: 'inherit' });
// pnpm is on PATH inside `pnpm pack:all` (npx -y pnpm@… puts it there). Its list of every packed file is
// kept quiet (stdout); errors still reach stderr.
execFileSync('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', dest], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], shell });
for (const f of fs.readdirSync(dest).sort()) console.log(path.relative(process.cwd(), path.join(dest, f)));
