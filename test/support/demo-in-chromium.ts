import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumForTests, isCI, launchChromium, watchProblems } from './chromium';
import { spawnServer, type SpawnedServer } from './spawn-server';

/** The demo as its README starts it. */
export const DEMO = path.resolve(__dirname, '../../demo/main.js');
/** Per wait: generous for a loaded CI machine, bounded so that a hang fails the test. */
export const WAIT = 15_000;

/**
 * `describe(title, body)` when Chromium is there. Without it: under CI a failing test says what is
 * missing (the browser tests must run there); elsewhere the suite is skipped with a warning (the run's
 * summary line names it).
 */
export function describeInChromium(title: string, body: () => void): void {
  const at = chromiumForTests();
  if (!at.path) {
    if (isCI) {
      test('Chromium is installed (needed by the browser tests)', () => {
        throw new Error(`${at.message}. Under CI the browser tests must run, not be skipped.`);
      });
    } else {
      console.warn(`Skipping the browser tests (test/browser): ${at.message}`);
    }
  }
  (at.path ? describe : describe.skip)(title, body);
}

/** What `useDemoInChromium` gives the tests of its describe. */
export interface DemoInChromium {
  /** The demo's http:// base URL (set in beforeAll). */
  readonly base: string;
  readonly demo: SpawnedServer;
  readonly browser: Browser;
  /** A new browser context (a separate "user": own cookies, own connections) with one page and its problems. */
  newPage(): Promise<{ page: Page; problems: string[] }>;
}

/**
 * In the enclosing describe: starts the demo (with `env` added) and Chromium before the tests, closes
 * every context, the browser and the demo after them. If one of the two fails to start, the other is
 * still stopped (no leaked process).
 */
export function useDemoInChromium(env: Record<string, string> = {}): DemoInChromium {
  let demo: SpawnedServer | undefined;
  let browser: Browser | undefined;
  let base = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const [d, b] = await Promise.allSettled([spawnServer(DEMO, { env }), launchChromium(chromiumForTests().path!)]);
    if (d.status === 'fulfilled') demo = d.value;
    if (b.status === 'fulfilled') browser = b.value;
    if (d.status === 'rejected') throw d.reason;
    if (b.status === 'rejected') throw b.reason;
    // The demo prints its http:// URL (others may follow once it also serves HTTPS).
    base = demo!.urls.find((u) => u.startsWith('http://')) ?? '';
    expect(base).toMatch(/^http:\/\/[\w.-]+:\d+$/);
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await demo?.stop();
  }, 30_000);

  return {
    get base() { return base; },
    get demo() { return demo!; },
    get browser() { return browser!; },
    async newPage() {
      const context = await browser!.newContext();
      contexts.push(context);
      context.setDefaultTimeout(WAIT);
      context.setDefaultNavigationTimeout(WAIT);
      const page = await context.newPage();
      return { page, problems: watchProblems(page) };
    },
  };
}
