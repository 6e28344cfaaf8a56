import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumForTests, isCI, launchChromium, watchProblems } from '../support/chromium';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// The demo's REPL page (issue 17) in headless Chromium: started with DEMO_REPL_PASSWORD, the index links
// /repl, whose xterm.js terminal logs in and evaluates; without it, there is no /repl at all.
const DEMO = path.resolve(__dirname, '../../demo/main.js');
const PASSWORD = 'browser test secret';
jest.setTimeout(60_000);

const browserAt = chromiumForTests();
if (!browserAt.path) {
  if (isCI) test('Chromium is installed (needed by the browser tests)', () => { throw new Error(`${browserAt.message}`); });
  else console.warn(`Skipping the browser tests (test/browser): ${browserAt.message}`);
}

(browserAt.path ? describe : describe.skip)('the demo\'s REPL page in headless Chromium', () => {
  let demo: SpawnedServer | undefined;
  let browser: Browser | undefined;
  let base = '';

  beforeAll(async () => {
    const [d, b] = await Promise.allSettled([spawnServer(DEMO, { env: { DEMO_REPL_PASSWORD: PASSWORD } }), launchChromium(browserAt.path!)]);
    if (d.status === 'fulfilled') demo = d.value;
    if (b.status === 'fulfilled') browser = b.value;
    if (d.status === 'rejected') throw d.reason;
    if (b.status === 'rejected') throw b.reason;
    base = demo!.urls.find((u) => u.startsWith('http://')) ?? '';
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  }, 30_000);

  // The terminal's rows as text: xterm.js's DOM renderer pads with no-break spaces; trailing blanks dropped.
  const screen = async (page: Page): Promise<string> => (await page.locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ').split('\n').map((l) => l.trimEnd()).join('\n');
  async function until(page: Page, re: RegExp): Promise<void> {
    for (let i = 0; i < 300; i++) { if (re.test(await screen(page))) return; await page.waitForTimeout(50); }
    throw new Error(`the terminal never showed ${re}: ${JSON.stringify(await screen(page))}`);
  }

  test('type the password, 1+1 gives 2; Tab completes; multi-line input; Ctrl-C interrupts a waiting evaluation', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(base + '/');
    await page.locator('#repl-link a[href="/repl"]').waitFor();     // linked from the index, shown
    await page.goto(base + '/repl');
    await until(page, /Password:$/m);
    await page.locator('.xterm').click();
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await until(page, /^>$/m);
    expect(await screen(page)).not.toContain(PASSWORD);            // typed without echo
    await page.keyboard.type('1+1');
    await page.keyboard.press('Enter');
    await until(page, /^2$/m);
    await page.keyboard.type('process.vers');
    await page.keyboard.press('Tab');
    await until(page, /process\.version/);
    await page.keyboard.press('Enter');
    await until(page, /'v\d+\.\d+\.\d+'/);
    await page.keyboard.type('function three() {');
    await page.keyboard.press('Enter');
    await until(page, /^\.\.\.$/m);
    await page.keyboard.type('return 3 }');
    await page.keyboard.press('Enter');
    await page.keyboard.type('three() * 14');
    await page.keyboard.press('Enter');
    await until(page, /^42$/m);
    await page.keyboard.type('await new Promise(() => {})');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(200);
    await page.keyboard.press('Control+C');
    await until(page, /interrupted/);
    expect(problems).toEqual([]);
    await context.close();
  });
});

test('without DEMO_REPL_PASSWORD the demo has no /repl (page, WebSocket, link target)', async () => {
  const demo = await spawnServer(DEMO, { env: { DEMO_REPL_PASSWORD: '' } });
  try {
    const base = demo.urls.find((u) => u.startsWith('http://'))!;
    expect((await fetch(base + '/repl')).status).toBe(404);
    expect((await fetch(base + '/repl', { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(base + '/repl/xterm.js')).status).toBe(404);
    expect(await (await fetch(base + '/api/repl-enabled')).json()).toEqual({ repl: false });
  } finally {
    await demo.stop();
  }
});
