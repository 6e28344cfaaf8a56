/**
 * DELETE (uhttpd's receiver with `delete=True`): a file; a folder when the path ends in '/' (empty, else
 * 409 — `?force=1` removes it with everything in it). A symlink is removed itself, never what it points
 * to. The base folder itself is never removed (403). 204 when done.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { HttpRequest } from '@microwebsrv/core';
import { removeStaleTemps } from './atomic-write';
import { refused, type FilesContext, type Outcome } from './context';
import { folderOf, isRefusal, type Place } from './target';
import { realInside } from '@microwebsrv/core';

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
      await fsp.rm(entry, { recursive: true, force: true });
      // What went is not counted one by one: count the base afresh (this also drops stale temp files).
      ctx.quota.used = (await removeStaleTemps(ctx.realBase)).bytes;
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
