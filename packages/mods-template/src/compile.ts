/**
 * From a translated page to an Eta template function.
 *
 * The page's variables are bare names (as in .pyhtml): the compiled function starts with
 * `var {a, b, request} = __vars;` for the names known at compile time. This costs one destructuring per
 * render, far less than `with` (Eta's `useWith`), which would slow every name lookup of the page. A set of
 * names therefore has its own compiled function (see cache.ts); the page body runs inside a block, so a
 * `let` of the page may reuse a variable's name.
 */
import { Eta } from 'eta';
import { translate, type Translation } from './translate';

/** A compiled page: call with the page's variables, get the HTML. */
export type PageFunction = (vars: Record<string, unknown>) => string;

/** What compiled pages call at render time (`__t` in the generated code). */
export interface PageRuntime {
  /** `{{{ x }}}`: the value as is; null / undefined print nothing. */
  raw(v: unknown): string;
  /** `{{ for x in xs }}`: values of an iterable, keys of another object; null / undefined fail. */
  iter(v: unknown): Iterable<unknown>;
  /** `{{ include name [, extra] }}`: renders another page with the same variables (plus `extra`). */
  include(vars: Record<string, unknown>, fromFile: string, name: unknown, extra?: unknown): string;
  /** Attaches the page position of a runtime error (the innermost page wins). */
  located(err: unknown, offset: number, file: string): unknown;
}

/** Where a runtime error happened: a file and an offset in its source. */
export interface ErrorLocation { file: string; offset: number }

/** The location attached to an error thrown while rendering, if any. */
export const LOCATION = Symbol('mws.template.location');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const ESC_TEST = /[&<>"']/;
const ESC_ALL = /[&<>"']/g;
const escOne = (c: string): string => ESCAPES[c];

/** HTML-escapes a value for `{{ x }}`; null and undefined print nothing (as None did). */
export function escapeHtml(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return ESC_TEST.test(s) ? s.replace(ESC_ALL, escOne) : s;
}

const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false ' +
  'finally for function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
  'yield let static implements interface package private protected public await arguments eval ' +
  // Names the generated function declares itself (Eta's and ours).
  'include includeAsync layout output capture captureAsync block blockAsync options __eta __vars __t __file __p').split(' '));
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** True when `name` can be a bare variable of a page. */
export function isPageVarName(name: string): boolean {
  return IDENT.test(name) && !RESERVED.has(name);
}

/**
 * One Eta instance per module: its settings are ours (no trimming, our escaping, `__vars` as the data
 * name); Eta's own file loading and cache are not used for our pages (cache.ts checks freshness).
 */
export function createEta(runtime: PageRuntime): Eta {
  const eta = new Eta({ autoEscape: true, autoTrim: false, cache: false, varName: '__vars', escapeFunction: escapeHtml, useWith: false });
  (eta as unknown as { __mws: PageRuntime }).__mws = runtime;
  return eta;
}

/** Compiles a page already translated, for the variable `names`. Throws Eta's errors (EtaParseError). */
export function compileTranslated(eta: Eta, tr: Translation, file: string, names: readonly string[], debug: boolean): PageFunction {
  const vars = names.filter(isPageVarName);
  // All on the page's first line, so the lines of the page stay those of the template.
  const prologue = `<% const __t = this.__mws, __file = ${JSON.stringify(file)};${vars.length > 0 ? ` var {${vars.join(', ')}} = __vars;` : ''}${debug ? ' var __p = 0; try {' : ' {'} %>`;
  const epilogue = debug ? '<% } catch (__e) { throw __t.located(__e, __p, __file); } %>' : '<% } %>';
  const fn = eta.compile(prologue + tr.eta + epilogue);
  const opts = { filepath: file };
  return (data) => fn.call(eta, data, opts);
}

/** Translates and compiles a page source in one step (tests, benchmarks). */
export function compilePage(eta: Eta, source: string, names: readonly string[], options: { file?: string; debug?: boolean } = {}): PageFunction {
  const debug = options.debug === true;
  return compileTranslated(eta, translate(source, { debug }), options.file ?? '', names, debug);
}

/** A runtime for pages without includes (tests, benchmarks); `include` throws. */
export function basicRuntime(): PageRuntime {
  return {
    raw: rawValue,
    iter: iterValues,
    include() { throw new Error('include is not available here'); },
    located: locate,
  };
}

export function rawValue(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v);
}

export function iterValues(v: unknown): Iterable<unknown> {
  if (v === null || v === undefined) throw new TypeError(`cannot iterate over ${v}`);
  if (typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function') return v as Iterable<unknown>;
  if (typeof v === 'object') return Object.keys(v as object);
  throw new TypeError(`${typeof v} is not iterable`);
}

export function locate(err: unknown, offset: number, file: string): unknown {
  const e = err instanceof Error ? err : new Error(String(err));
  const holder = e as unknown as { [LOCATION]?: ErrorLocation };
  holder[LOCATION] ??= { file, offset };
  return e;
}
