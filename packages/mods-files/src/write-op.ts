/**
 * PUT / POST: a path ending in '/' creates the folder (and its parents); any other path stores the body
 * as that file through the atomic writer (parents created), under the ACL, the type rules (415), the size
 * limits (413, 507) and the request's conditions (412). 201 for a new file, 200 for a replaced one, with
 * `{ path, size }` and the new file's ETag.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { validatorsOf, type HttpRequest } from '@microwebsrv/core';
import { WriteRefused, writeAtomic } from './atomic-write';
import type { BodySource } from './body-source';
import { conditionsOf, type Conditions } from './conditions';
import { refused, type FilesContext, type Outcome } from './context';
import { fileTarget, folderOf, isRefusal, type CreateCheck, type Place } from './target';

/** The check `folderOf` runs before creating a missing folder: the ACL's write access to it. */
function createCheck(ctx: FilesContext, request: HttpRequest): CreateCheck {
  return (aclPath) => ctx.allow(aclPath, 'write', request);
}

/** A path ending in '/': creates the folder (201), or finds it there (200). */
export async function mkdirOp(ctx: FilesContext, request: HttpRequest, place: Place): Promise<Outcome> {
  if (place.segments.length === 0) return { status: 200, json: { path: '/', type: 'directory' } };
  const decision = await ctx.allow(place.aclPath, 'write', request);
  if (decision !== 0) return refused(decision, `ACL refuses creating ${place.aclPath}`);
  const made = await folderOf(ctx.realBase, place.segments, ctx.opts.dotfiles, createCheck(ctx, request));
  if (isRefusal(made)) return refused(made.status, made.reason);
  return { status: made.created ? 201 : 200, json: { path: place.aclPath, type: 'directory' } };
}

/** The type rules of uploads: extension and media type (as the file would be served) → 415. */
export function typeRefusal(ctx: FilesContext, name: string): string | null {
  const { allowedExtensions, allowedTypes } = ctx.opts;
  if (allowedExtensions !== null) {
    const ext = path.extname(name).slice(1).toLowerCase();
    if (!allowedExtensions.has(ext)) return `extension '${ext}' is not in allowedExtensions`;
  }
  if (allowedTypes !== null) {
    const type = ctx.typeOf(name).split(';')[0].trim().toLowerCase();
    const ok = allowedTypes.some((t) => t === type || (t.endsWith('/*') && type.startsWith(t.slice(0, -1))));
    if (!ok) return `type '${type}' is not in allowedTypes`;
  }
  return null;
}

/**
 * Stores `source` as the file `place`. `declared`: the body's Content-Length (-1: chunked), checked
 * against the limits before a byte is read. Rejects only with the source's own error (the client left,
 * the body timed out or passed core's limit): nothing is answered then, and nothing was stored.
 */
export function uploadOp(ctx: FilesContext, request: HttpRequest, place: Place, source: BodySource, declared: number): Promise<Outcome> {
  return storeFile(ctx, request, place, source, declared, conditionsOf(request));
}

/** {@link uploadOp} under explicit `conditions` (a multipart form's files have none). */
export async function storeFile(ctx: FilesContext, request: HttpRequest, place: Place, source: BodySource, declared: number, conditions: Conditions): Promise<Outcome> {
  const { opts, quota } = ctx;
  const name = place.segments[place.segments.length - 1];
  const decision = await ctx.allow(place.aclPath, 'write', request);
  if (decision !== 0) return refused(decision, `ACL refuses writing ${place.aclPath}`);
  const typeWhy = typeRefusal(ctx, name);
  if (typeWhy !== null) return refused(415, typeWhy);
  if (declared > opts.maxFileBytes) return refused(413, `Content-Length ${declared} passes maxFileBytes (${opts.maxFileBytes})`);
  const target = await fileTarget(ctx.realBase, place, opts.dotfiles, createCheck(ctx, request));
  if (isRefusal(target)) return refused(target.status, target.reason);
  const credit = target.existing?.size ?? 0;
  if (declared > 0 && !quota.fits(declared, credit)) return refused(507, 'the folder would pass maxTotalBytes');
  if (await conditions.check(target.file) !== 0) return refused(412, 'precondition failed');
  let taken = 0;
  try {
    const stored = await writeAtomic(target.file, source, {
      maxBytes: opts.maxFileBytes,
      take: (n) => { const ok = quota.take(n, credit); if (ok) taken += n; return ok; },
      precondition: (file) => conditions.check(file),
      createOnly: conditions.createOnly,
    });
    quota.release(stored.replacedSize);
    const headers: Record<string, string> = {};
    try { headers.ETag = validatorsOf(await fsp.stat(target.file, { bigint: true })).etag; } catch { /* replaced again meanwhile */ }
    ctx.log(`files: stored ${place.aclPath} (${stored.size} bytes${stored.replaced ? ', replaced' : ''})`, 'INFO');
    return { status: stored.replaced ? 200 : 201, json: { path: place.aclPath, size: stored.size }, headers };
  } catch (err) {
    quota.release(taken);
    if (err instanceof WriteRefused) return refused(err.status, err.message);
    throw err;
  }
}
