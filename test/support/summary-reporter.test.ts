import * as path from 'node:path';
import { findChromium } from '../../scripts/chromium-launch';

// scripts/summary-reporter.js: CI reads its last line ("N passed, N failed[, N skipped]"); a test file
// whose tests were all skipped (the browser suite without Chromium) is named on a line before it.
const Reporter = require('../../scripts/summary-reporter.js') as { new(): { onRunComplete(c: unknown, r: unknown): void } };

const ROOT = path.resolve(__dirname, '../..');

const suite = (file: string, n: { pass?: number; fail?: number; pending?: number }) => ({
  testFilePath: path.join(ROOT, file),
  numPassingTests: n.pass ?? 0,
  numFailingTests: n.fail ?? 0,
  numPendingTests: n.pending ?? 0,
  numTodoTests: 0,
});

/** What the reporter writes for a run of these suites. */
function output(suites: ReturnType<typeof suite>[]): string {
  const results = {
    numPassedTests: suites.reduce((a, s) => a + s.numPassingTests, 0),
    numFailedTests: suites.reduce((a, s) => a + s.numFailingTests, 0),
    numPendingTests: suites.reduce((a, s) => a + s.numPendingTests, 0),
    numTodoTests: 0,
    numRuntimeErrorTestSuites: 0,
    testResults: suites,
  };
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
  try { new Reporter().onRunComplete([], results); } finally { process.stdout.write = write; }
  return out;
}

test('a run with nothing skipped: only the closing line, in its format', () => {
  expect(output([suite('test/e2e/demo.test.ts', { pass: 7 }), suite('packages/core/src/x.test.ts', { pass: 2, fail: 1 })])).toBe('\n9 passed, 1 failed\n');
});

test('the browser suite skipped: a line saying why comes before the closing line, which stays last', () => {
  const out = output([suite('test/e2e/demo.test.ts', { pass: 7 }), suite('test/browser/demo.browser.test.ts', { pending: 5 })]);
  const lines = out.trimEnd().split('\n');
  expect(lines[lines.length - 1]).toBe('7 passed, 0 failed, 5 skipped');
  const why = findChromium() ? 'Chromium found, but its tests did not run' : 'Chromium not found (looked at $CHROMIUM_PATH, /usr/bin/chromium, PATH): install it with';
  expect(lines[lines.length - 2].startsWith(`skipped: test/browser (${why}`)).toBe(true);
  expect(lines[lines.length - 2]).toMatch(/\)$/);
  expect(lines.filter((l) => l.startsWith('skipped:'))).toHaveLength(1);
});

test('any other file whose tests were all skipped is named; partly skipped files are not', () => {
  const out = output([suite('test/e2e/a.test.ts', { pending: 2 }), suite('test/e2e/b.test.ts', { pass: 1, pending: 3 })]);
  expect(out).toBe('\nskipped: test/e2e/a.test.ts (all 2 test(s) skipped)\n1 passed, 0 failed, 5 skipped\n');
});
