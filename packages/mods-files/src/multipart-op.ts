/**
 * POST of multipart/form-data to a folder (a browser's `<form enctype="multipart/form-data">`): each file
 * part is stored in that folder under its file name (the base name only: directories a client sends are
 * dropped), through the same checks and atomic writer as a raw upload; other fields are ignored. The
 * parts come from core's `request.multipart()` (busboy) as they arrive. The first refused part ends the
 * request with its status; the files stored before it stay (each one whole) and are listed in the answer.
 */
import type { HttpRequest } from '@microwebsrv/core';
import { NO_CONDITIONS } from './conditions';
import { refused, type FilesContext, type Outcome } from './context';
import { folderOf, isRefusal, placeOf, type Place } from './target';
import { storeFile } from './write-op';

export async function multipartOp(ctx: FilesContext, request: HttpRequest, dir: Place): Promise<Outcome> {
  const { opts } = ctx;
  // The folder: there already, or made (each missing step under the ACL's write access).
  const folder = await folderOf(ctx.realBase, dir.segments, opts.dotfiles, (aclPath) => ctx.allow(aclPath, 'write', request));
  if (isRefusal(folder)) return refused(folder.status, folder.reason);
  const rawDir = '/' + dir.segments.map((s) => encodeURIComponent(s) + '/').join('');
  const stored: unknown[] = [];
  let created = false;
  const limits = opts.maxFileBytes === Number.MAX_SAFE_INTEGER ? undefined : { fileSize: opts.maxFileBytes };
  const parts = request.multipart(limits);
  try {
    for (;;) {
      const next = await parts.next();
      if (next.done === true) break;
      const part = next.value;
      if (part.kind !== 'file' || part.stream === undefined) continue;
      const name = (part.filename ?? '').split(/[\\/]/).pop() ?? '';
      if (name === '') { part.stream.resume(); continue; } // a file input left empty
      const place = placeOf(rawDir + encodeURIComponent(name), opts.dotfiles);
      if (isRefusal(place)) {
        part.stream.resume();
        return { status: place.status === 404 ? 403 : place.status, reason: `file name ${JSON.stringify(name)}: ${place.reason}`, json: { error: `file name ${JSON.stringify(name)}: ${place.reason}`, stored } };
      }
      // A malformed form or a passed limit fails the part's stream with core's MwsError (ERR_MWS_BAD_MULTIPART,
      // ERR_MWS_MULTIPART_LIMIT): it propagates, and core answers 400 / 413.
      const out = await storeFile(ctx, request, place, { chunks: part.stream, signal: request.signal }, -1, NO_CONDITIONS);
      if (out.status >= 400) {
        part.stream.resume();
        return { status: out.status, reason: out.reason, json: { error: out.reason ?? 'refused', path: place.aclPath, stored } };
      }
      stored.push(out.json);
      if (out.status === 201) created = true;
    }
  } finally {
    await parts.return?.();
  }
  if (stored.length === 0) return refused(400, 'no file in the form');
  return { status: created ? 201 : 200, json: { path: dir.aclPath, files: stored } };
}
