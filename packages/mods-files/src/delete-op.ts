/**
 * DELETE (uhttpd's receiver with `delete=True`): a file; a folder when the path ends in '/' (empty, else
 * 409 — `?force=1` removes it with everything in it). A symlink is removed itself, never what it points
 * to. The base folder itself is never removed (403). 204 when done.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { HttpRequest } from '@microwebsrv/core';
import { isOwnTemp } from './atomic-write';
import { refused, type FilesContext, type Outcome } from './context';
import { folderOf, isRefusal, type Place } from './target';
import { realInside } from '@microwebsrv/core';

/** Rounds of {@link removeTree} over a folder that uploads keep filling while it is removed. */
const TREE_ROUNDS = 3;

export async function deleteOp(ctx: FilesContext, request: HttpRequest, place: Place): Promise<Outcome> {
  const { opts } = ctx;
  if (place.segments.length === 0) return refused(403, 'the base folder itself is never removed');
  const decision = await ctx.allow(place.aclPath, 'write', request);
  if (decision !== 0) return refused(decision, `ACL refuses removing ${place.aclPath}`);
  const parent = await folderOf(ctx.realBase, place.segments.slice(0, -1), opts.dotfiles, null);
  if (isRefusal(parent)) return refused(parent.status === 404 ? 404 : parent.status, parent.reason);
  const entry = path.join(parent.dir, place.segments[place.segments.length - 1]);
  let st: import('node:fs').Stats;
  try { st = await fsp.lstat(entry); } catch { return refused(404, 'absent'); }
  if (st.isSymbolicLink()) {
    // Only a link that could be followed (inside the base) is visible; the link alone goes.
    if (await realInside(ctx.realBase, entry, opts.dotfiles) === null) return refused(404, 'a symlink out of the base');
    await fsp.unlink(entry);
    return { status: 204 };
  }
  if (st.isDirectory()) {
    if (!place.dirSlash) return refused(409, 'a folder: end the path with / to remove it');
    if (request.queryParams.force === '1') {
      // The quota gives back what the tree held, measured as it goes: the rest of the base is not walked.
      // Released in `finally`: a tree that fails part-way (EACCES, EBUSY, ENAMETOOLONG on one entry) still
      // gives back the files already gone, so the quota keeps matching what is on disk.
      const freed = { bytes: 0 };
      try { await removeTree(entry, freed); } finally { ctx.quota.release(freed.bytes); }
    } else {
      try { await fsp.rmdir(entry); } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') return refused(409, 'the folder is not empty (add ?force=1)');
        throw err;
      }
    }
    ctx.log(`files: removed ${place.aclPath}`, 'INFO');
    return { status: 204 };
  }
  if (place.dirSlash) return refused(409, 'a file, not a folder');
  await fsp.unlink(entry);
  ctx.quota.release(st.size);
  ctx.log(`files: removed ${place.aclPath}`, 'INFO');
  return { status: 204 };
}

/**
 * Removes the folder `dir` with everything in it, symlinks themselves (never what they point to), and
 * adds to `freed.bytes` the bytes of each regular file as it is removed — the quota's share of the tree,
 * counted as it goes so that a failure part-way still reports what was removed before it. A temp file of an
 * upload still running here is not counted: that upload gives its own bytes back when its rename fails.
 * A file created meanwhile (ENOTEMPTY at the end) is removed in another round; after the last one the
 * rest goes uncounted (the quota then errs on the full side until the next start recounts it).
 */
async function removeTree(dir: string, freed: { bytes: number }, round = 0): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try { entries = await fsp.readdir(dir, { withFileTypes: true }); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed meanwhile
    throw err;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { await removeTree(p, freed); continue; }
    let size = 0;
    if (e.isFile() && !isOwnTemp(e.name)) {
      try { size = (await fsp.lstat(p)).size; } catch { continue; } // gone meanwhile
    }
    try {
      await fsp.unlink(p);
      freed.bytes += size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  try {
    await fsp.rmdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    if (round + 1 < TREE_ROUNDS) { await removeTree(dir, freed, round + 1); return; }
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
