/**
 * The TemplatePages module: MicroWebSrv2's PyhtmlTemplate, with JavaScript in the pages.
 *
 * GET/HEAD of a page file under `rootPath` (default extension `.jshtml`, and native `.eta` pages) renders
 * it; a route renders one with `returnTemplate`. Path safety is the static module's (core's
 * `parseStaticPath` / `realRootOf` / `realInside`): a page is served only where a static file would be.
 */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { Eta } from 'eta';
import { isInside, MwsError, parseStaticPath, realInside, realRootOf, type HttpRequest, type MicroWebSrv, type MwsModule } from '@microwebsrv/core';
import { PageCache, type CachedPage, PageNotFoundError } from './cache';
import { compileTranslated, createEta, escapeHtml, isPageVarName, iterValues, locate, rawValue, type PageFunction, type PageRuntime } from './compile';
import { debugErrorPage, logLine, positionOf } from './error-page';
import { translate, type Translation } from './translate';

/** Options of `server.loadModule(TemplatePages, options)`. */
export interface TemplatePagesOptions {
  /** Extension of instruction-syntax pages (default `.jshtml`: HTML with JavaScript). */
  extension?: string;
  /** Also render native Eta pages (`.eta`, Eta's own `<% %>` syntax, data as `it`). Default true. */
  serveEta?: boolean;
  /** Errors answer a 500 page with the message and the page's lines (default false: a plain 500). */
  showDebug?: boolean;
  /** Initial global variables (see {@link TemplatePages.setGlobalVar}). */
  globals?: Record<string, unknown>;
}

/** Most remembered path resolutions (the map is emptied beyond). */
const MAX_RESOLVED = 1024;

/** Deepest chain of includes (a page including itself stops here instead of overflowing the stack). */
const MAX_INCLUDE_DEPTH = 32;

/** A page path of a route ('/a/b.jshtml' or 'a/b.jshtml', not percent-encoded) → a raw request path. */
function rawPathOf(p: string): string {
  return '/' + p.split('/').filter((s) => s.length > 0).map(encodeURIComponent).join('/');
}

export class TemplatePages implements MwsModule {
  /** Extension of instruction-syntax pages, with its dot. */
  readonly extension: string;
  /** Native `.eta` pages are served too. */
  readonly serveEta: boolean;
  private _showDebug: boolean;
  private readonly globals = new Map<string, unknown>();
  /** Changes when the set of global names changes: part of every compile key. */
  private globalsKey = '';
  private readonly cache = new PageCache();
  private readonly eta: Eta;
  private readonly nativeEta: Eta;
  private includeDepth = 0;
  private realRootSync: { abs: string; real: string } | null = null;
  /** Checked request paths (decoded segments) → realpath of their page. */
  private readonly resolved = new Map<string, string>();

  constructor(readonly server: MicroWebSrv, options: TemplatePagesOptions = {}) {
    const ext = options.extension ?? '.jshtml';
    if (typeof ext !== 'string' || !/^\.[\w.-]+$/.test(ext)) throw new MwsError('ERR_MWS_INVALID_OPTION', `TemplatePages extension must be '.name' such as '.jshtml', got ${JSON.stringify(ext) ?? String(ext)}`);
    this.extension = ext;
    this.serveEta = options.serveEta ?? true;
    this._showDebug = options.showDebug === true;
    for (const [k, v] of Object.entries(options.globals ?? {})) this.setGlobalVar(k, v);
    const runtime: PageRuntime = {
      raw: rawValue,
      iter: iterValues,
      include: (vars, from, name, extra) => this.include(vars, from, name, extra),
      located: locate,
    };
    this.eta = createEta(runtime);
    this.nativeEta = new Eta({ autoTrim: false, cache: false, escapeFunction: escapeHtml });
  }

  /** Errors show a debug page (MicroWebSrv2's `ShowDebug`). Changing it recompiles the pages. */
  get showDebug(): boolean { return this._showDebug; }
  set showDebug(v: boolean) {
    if (v !== this._showDebug) this.cache.clear();
    this._showDebug = v === true;
  }

