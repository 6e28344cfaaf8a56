import type { Page } from 'playwright-core';
import { DEMO, describeInChromium, useDemoInChromium } from '../support/demo-in-chromium';
import { spawnServer } from '../support/spawn-server';

// The demo's REPL page (issue 17) in headless Chromium: started with DEMO_REPL_PASSWORD, the index links
// /repl, whose xterm.js terminal logs in and evaluates; without it, there is no /repl at all.
const PASSWORD = 'browser test secret';
jest.setTimeout(60_000);

describeInChromium('the demo\'s REPL page in headless Chromium', () => {
  const ctx = useDemoInChromium({ DEMO_REPL_PASSWORD: PASSWORD });
  let base = '';
  beforeAll(() => { base = ctx.base; });

  // The terminal's rows as text: xterm.js's DOM renderer pads with no-break spaces; trailing blanks dropped.
  const screen = async (page: Page): Promise<string> => (await page.locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ').split('\n').map((l) => l.trimEnd()).join('\n');
  async function until(page: Page, re: RegExp): Promise<void> {
    for (let i = 0; i < 300; i++) { if (re.test(await screen(page))) return; await page.waitForTimeout(50); }
    throw new Error(`the terminal never showed ${re}: ${JSON.stringify(await screen(page))}`);
  }

  test('type the password, 1+1 gives 2; Tab completes; multi-line input; Ctrl-C interrupts a waiting evaluation', async () => {
    const { page, problems } = await ctx.newPage();
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
