/**
 * Folder listings: uhttpd's directory document (`{ "path": "/dir/", "list": [ { "path": "..", "type":
 * "directory", "size": 0 }, … ] }`) with `mtime` added, sorted ('..' first, then folders, then files, by
 * name), and the same as an HTML page for browsers.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { realInside } from '@microwebsrv/core';

/** One entry of a listing. */
export interface ListEntry {
  /** The name ('..' for the parent folder). */
  path: string;
  type: 'directory' | 'file';
  /** Bytes (0 for folders, as uhttpd). */
  size: number;
  /** Last modification, ISO 8601 (UTC). */
  mtime: string;
}

/** uhttpd's directory document. */
export interface Listing {
  /** The folder's path under the base, '/' at both ends. */
  path: string;
  list: ListEntry[];
}

const byName = (a: ListEntry, b: ListEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Lists the real folder `dir` (inside `realBase`), shown as `shownPath`. Dotfiles are left out unless
 * `dotfiles`; a symlink is listed as what it points to when that lies inside the base, else left out;
 * sockets, FIFOs and devices are left out; an entry that vanishes while listed is skipped.
 */
export async function listFolder(realBase: string, dir: string, shownPath: string, dotfiles: boolean): Promise<Listing> {
  const names = await fsp.readdir(dir);
  const entries: ListEntry[] = [];
  await Promise.all(names.map(async (name) => {
    if (!dotfiles && name.charCodeAt(0) === 0x2e) return;
    const p = path.join(dir, name);
    try {
      let st = await fsp.lstat(p);
      if (st.isSymbolicLink()) {
        const real = await realInside(realBase, p, dotfiles);
        if (real === null) return;
        st = await fsp.stat(real);
      }
      if (st.isDirectory()) entries.push({ path: name, type: 'directory', size: 0, mtime: st.mtime.toISOString() });
      else if (st.isFile()) entries.push({ path: name, type: 'file', size: st.size, mtime: st.mtime.toISOString() });
    } catch {
      // removed meanwhile, or unreadable: not listed
    }
  }));
  const dirs = entries.filter((e) => e.type === 'directory').sort(byName);
  const files = entries.filter((e) => e.type === 'file').sort(byName);
  const list: ListEntry[] = [];
  if (shownPath !== '/') {
    const up = await fsp.stat(path.dirname(dir));
    list.push({ path: '..', type: 'directory', size: 0, mtime: up.mtime.toISOString() });
  }
  return { path: shownPath, list: list.concat(dirs, files) };
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `listing` as an HTML page; links are relative to the folder's URL (which ends with '/'). */
export function listingHtml(listing: Listing, urlPath: string): string {
  const rows = listing.list.map((e) => {
    const href = e.path === '..' ? '../' : encodeURIComponent(e.path) + (e.type === 'directory' ? '/' : '');
    const size = e.type === 'directory' ? '' : String(e.size);
    return `<tr><td><a href="${esc(href)}">${esc(e.path)}${e.type === 'directory' ? '/' : ''}</a></td><td>${size}</td><td>${esc(e.mtime)}</td></tr>`;
  }).join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Index of ${esc(urlPath)}</title></head>
<body><h1>Index of ${esc(urlPath)}</h1><table><thead><tr><th>name</th><th>size</th><th>modified</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
