'use strict';
// Where Debian's Chromium is and how to launch it headless, shared by the browser tests
// (test/support/chromium.ts) and `pnpm screenshots` (scripts/screenshots.js), so both start the same
// browser the same way. We drive the system Chromium with playwright-core rather than a downloaded
// Playwright build: no browser download, and the machine may have no network at all.
const fs = require('node:fs');
const path = require('node:path');

// --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
// --disable-gpu: there is no GPU (nor display) in a container.
// --disable-quic, --disable-background-networking, --disable-component-update, --disable-sync,
// --no-first-run: without them Chromium reaches out to Google's services at start-up; on a closed
// network those attempts hang or log errors. The pages under test only talk to the local demo.
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const INSTALL_HINT = 'install it with `apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium/Chrome binary';

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The Chromium binary to drive: $CHROMIUM_PATH if set (an error if it is not executable, since the
 * user asked for that one), else /usr/bin/chromium, else `chromium` on PATH; null when none is found.
 */
function findChromium() {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (!isExecutable(override)) throw new Error(`CHROMIUM_PATH=${override} is not an executable file`);
    return override;
  }
  if (isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'chromium'))) return path.join(dir, 'chromium');
  }
  return null;
}

/** Options for playwright-core's `chromium.launch()`: headless, the flags above. */
function launchOptions(executablePath) {
  return { executablePath, headless: true, args: [...LAUNCH_ARGS] };
}

/**
 * playwright-core, which is a devDependency of the test workspace package (test/), not of the root:
 * resolve it from there so a plain `node scripts/…` run from the root finds it too.
 */
function loadPlaywright() {
  return require(require.resolve('playwright-core', { paths: [path.join(__dirname, '..', 'test')] }));
}

module.exports = { LAUNCH_ARGS, INSTALL_HINT, findChromium, launchOptions, loadPlaywright };
