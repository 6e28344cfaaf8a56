'use strict';
// `pnpm screenshots [dir]`: full-page PNGs of the demo as headless Chromium renders it, for people who
// want to look at the pages without starting a browser (and for reviewing style changes). Needs the
// built packages (`pnpm build`; the pnpm script builds first) and Chromium (see chromium-launch.js).
// The demo runs on a free port (PORT=0) and is stopped with Ctrl-C's signal at the end.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { findChromium, launchOptions, loadPlaywright, INSTALL_HINT } = require('./chromium-launch');

const ROOT = path.join(__dirname, '..');
const WAIT = 15_000;

/** Starts `node demo/main.js` on a free port; resolves with the child and the http:// URL it prints. */
function startDemo() {
  const child = spawn(process.execPath, [path.join(ROOT, 'demo', 'main.js')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the demo did not start:\n${out}`)); }, WAIT);
    const onData = (d) => {
      out += d;
      const m = /http:\/\/[\w.-]+:\d+/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, base: m[0] }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => { out += d; });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the demo exited (${code}) before it listened:\n${out}`)); });
  });
}

/** Ctrl-C to the demo (it drains and stops), SIGKILL if it has not exited after a while. */
function stopDemo(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGINT');
  });
}

async function main() {
  // An argument is relative to where the user ran `pnpm screenshots` (pnpm runs scripts from the root
  // and keeps the original directory in INIT_CWD); the default is screenshots/ at the root.
  const outDir = process.argv[2]
    ? path.resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2])
    : path.join(ROOT, 'screenshots');
  const executablePath = findChromium();
  if (!executablePath) throw new Error(`No Chromium found: ${INSTALL_HINT}`);
  fs.mkdirSync(outDir, { recursive: true });

  const { chromium } = loadPlaywright();
  const { child, base } = await startDemo();
  let browser;
  try {
    browser = await chromium.launch({ ...launchOptions(executablePath), timeout: 30_000 });
    const newPage = async () => {
      const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
      context.setDefaultTimeout(WAIT);
      return context.newPage();
    };
    const shot = async (page, name) => {
      const file = path.join(outDir, name);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
    };

    const page = await newPage();
    await page.goto(base + '/');
    await shot(page, '01-index.png');

    await page.goto(base + '/test-post');
    await page.locator('input[name=firstname]').fill('<b>Ada</b>');
    await page.locator('input[name=lastname]').fill('Lovelace');
    await shot(page, '02-form.png');
    await Promise.all([page.waitForURL(base + '/test-post'), page.locator('button[type=submit]').click()]);
    await page.locator('h1', { hasText: 'Posted' }).waitFor();
    await shot(page, '03-form-result.png');

    await page.goto(base + '/template.jshtml?name=you');
    await shot(page, '04-template.png');

    // The chat with a message each way between two users (two contexts: two separate visitors).
    const alice = await newPage();
    const bob = await newPage();
    for (const p of [alice, bob]) {
      await p.goto(base + '/wschat.html');
      await p.locator('#log li', { hasText: 'connected to' }).waitFor();
    }
    await alice.locator('#log li', { hasText: /joined \(2 here\)/ }).waitFor();
    await alice.locator('#msg').fill('Hello Bob!');
    await alice.locator('#msg').press('Enter');
    await bob.locator('#log li', { hasText: 'Hello Bob!' }).waitFor();
    await bob.locator('#msg').fill('Hi Alice, I see you.');
    await bob.locator('#msg').press('Enter');
    await alice.locator('#log li', { hasText: 'Hi Alice, I see you.' }).waitFor();
    await shot(alice, '05-chat.png');

    await page.goto(base + '/wstest.html');
    await page.locator('#log li', { hasText: 'connected to' }).waitFor();
    await page.locator('#msg').fill('ping');
    await page.locator('#msg').press('Enter');
    await page.locator('#log li', { hasText: 'echo: ping' }).waitFor();
    await shot(page, '06-echo.png');
  } finally {
    await browser?.close();
    await stopDemo(child);
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(`screenshots: ${err.message}`);
  process.exit(1);
});
