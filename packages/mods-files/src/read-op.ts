/**
 * GET / HEAD: a folder path ending in '/' → its listing (JSON, or HTML when the client prefers text/html);
 * a folder without the '/' → 301 to it; a file → core's static machinery (`serveStaticFile`: ETag,
 * Last-Modified, 304 / 412, Range / 206 / 416, HEAD), revalidated on every use (`Cache-Control: no-cache`:
 * files here change under their names). A file's path is resolved once, by core.
 */
import { promises as fsp } from 'node:fs';
import { serveStaticFile, type HttpRequest, type StaticOptions, type StaticSite } from '@microwebsrv/core';
import { answered, refused, type FilesContext, type Outcome } from './context';
import { listFolder, listingHtml } from './listing';
import { isRefusal, placeOf, realOf } from './target';

export async function readOp(ctx: FilesContext, site: StaticSite, request: HttpRequest, rawSub: string, urlPrefix: string): Promise<Outcome> {
  const { opts } = ctx;
  const place = placeOf(rawSub, opts.dotfiles);
  if (isRefusal(place)) return refused(place.status, place.reason);
  let decision = await ctx.allow(place.aclPath, 'read', request);
  if (decision !== 0) return refused(decision, `ACL refuses reading ${place.aclPath}`);
  // A file: core's static machinery resolves the path (once, through its cache of resolved paths) and
  // answers. Anything else — a folder, nothing servable — it leaves untouched, and it is resolved here.
  if (!place.dirSlash && await serveStaticFile(site, request, rawSub, staticOptionsOf(site, opts.dotfiles))) return answered;
  const real = await realOf(ctx.realBase, place, opts.dotfiles);
  if (real === null) return refused(404, 'absent');
  const st = await fsp.stat(real);
  if (st.isDirectory()) {
    if (!place.dirSlash) {
      decision = await ctx.allow(place.aclPath + '/', 'read', request);
      if (decision !== 0) return refused(decision, `ACL refuses reading ${place.aclPath}/`);
      const q = request.queryString;
      // Re-encoded from the decoded names: a raw '//host' can never become a protocol-relative Location.
      const loc = urlPrefix + '/' + place.segments.map((s) => encodeURIComponent(s) + '/').join('') + (q ? '?' + q : '');
      return { status: 301, headers: { Location: loc } };
    }
    if (!opts.listings) return refused(403, 'listings are off');
    const listing = await listFolder(ctx.realBase, real, place.aclPath, opts.dotfiles);
    if (request.acceptsType(['application/json', 'text/html']) === 'text/html') {
      return { status: 200, html: listingHtml(listing, urlPrefix + place.aclPath), headers: { 'Cache-Control': 'no-cache' } };
    }
    return { status: 200, json: listing, headers: { 'Cache-Control': 'no-cache' } };
  }
  // A file named with a '/', or not a regular file (a FIFO, a socket): nothing to serve.
  return refused(404, 'not a file');
}

/**
 * The static settings of a file manager: the server's, with its own dotfile rule, no default pages,
 * no-cache, and no redirect of folders (core's would leave out the prefix; readOp makes its own).
 */
function staticOptionsOf(site: StaticSite, dotfiles: boolean): StaticOptions {
  return { ...site.staticOptions, serveDotFiles: dotfiles, defaultPages: [], cacheControl: 'no-cache', redirectFolders: false };
}
