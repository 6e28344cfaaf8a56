'use strict';
// Prints the closing line CI reads: "N passed, N failed" (jest's own summary is not read by CI). It stays
// the last line, in that format. Suites that fail to run (a syntax error, a top-level throw) count as
// failed tests too. Before it, one line per test file whose tests were all skipped, saying why when we
// know (the browser suite without a Chromium), so a green run never hides a suite that tested nothing.
const path = require('node:path');
const { findChromium, INSTALL_HINT } = require('./chromium-launch');

const ROOT = path.resolve(__dirname, '..');

/** Why the browser suite was skipped (test/browser decides the same way, through test/support/chromium.ts). */
function browserSkipReason() {
  try {
    if (findChromium()) return 'Chromium found, but its tests did not run';
  } catch (err) {
    return err.message;
  }
  return `Chromium not found (looked at $CHROMIUM_PATH, /usr/bin/chromium, PATH): ${INSTALL_HINT}`;
}

/** `skipped: <file> (<why>)` for every test file that ran no test but skipped some. */
function skippedSuiteLines(results) {
  const lines = [];
  for (const r of results.testResults ?? []) {
    const skipped = r.numPendingTests + r.numTodoTests;
    if (skipped === 0 || r.numPassingTests > 0 || r.numFailingTests > 0 || r.testExecError) continue;
    const rel = path.relative(ROOT, r.testFilePath).split(path.sep).join('/');
    const why = rel.startsWith('test/browser/') ? browserSkipReason() : `all ${skipped} test(s) skipped`;
    lines.push(`skipped: ${path.posix.dirname(rel) === 'test/browser' ? 'test/browser' : rel} (${why})`);
  }
  return lines;
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const notes = [...new Set(skippedSuiteLines(results))];
    process.stdout.write('\n' + notes.map((l) => l + '\n').join('')
      + `${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '') + '\n');
  }
}
module.exports = SummaryReporter;
module.exports.skippedSuiteLines = skippedSuiteLines;
