import type { Page } from 'playwright-core';
import { describeInChromium, useDemoInChromium, WAIT } from '../support/demo-in-chromium';

// The demo's live dashboard in headless Chromium: the page's EventSource on GET /events gets a `stats`
// event each second (ids increasing), its SVG charts draw, and the numbers move when load is applied.
jest.setTimeout(60_000);

describeInChromium('the live dashboard in headless Chromium', () => {
  const ctx = useDemoInChromium();
  let base = '';
  beforeAll(() => { base = ctx.base; });
  const newPage = () => ctx.newPage();

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
