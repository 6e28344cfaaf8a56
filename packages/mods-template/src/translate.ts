/**
 * The instruction syntax (MicroWebSrv2's .pyhtml, with JavaScript inside) → an Eta template.
 *
 * A small state machine over the text: TEXT (copied) → INSTR (between `{{` and `}}`, JS strings skipped so a
 * `}}` inside a string does not close it) → back to TEXT, or → CODE (after `{{ js }}`, everything up to
 * `{{ end }}` is statements). Every newline of the source is kept at the same line in the output, so a line
 * of the Eta template is the same line of the page; with `debug`, each instruction also records its offset
 * in the page (`__p=…`) so a runtime error can name the line and column of the instruction that failed.
 *
 * The translation runs once per compiled file: what it emits is plain Eta tags, nothing per request.
 */

/** An error in a page's instruction syntax (or a JavaScript syntax error inside one instruction). */
export class TemplateSyntaxError extends Error {
  /** 1-based line and column of the instruction in the page. */
  constructor(message: string, readonly offset: number, readonly line: number, readonly col: number) {
    super(`${message} (line ${line}, column ${col})`);
    this.name = 'TemplateSyntaxError';
  }
}

/** The result of {@link translate}: Eta source whose lines are the page's lines. */
export interface Translation {
  /** The Eta template body (to be wrapped by the compiler's prologue and epilogue). */
  eta: string;
}

export interface TranslateOptions {
  /** Emit `__p=<offset>;` before each instruction (the error page's position). */
  debug?: boolean;
  /** Check each instruction's JavaScript at translation time, so a syntax error names its line (default true). */
  checkSyntax?: boolean;
}

/** 1-based line and column of `offset` in `src`. */
export function lineColOf(src: string, offset: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = src.indexOf('\n'); i !== -1 && i < offset; i = src.indexOf('\n', i + 1)) { line++; last = i; }
  return { line, col: offset - last };
}

function fail(src: string, offset: number, message: string): never {
  const { line, col } = lineColOf(src, offset);
  throw new TemplateSyntaxError(message, offset, line, col);
}

/**
 * Index of the `close` that ends an instruction starting at `from`, skipping JS string literals ('', "",
 * `` with nested ${}) and comments; -1 when there is none.
 */
function findClose(src: string, from: number, close: string): number {
  let i = from;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 0x27 || c === 0x22 || c === 0x60) { // ' " `
      i = skipString(src, i);
      if (i < 0) return -1;
      continue;
    }
    if (c === 0x2f /* / */ && src.charCodeAt(i + 1) === 0x2a /* * */) {
      const e = src.indexOf('*/', i + 2);
      if (e < 0) return -1;
      i = e + 2;
      continue;
    }
    if (src.startsWith(close, i)) return i;
    i++;
  }
  return -1;
}

/** Index after the string literal opening at `i`; -1 when unterminated. */
function skipString(src: string, i: number): number {
  const q = src.charCodeAt(i);
  let j = i + 1;
  while (j < src.length) {
    const c = src.charCodeAt(j);
    if (c === 0x5c /* \ */) { j += 2; continue; }
    if (c === q) return j + 1;
    if (q === 0x60 && c === 0x24 && src.charCodeAt(j + 1) === 0x7b) { // ${ … } inside a template literal
      const e = findClose(src, j + 2, '}');
      if (e < 0) return -1;
      j = e + 1;
      continue;
    }
    if (q !== 0x60 && c === 0x0a) return -1; // '…' and "…" end at the line
    j++;
  }
  return -1;
}

/** Throws a TemplateSyntaxError at `offset` when `code` is not valid JavaScript (parsed, never run). */
function checkJs(src: string, offset: number, code: string, what: string, check: boolean): void {
  if (!check) return;
  try {
    // eslint-disable-next-line no-new-func, @typescript-eslint/no-implied-eval
    new Function(code);
  } catch (err) {
    fail(src, offset, `${what}: ${(err as Error).message}`);
  }
}

/** Eta tag content may not hold `%>` outside strings; text may not hold `<%`: both are Eta's delimiters. */
function text(s: string): string {
  if (s.indexOf('<%') === -1) return s;
  // Literal text that looks like an Eta tag goes out as a raw string; its newlines are kept after it.
  return `<%~ ${JSON.stringify(s)}${'\n'.repeat(nlCount(s))} %>`;
}

type Block = { kind: 'if' | 'for'; offset: number; sawElse: boolean };

const END = /^\{\{\s*end\s*\}\}/;
const FOR = /^for\s+([\s\S]+?)\s+(in|of)\s+([\s\S]+)$/;
const KEYWORD = /^([a-z]+)(?:\s+([\s\S]*))?$/;