  /**
   * Defines a variable of every page (a bare name in the pages). `name` must be a JavaScript identifier
   * (not a reserved word); `value` undefined removes it.
   */
  setGlobalVar(name: string, value: unknown): void {
    if (typeof name !== 'string' || !isPageVarName(name) || name === 'request') throw new MwsError('ERR_MWS_INVALID_OPTION', `setGlobalVar name must be a JavaScript identifier other than a reserved word or 'request', got ${JSON.stringify(name) ?? String(name)}`);
    const had = this.globals.has(name);
    if (value === undefined) this.globals.delete(name);
    else this.globals.set(name, value);
    if (had !== this.globals.has(name)) this.globalsKey = [...this.globals.keys()].join(',');
  }

  /** A global variable, or null when not defined (MicroWebSrv2's `GetGlobalVar`). */
  getGlobalVar(name: string): unknown {
    if (typeof name !== 'string' || name.length === 0) throw new MwsError('ERR_MWS_INVALID_OPTION', `getGlobalVar name must be a non-empty string, got ${JSON.stringify(name) ?? String(name)}`);
    return this.globals.has(name) ? this.globals.get(name) : null;
  }

  /** The pipeline step: GET/HEAD of a page renders it; anything else passes. */
  onRequest(server: MicroWebSrv, request: HttpRequest): Promise<void> | void {
    const m = request.method;
    if (m !== 'GET' && m !== 'HEAD') return;
    const p = request.path;
    if (!p.endsWith(this.extension) && !(this.serveEta && p.endsWith('.eta'))) return;
    // A page named '_…' is a partial: rendered alone it lacks its variables, and its debug page would
    // show its source. It is only included (or rendered by returnTemplate), never requested.
    if (p.charCodeAt(p.lastIndexOf('/') + 1) === 0x5f) { request.response.returnNotFound(); return; }
    return this.serve(request, request.rawPath, undefined, false);
  }

  /**
   * Renders the page at `pagePath` (under `rootPath`, '/' separated, not percent-encoded) as the response
   * of `request`, with `vars` as extra variables of this render. No such page: 404.
   */
  async returnTemplate(request: HttpRequest, pagePath: string, vars?: Record<string, unknown>): Promise<void> {
    await this.serve(request, rawPathOf(pagePath), vars, true);
  }

  /**
   * The HTML of the page at `pagePath` (as {@link returnTemplate}) with `vars`; `request` is the page's
   * `request` variable (null when omitted). Errors are thrown (TemplateSyntaxError, the page's error).
   */
  async render(pagePath: string, vars?: Record<string, unknown>, request: HttpRequest | null = null): Promise<string> {
    const file = await this.resolve(rawPathOf(pagePath), true);
    if (file === null) throw new PageNotFoundError(pagePath);
    return this.renderPage(await this.load(file), request, vars);
  }

  /** Resolves a raw path to a page file inside the root (the static module's rules), or null. */
  private async resolve(rawPath: string, dotOk: boolean): Promise<string | null> {
    const dots = dotOk || this.server.serveDotFiles;
    const sp = parseStaticPath(rawPath, dots);
    if (!sp.ok || sp.segments.length === 0) return null;
    // The realpath of a page is remembered (an async realpath per request would cost more than the
    // render): what it names was inside the root when resolved, and it is dropped when it stops existing.
    const key = (dots ? '.' : '-') + this.server.rootPath + '\0' + sp.segments.join('/');
    const hit = this.resolved.get(key);
    if (hit !== undefined) return hit;
    const root = await realRootOf(this.server);
    if (root === null) return null;
    const real = await realInside(root, path.join(root, ...sp.segments), dots);
    if (real !== null) {
      if (this.resolved.size >= MAX_RESOLVED) this.resolved.clear(); // bounded, whatever paths are asked
      this.resolved.set(key, real);
    }
    return real;
  }

  /** The page of `file` (cache.ts); a remembered resolution whose file is gone is forgotten. */
  private async load(file: string): Promise<CachedPage> {
    try {
      return await this.cache.load(file);
    } catch (err) {
      for (const [k, v] of this.resolved) if (v === file) this.resolved.delete(k);
      throw err;
    }
  }

