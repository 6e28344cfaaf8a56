/**
 * Compiled pages, kept until their file changes.
 *
 * MicroWebSrv2 re-read and re-parsed a page on every request. Here a page is read and translated once;
 * each request costs one stat (mtime, size, inode, ctime): a file saved again is recompiled on the next
 * request, without a watcher (fs.watch misses changes on some file systems and holds descriptors). A
 * compile error is cached too, and thrown again until the file changes.
 *
 * The freshness stat is synchronous: a stat of a local file takes about a microsecond, while an async
 * one costs a round trip through libuv's thread pool (tens of microseconds, more than the render of a
 * small page). Reading a new or changed file stays asynchronous.
 */
import { promises as fsp, readFileSync, statSync, type Stats } from 'node:fs';

import type { PageFunction } from './compile';

/** One page file as last read. */
export interface CachedPage {
  readonly file: string;
  readonly source: string;
  /** What identifies this version of the file (compared on every use). */
  readonly stamp: string;
  /** Per compile key (the set of variable names, debug or not): the compiled function. */
  readonly fns: Map<string, PageFunction>;
  /** Data of the compiler (the translation), kept with the version of the file it came from. */
  prepared?: unknown;
  /** A compile error of this version, thrown again until the file changes. */
  error?: unknown;
}

function stampOf(st: Stats): string {
  return `${st.mtimeMs}:${st.ctimeMs}:${st.size}:${st.ino}`;
}

/** Thrown (code ENOENT-like) when a page path names no regular file. */
export class PageNotFoundError extends Error {
  readonly code = 'ENOENT';
  constructor(readonly file: string) { super(`no template page at ${file}`); }
}

export class PageCache {
  private readonly pages = new Map<string, CachedPage>();

  /** The cached page for `file` if its file did not change (async stat), else the file read again. */
  async load(file: string): Promise<CachedPage> {
    const st = statSync(file);
    if (!st.isFile()) throw new PageNotFoundError(file);
    const stamp = stampOf(st);
    const hit = this.pages.get(file);
    if (hit !== undefined && hit.stamp === stamp) return hit;
    const source = await fsp.readFile(file, 'utf8');
    return this.store(file, source, stamp);
  }

  /** As {@link load}, synchronously: for includes, which run inside a (synchronous) render. */
  loadSync(file: string): CachedPage {
    const st = statSync(file);
    if (!st.isFile()) throw new PageNotFoundError(file);
    const stamp = stampOf(st);
    const hit = this.pages.get(file);
    if (hit !== undefined && hit.stamp === stamp) return hit;
    return this.store(file, readFileSync(file, 'utf8'), stamp);
  }

  /** The page last read for `file`, whatever its freshness (the error page shows its lines). */
  peek(file: string): CachedPage | undefined {
    return this.pages.get(file);
  }

  /** Forgets every page (e.g. after `showDebug` changed). */
  clear(): void {
    this.pages.clear();
  }

  get size(): number { return this.pages.size; }

  private store(file: string, source: string, stamp: string): CachedPage {
    const page: CachedPage = { file, source, stamp, fns: new Map() };
    this.pages.set(file, page);
    return page;
  }
}