function nlCount(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Translates a page. Instructions (see the README): `{{ expr }}`, `{{{ raw }}}`, `{{ js }} … {{ end }}`,
 * `{{ if c }} … {{ elif c }} … {{ else }} … {{ end }}`, `{{ for x in xs }}` / `{{ for x of xs }}` …
 * `{{ end }}`, `{{ include 'partial' [, vars] }}`. Throws {@link TemplateSyntaxError}.
 */
export function translate(src: string, options: TranslateOptions = {}): Translation {
  const debug = options.debug === true;
  const check = options.checkSyntax !== false;
  const out: string[] = [];
  const stack: Block[] = [];
  let i = 0;
  const mark = (off: number): string => (debug ? `__p=${off};` : '');
  /** A marker tag of its own, before an output tag (nothing without debug). */
  const markTag = (off: number): string => (debug ? `<% __p=${off}; %>` : '');
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) { out.push(text(src.slice(i))); break; }
    if (open > i) out.push(text(src.slice(i, open)));
    // `{{{ … }}}`: raw output of trusted HTML.
    if (src.startsWith('{{{', open)) {
      const close = findClose(src, open + 3, '}}}');
      if (close < 0) fail(src, open, 'unclosed {{{');
      const expr = src.slice(open + 3, close);
      if (expr.trim() === '') fail(src, open, 'empty {{{ }}}');
      checkJs(src, open, `return (${expr})`, 'raw expression', check);
      out.push(`${markTag(open)}<%~ __t.raw(${expr}) %>`);
      i = close + 3;
      continue;
    }
    const close = findClose(src, open + 2, '}}');
    if (close < 0) fail(src, open, 'unclosed {{');
    const body = src.slice(open + 2, close);
    const content = body.trim();
    i = close + 2;
    if (content === '') fail(src, open, 'empty {{ }}');
    // Newlines of the instruction that its translation dropped go back in before the tag's '%>' (Eta
    // ignores whitespace there), so the next line of the page is the same line of the Eta template.
    const tag = (s: string, orig: string = body): string => {
      const missing = nlCount(orig) - nlCount(s);
      return missing > 0 ? s.slice(0, -2) + '\n'.repeat(missing) + '%>' : s;
    };
    const kw = KEYWORD.exec(content);
    const word = kw?.[1] ?? '';
    const arg = kw?.[2] ?? '';
    if (content === 'js' || content === 'py') {
      // CODE state: statements up to the next `{{ end }}` (not nested: code holds no instructions).
      let j = i;
      let endAt = -1;
      let endLen = 0;
      while (j < src.length) {
        const k = src.indexOf('{{', j);
        if (k < 0) break;
        const m = END.exec(src.slice(k, k + 64));
        if (m !== null) { endAt = k; endLen = m[0].length; break; }
        j = k + 2;
      }
      if (endAt < 0) fail(src, open, `{{ ${content} }} without {{ end }}`);
      const code = src.slice(i, endAt);
      checkJs(src, open, code, 'code block', check);
      // Eta puts a newline after the code, so a trailing // comment cannot swallow what follows.
      out.push(tag(`<% ${mark(open)}${code} %>`, body + code + src.slice(endAt, endAt + endLen)));
      i = endAt + endLen;
      continue;
    }
    if (content === 'end') {
      if (stack.pop() === undefined) fail(src, open, '{{ end }} without an open block');
      out.push(tag('<% } %>'));
      continue;
    }
    if (content === 'else') {
      const b = stack[stack.length - 1];
      if (b === undefined || b.kind !== 'if') fail(src, open, '{{ else }} outside an {{ if }}');
      if (b.sawElse) fail(src, open, 'a second {{ else }} in one {{ if }}');
      b.sawElse = true;
      out.push(tag('<% } else { %>'));
      continue;
    }
    if (word === 'if' && arg !== '') {
      checkJs(src, open, `if (${arg}) {}`, 'if condition', check);
      stack.push({ kind: 'if', offset: open, sawElse: false });
      out.push(tag(`<% ${mark(open)}if (${arg}) { %>`));
      continue;
    }
    if (word === 'elif' && arg !== '') {
      const b = stack[stack.length - 1];
      if (b === undefined || b.kind !== 'if') fail(src, open, '{{ elif }} outside an {{ if }}');
      if (b.sawElse) fail(src, open, '{{ elif }} after {{ else }}');
      checkJs(src, open, `if (${arg}) {}`, 'elif condition', check);
      // The marker sits in the condition: an else-if test runs inside the chain, not as a statement.
      out.push(tag(`<% } else if (${debug ? `__p=${open}, ` : ''}${arg}) { %>`));
      continue;
    }
    if (word === 'for') {
      const m = FOR.exec(content);
      if (m === null) fail(src, open, 'expected {{ for x in xs }} or {{ for x of xs }}');
      const [, target, how, iter] = m;
      // `in`: Python's meaning (values of an iterable, keys of a plain object); `of`: JavaScript's for…of.
      const source = how === 'in' ? `__t.iter(${iter})` : `(${iter})`;
      checkJs(src, open, `for (const ${target} of ${source}) {}`, 'for', check);
      stack.push({ kind: 'for', offset: open, sawElse: false });
      out.push(tag(`<% ${mark(open)}for (const ${target} of ${source}) { %>`));
      continue;
    }
    if (word === 'include' && arg !== '') {
      checkJs(src, open, `f(${arg})`, 'include', check);
      out.push(tag(`${markTag(open)}<%~ __t.include(__vars, __file, ${arg}) %>`));
      continue;
    }
    checkJs(src, open, `return (${content})`, 'expression', check);
    out.push(tag(`${markTag(open)}<%= ${content} %>`));
  }
  if (stack.length > 0) {
    const b = stack[stack.length - 1];
    fail(src, b.offset, `{{ ${b.kind} }} without {{ end }}`);
  }
  return { eta: out.join('') };
}
