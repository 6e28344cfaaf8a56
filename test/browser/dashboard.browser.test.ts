import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumForTests, isCI, launchChromium, watchProblems } from '../support/chromium';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// The demo's live dashboard in headless Chromium: the page's EventSource on GET /events gets a `stats`
// event each second (ids increasing), its SVG charts draw, and the numbers move when load is applied.
const DEMO = path.resolve(__dirname, '../../demo/main.js');
const WAIT = 15_000;
jest.setTimeout(60_000);

const browserAt = chromiumForTests();
if (!browserAt.path) {
  if (isCI) {
    test('Chromium is installed (needed by the browser tests)', () => {
      throw new Error(`${browserAt.message}. Under CI the browser tests must run, not be skipped.`);
    });
  } else {
    console.warn(`Skipping the browser tests (test/browser): ${browserAt.message}`);
  }
}

(browserAt.path ? describe : describe.skip)('the live dashboard in headless Chromium', () => {
  let demo: SpawnedServer | undefined;
  let browser: Browser | undefined;
  let base = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const [d, b] = await Promise.allSettled([spawnServer(DEMO), launchChromium(browserAt.path!)]);
    if (d.status === 'fulfilled') demo = d.value;
    if (b.status === 'fulfilled') browser = b.value;
    if (d.status === 'rejected') throw d.reason;
    if (b.status === 'rejected') throw b.reason;
    base = demo!.urls.find((u) => u.startsWith('http://')) ?? '';
    expect(base).toMatch(/^http:\/\/[\w.-]+:\d+$/);
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await demo?.stop();
  }, 30_000);

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser!.newContext();
    contexts.push(context);
    context.setDefaultTimeout(WAIT);
    const page = await context.newPage();
    return { page, problems: watchProblems(page) };
  }

  const text = (page: Page, sel: string) => page.locator(sel).innerText();
  const values = async (page: Page, key: string): Promise<number[]> => JSON.parse((await page.locator(`#chart-${key} .value`).getAttribute('data-values')) ?? '[]') as number[];

  test('stats arrive every second with increasing ids; the charts draw; load moves the numbers', async () => {
    const { page, problems } = await newPage();
    await page.goto(base + '/');
    await page.locator('a[href="/dashboard.html"]').click();
    await page.waitForURL(/\/dashboard\.html$/);
    await page.waitForFunction('Number(document.getElementById("count").textContent) >= 2', undefined, { timeout: WAIT });
    expect(await page.locator('#status').getAttribute('data-state')).toBe('open');
    const id1 = BigInt(await text(page, '#last-id'));
    await page.waitForFunction(`document.getElementById("last-id").textContent !== "${id1}"`, undefined, { timeout: WAIT });
    expect(BigInt(await text(page, '#last-id'))).toBeGreaterThan(id1);
    expect((await values(page, 'sse'))[0]).toBeGreaterThanOrEqual(1); // this page's own stream
    const d = await page.locator('#chart-connections path.line').first().getAttribute('d');
    expect(d).toMatch(/^M\d+ [\d.]+L/);

    // Load: requests from here, and a WebSocket chat member from the page.
    const stop = Date.now() + 3500;
    const load = (async () => { while (Date.now() < stop) await Promise.all(Array.from({ length: 10 }, () => fetch(base + '/api/info').then((r) => r.text()))); })();
    await page.evaluate(`window.chatSocket = new WebSocket(location.origin.replace('http', 'ws') + '/ws-chat')`);
    await page.waitForFunction(`JSON.parse(document.querySelector('#chart-rps .value').dataset.values || '[0]')[0] > 20`, undefined, { timeout: WAIT });
    await page.waitForFunction(`JSON.parse(document.querySelector('#chart-ws .value').dataset.values || '[0]')[0] >= 1`, undefined, { timeout: WAIT });
    await load;
    expect((await values(page, 'in'))[0]).toBeGreaterThan(0);
    expect(await page.locator('#chart-rps path.line').first().getAttribute('d')).not.toBe(d);
    expect(await text(page, '#numbers')).toMatch(/http:\d+\t?.*req\/s/);
    expect(problems).toEqual([]);
  });
});
