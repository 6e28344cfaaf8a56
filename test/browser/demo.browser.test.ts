import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { describeInChromium, useDemoInChromium } from '../support/demo-in-chromium';

// The demo as a person sees it: Debian's Chromium (headless) against `node demo/main.js`, clicking and
// typing through the pages' own UI. test/e2e/demo.test.ts checks the same routes at the HTTP level;
// this one checks what only a browser shows: links resolve, the stylesheet applies, the form posts,
// escaping holds as rendered text, and the pages' own WebSocket script talks to the server.
jest.setTimeout(60_000);

describeInChromium('the demo in headless Chromium', () => {
  const ctx = useDemoInChromium();
  let base = '';
  beforeAll(() => { base = ctx.base; });

  // Links are found by their href, not their wording (the index's text changes more often than its routes).
  const link = (page: Page, href: string) => page.locator(`a[href="${href}"]`);

  /** A new browser context (a separate "user": own cookies, own connections) with one page. */
  const newPage = () => ctx.newPage();

  test('the index loads, styled, with its links to every part of the demo', async () => {
    const { page, problems } = await newPage();
    const res = await page.goto(base + '/');
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('MicroWebSrv-TS demo');
    expect(await page.locator('h1').innerText()).toBe('MicroWebSrv-TS demo');
    const hrefs = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(expect.arrayContaining([
      '/test-post', '/api/hello/Ada/3', '/api/info?name=demo', '/test-redir', '/download', '/request', '/hello.txt',
      '/template.jshtml?name=you', '/wstest.html', '/wschat.html',
    ]));
    // style.css was fetched and applied (its body font), not just linked. (A string, as the tests are
    // type-checked without the DOM library.)
    expect(await page.evaluate<string>('getComputedStyle(document.body).fontFamily')).toContain('system-ui');
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
  });

  test('the form posts and the result shows the names as text, escaped', async () => {
    const { page, problems } = await newPage();
    await page.goto(base + '/');
    await Promise.all([page.waitForURL(base + '/test-post'), link(page, '/test-post').click()]);
    expect(await page.title()).toBe('A form');
    await page.getByLabel('First name').fill('<b>Ada</b>');
    await page.getByLabel('Last name').fill('Lovelace & "co"');
    const [posted] = await Promise.all([
      page.waitForResponse((r) => r.url() === base + '/test-post' && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Send' }).click(),
    ]);
    expect(posted.status()).toBe(200);
    await page.locator('h1', { hasText: 'Posted' }).waitFor();
    // The whole name is one <b> (the page's own), whose text is what was typed: no element was injected.
    expect(await page.locator('p > b').innerText()).toBe('<b>Ada</b> Lovelace & "co"');
    expect(await page.locator('p > b b').count()).toBe(0);
    expect(await page.locator('body').innerText()).toContain('Hello <b>Ada</b> Lovelace & "co"!');
    expect(problems).toEqual([]);
  });

  test('two users in the chat page see each other\'s messages; the echo page echoes', async () => {
    const alice = await newPage();
    const bob = await newPage();
    const joined = (p: Page) => p.locator('#log li', { hasText: /^connected to ws:\/\// }).waitFor();
    await alice.page.goto(base + '/wschat.html');
    await joined(alice.page);
    await bob.page.goto(base + '/wschat.html');
    await joined(bob.page);
    // Alice hears Bob join: the server counts two people in the room.
    await alice.page.locator('#log li', { hasText: /joined \(2 here\)$/ }).waitFor();

    // Markup in a message must arrive as text (the page logs with textContent).
    const msg = 'hello Bob <i>from Alice</i>';
    await alice.page.locator('#msg').fill(msg);
    await alice.page.getByRole('button', { name: 'Send' }).click();
    const heard = bob.page.locator('#log li', { hasText: msg });
    await heard.waitFor();
    expect(await heard.innerText()).toMatch(/^[\d.:a-f]+:\d+: hello Bob <i>from Alice<\/i>$/);
    expect(await bob.page.locator('#log i').count()).toBe(0);
    // The broadcast reaches the sender too, and the page cleared its input after sending.
    await alice.page.locator('#log li', { hasText: msg }).waitFor();
    expect(await alice.page.locator('#msg').inputValue()).toBe('');

    // Bob answers with Enter (the form's submit), Alice hears it.
    await bob.page.locator('#msg').fill('hi Alice');
    await bob.page.locator('#msg').press('Enter');
    await alice.page.locator('#log li', { hasText: /: hi Alice$/ }).waitFor();

    const echo = await newPage();
    await echo.page.goto(base + '/wstest.html');
    await joined(echo.page);
    await echo.page.locator('#msg').fill('ping 1');
    await echo.page.getByRole('button', { name: 'Send' }).click();
    await echo.page.locator('#log li', { hasText: /^echo: ping 1$/ }).waitFor();

    for (const p of [alice, bob, echo]) expect(p.problems).toEqual([]);
  });

  test('the template page renders its features as visible text', async () => {
    const { page, problems } = await newPage();
    await page.goto(base + '/');
    await Promise.all([page.waitForURL(/\/template\.jshtml\?name=you$/), link(page, '/template.jshtml?name=you').click()]);
    expect(await page.title()).toBe('MicroWebSrv-TS — template pages demo');
    expect(await page.locator('h1').innerText()).toBe('MicroWebSrv-TS'); // the included header, given the global
    const text = await page.locator('body').innerText();
    for (const shown of [
      'An included page sees the page\'s variables (request: GET).',
      '1 + 2 = 3; 3 fruits; null prints [].',
      'Escaped: <script>alert("not run")</script>', // shown as text; a dialog would be a recorded problem
      'alice: great', 'bob: fine', 'carol: no points yet',
      'key alice',
    ]) expect(text).toContain(shown);
    expect(await page.locator('em').innerText()).toBe('emphasis'); // the raw {{{ }}} block is markup
    expect(await page.locator('ul').first().locator('li').allInnerTexts()).toEqual(['apple', 'banana', 'cherry']);
    expect(text).toMatch(/query parameters\s+\{"name":"you"\}/);
    expect(text).toMatch(/user agent\s+\S*Mozilla\/5\.0 .*Chrome\//);

    // The visit counter module sets a global before each render: a reload shows the next number.
    const visits = async () => Number(/Visits of this server: (\d+)/.exec(await page.locator('body').innerText())?.[1]);
    const before = await visits();
    expect(before).toBeGreaterThan(0);
    await page.reload();
    expect(await visits()).toBe(before + 1);
    expect(problems).toEqual([]);
  });

  test('the JSON routes show their JSON; the download and redirect links save hello.txt', async () => {
    const { page, problems } = await newPage();
    const showsJSON = async (href: string) => {
      await page.goto(base + '/');
      const [res] = await Promise.all([page.waitForResponse((r) => r.url() === base + href), link(page, href).click()]);
      expect([res.status(), res.headers()['content-type']]).toEqual([200, expect.stringMatching(/^application\/json/)]);
      await page.waitForURL(base + href);
      return JSON.parse(await page.locator('body').innerText()); // what the browser displays is the JSON itself
    };
    expect(await showsJSON('/api/hello/Ada/3')).toEqual({ greeting: ['hello Ada', 'hello Ada', 'hello Ada'], name: 'Ada', times: 3 });
    expect(await showsJSON('/api/info?name=demo')).toMatchObject({ name: 'demo', server: 'MicroWebSrv-TS', secure: false });
    expect(problems).toEqual([]);

    const hello = readFileSync(path.resolve(__dirname, '../../demo/www/hello.txt'), 'utf8');
    for (const href of ['/download', '/test-redir']) {
      await page.goto(base + '/');
      const [download] = await Promise.all([page.waitForEvent('download'), link(page, href).click()]);
      expect(download.suggestedFilename()).toBe('hello.txt');
      expect(await download.failure()).toBeNull();
      expect(readFileSync((await download.path())!, 'utf8')).toBe(hello);
    }
  });
});