  private async serve(request: HttpRequest, rawPath: string, vars: Record<string, unknown> | undefined, fromRoute: boolean): Promise<void> {
    const response = request.response;
    let file: string | null = null;
    try {
      file = await this.resolve(rawPath, fromRoute);
      if (file === null) {
        if (fromRoute) response.returnNotFound();
        return; // not a page here: the static step answers (404 for what it cannot serve either)
      }
      let page: CachedPage;
      try {
        page = await this.load(file);
      } catch (err) {
        if (err instanceof PageNotFoundError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
          if (fromRoute) response.returnNotFound();
          return;
        }
        throw err;
      }
      const html = this.renderPage(page, request, vars);
      if (response.started) return; // the page answered itself (request.response in a js block)
      response.contentType = 'text/html';
      response.return(200, html);
    } catch (err) {
      this.fail(request, err, file);
    }
  }

  /** Logs a render error and answers 500: the debug page with `showDebug`, else the plain one. */
  private fail(request: HttpRequest, err: unknown, file: string | null): void {
    const pos = positionOf(err, file, (f) => this.cache.peek(f)?.source);
    this.server.log(logLine(err, pos), 'ERROR');
    const response = request.response;
    if (response.started) return;
    if (!this._showDebug) { response.returnInternalServerError(); return; }
    const root = this.realRootSync?.real ?? path.resolve(this.server.rootPath);
    const shown = pos.file === null ? null : isInside(root, pos.file) ? '/' + path.relative(root, pos.file).split(path.sep).join('/') : path.basename(pos.file);
    response.contentType = 'text/html';
    response.return(500, debugErrorPage(err, pos, shown));
  }

  /** One render: fresh variables (globals, then `request`, then this render's), nothing kept after it. */
  private renderPage(page: CachedPage, request: HttpRequest | null, vars: Record<string, unknown> | undefined): string {
    const data: Record<string, unknown> = {};
    for (const [k, v] of this.globals) data[k] = v;
    data.request = request;
    let key = this.globalsKey;
    if (vars !== undefined) {
      Object.assign(data, vars);
      key += '|' + Object.keys(vars).join(',');
    }
    return this.functionOf(page, key, data)(data);
  }

  /** The compiled function of `page` for the names of `data` (compiled on first use of this key). */
  private functionOf(page: CachedPage, key: string, data: Record<string, unknown>): PageFunction {
    let fn = page.fns.get(key);
    if (fn !== undefined) return fn;
    if (page.error !== undefined) throw page.error;
    try {
      if (page.file.endsWith(this.extension)) {
        page.prepared ??= translate(page.source, { debug: this._showDebug });
        fn = compileTranslated(this.eta, page.prepared as Translation, page.file, Object.keys(data), this._showDebug);
      } else {
        const eta = this.nativeEta;
        const native = eta.compile(page.source);
        const opts = { filepath: page.file };
        fn = (d) => native.call(eta, d, opts);
      }
    } catch (err) {
      page.error = err;
      throw err;
    }
    page.fns.set(key, fn);
    return fn;
  }

  /** realpath of the root for includes (synchronous: a render is synchronous). */
  private rootSync(): string {
    const abs = path.resolve(this.server.rootPath);
    if (this.realRootSync === null || this.realRootSync.abs !== abs) this.realRootSync = { abs, real: realpathSync(abs) };
    return this.realRootSync.real;
  }

  /**
   * `{{ include name [, extra] }}`: `name` relative to the including page ('/…': to the root), the
   * including page's extension added when it has none; it must lie inside the root. Same variables as
   * the including page (the render's, not the page's own `js` variables), plus `extra`.
   */
  private include(vars: Record<string, unknown>, from: string, name: unknown, extra?: unknown): string {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('include: the page name must be a non-empty string');
    if (this.includeDepth >= MAX_INCLUDE_DEPTH) throw new Error(`include: more than ${MAX_INCLUDE_DEPTH} nested includes`);
    const root = this.rootSync();
    const withExt = path.extname(name) === '' ? name + (path.extname(from) || this.extension) : name;
    const target = name.startsWith('/') ? path.join(root, withExt) : path.resolve(path.dirname(from), withExt);
    let real: string;
    try {
      real = realpathSync(target);
    } catch {
      throw new Error(`include: no page '${name}'`);
    }
    if (!isInside(root, real)) throw new Error(`include: '${name}' is outside the root`);
    const data = extra !== undefined && extra !== null ? { ...vars, ...(extra as object) } : vars;
    const key = '*' + Object.keys(data).join(',');
    this.includeDepth++;
    try {
      return this.functionOf(this.cache.loadSync(real), key, data)(data);
    } finally {
      this.includeDepth--;
    }
  }
}
