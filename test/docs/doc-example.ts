import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const DOCS = path.resolve(__dirname, '../../docs');

/** The path of `docs/examples/<name>`. */
export const example = (name: string): string => path.join(DOCS, 'examples', name);

/**
 * Asserts that `docs/<page>` shows `docs/examples/<name>` verbatim in a fenced code block, so the page and
 * the example checked by the tests cannot drift apart. Throws (fails the test) naming what differs.
 */
export function expectPageShowsExample(page: string, name: string): void {
  const md = readFileSync(path.join(DOCS, page), 'utf8');
  const code = readFileSync(example(name), 'utf8').replace(/\s+$/, '');
  const blocks = [...md.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1].replace(/\s+$/, ''));
  if (!blocks.includes(code)) {
    throw new Error(`docs/${page} must show docs/examples/${name} verbatim in a fenced code block (it does not: update the page)`);
  }
}
