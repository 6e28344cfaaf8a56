'use strict';
// Prints the closing line CI reads: "N passed, N failed" (jest's own summary is not read by CI).
// Suites that fail to run (a syntax error, a top-level throw) count as failed tests too.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\n${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '') + '\n');
  }
}
module.exports = SummaryReporter;
