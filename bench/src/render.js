#!/usr/bin/env node
'use strict';
// Re-renders results/<name>.md and results/<name>.svg from results/<name>.json, without measuring
// anything: after a change to the report or the chart, or to look at an older run.
//   node bench/src/render.js bench/results/latest.json
const fs = require('node:fs');
const path = require('node:path');
const { writeRendered, RESULTS_DIR } = require('./report');

const file = process.argv[2];
if (!file || file === '-h' || file === '--help') {
  console.log('usage: node bench/src/render.js bench/results/<name>.json   (writes <name>.md and <name>.svg beside it)');
  process.exit(file ? 0 : 2);
}
if (path.resolve(path.dirname(file)) !== RESULTS_DIR) {
  console.error(`render.js writes into ${path.relative(process.cwd(), RESULTS_DIR)}/: give a JSON from there`);
  process.exit(2);
}
const run = JSON.parse(fs.readFileSync(file, 'utf8'));
run.outName = path.basename(file, '.json'); // the files beside the JSON, whatever name the run had
for (const f of writeRendered(run)) console.log(path.relative(process.cwd(), f));
