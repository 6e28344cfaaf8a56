import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium, launchOptions, INSTALL_HINT } from '../../scripts/chromium-launch';

import { isCI } from './ci';

export { isCI };

/**
 * What a browser suite should do on this machine: run with `path`, or, without a Chromium, fail under
 * CI (CI must not go green by testing nothing) and be skipped elsewhere (a developer without Chromium
 * can still run the README's test command). `message` says why and how to install it.
 */
export function chromiumForTests(): { path: string; message?: undefined } | { path: null; message: string } {
  const path = findChromium();
  if (path) return { path };
  return { path: null, message: `No Chromium found (looked at $CHROMIUM_PATH, /usr/bin/chromium, PATH): ${INSTALL_HINT}` };
}

/** Launches the given Chromium headless with the shared flags (scripts/chromium-launch.js). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ ...launchOptions(executablePath), timeout: 30_000 });
}

/**
 * Records what a user would see as broken on `page`: console errors, uncaught page errors, requests
 * that failed and responses >= 400, and any alert/confirm dialog (the pages open none; an escaping bug
 * would). `ignore` drops URLs we accept failing (e.g. the favicon the browser asks for on its own).
 */
export function watchProblems(page: Page, ignore: (url: string) => boolean = () => false): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !ignore(m.location().url)) problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => { if (!ignore(r.url())) problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`); });
  page.on('response', (r) => { if (r.status() >= 400 && !ignore(r.url())) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('dialog', (d) => { problems.push(`dialog (${d.type()}): ${d.message()}`); void d.dismiss(); });
  return problems;
}
