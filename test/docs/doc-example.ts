import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

export const DOCS = path.resolve(__dirname, '../../docs');
/** The repository's root (README.md). */
export const ROOT = path.resolve(__dirname, '../..');

/** The path of `docs/examples/<name>`. */
export const example = (name: string): string => path.join(DOCS, 'examples', name);

/** The fenced code blocks of a Markdown file, each with its language tag and its text (trailing space trimmed). */
export function codeBlocks(file: string): Array<{ lang: string; code: string }> {
  const md = readFileSync(file, 'utf8');
  return [...md.matchAll(/^```([a-z]*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], code: m[2].replace(/\s+$/, '') }));
}

/**
 * Asserts that `docs/<page>` (or `../README.md`) shows `docs/examples/<name>` verbatim in a fenced code
 * block, so the page and the example checked by the tests cannot drift apart. Throws (fails the test)
 * naming what differs.
 */
export function expectPageShowsExample(page: string, name: string): void {
  const file = path.join(DOCS, page);
  const code = readFileSync(example(name), 'utf8').replace(/\s+$/, '');
  if (!codeBlocks(file).some((b) => b.code === code)) {
    throw new Error(`${path.relative(ROOT, file)} must show docs/examples/${name} verbatim in a fenced code block (it does not: update the page)`);
  }
}

/**
 * In the enclosing describe: checks that `docs/<page>` shows `docs/examples/<file>`, starts the example
 * as a user does (PORT=0) before the tests and hands it to `bind`, and afterwards stops it with Ctrl-C,
 * expecting exit code 0 (a graceful stop, then Node exits by itself). Hooks registered before this one
 * (e.g. fixture preparation) run first.
 */
export function useExample(page: string, file: string, bind: (srv: SpawnedServer) => void): void {
  let srv: SpawnedServer | null = null;
  beforeAll(async () => {
    expectPageShowsExample(page, file);
    srv = await spawnServer(example(file));
    bind(srv);
  });
  afterAll(async () => {
    if (srv !== null) expect(await srv.stop()).toBe(0);
  });
}

/** Sends `text` on a raw connection to `base`'s host and port; resolves with all received until the server closes. */
export function raw(base: string, text: string): Promise<string> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const c = net.connect(Number(u.port), u.hostname, () => c.write(text));
    let got = '';
    c.setEncoding('latin1');
    c.on('data', (d: string) => { got += d; });
    c.on('error', reject);
    c.on('close', () => resolve(got));
  });
}

/** The `code` of the error `fn` throws (an MwsError's ERR_MWS_*), or undefined when it does not throw. */
export function codeOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (err) { return (err as { code?: string }).code; }
  return undefined;
}
