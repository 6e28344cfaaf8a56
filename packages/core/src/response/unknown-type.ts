import * as path from 'node:path';

/**
 * The DEBUG line logged when a file is refused for its type (the server's `staticUnknownType` is
 * 'refuse'): what was refused, why, and how to serve it. Shared by static files and `returnFile`.
 */
export function refusedTypeMessage(what: string, filename: string): string {
  const ext = path.extname(filename).toLowerCase();
  const which = ext === '' ? 'files without an extension have' : `'${ext}' has`;
  return `${what} refused with 403: ${which} no MIME type and staticUnknownType is 'refuse' (addMimeType('${ext}', type) serves them)`;
}
