/**
 * The `showDebug` 500 page: the message, the page file, line and column, and the lines around it.
 * MicroWebSrv2 put the error text in its page unescaped; here every piece of it is HTML-escaped (the
 * message may quote a value of the request).
 */
import { escapeHtml, LOCATION, type ErrorLocation } from './compile';
import { lineColOf, TemplateSyntaxError } from './translate';

/** Where an error happened in a page, as far as known. */
export interface ErrorPosition {
  file: string | null;
  line: number | null;
  col: number | null;
  /** The lines around `line`, numbered from `first`. */
  context: { first: number; lines: string[] } | null;
}

/** Lines shown before and after the failing line. */
const AROUND = 3;

/**
 * Finds where `err` happened: the location attached while rendering (innermost page), else `fallbackFile`.
 * `sourceOf` gives a page's text (from the cache).
 */
export function positionOf(err: unknown, fallbackFile: string | null, sourceOf: (file: string) => string | undefined): ErrorPosition {
  const loc = (err as { [LOCATION]?: ErrorLocation } | null)?.[LOCATION];
  const file = loc?.file ?? fallbackFile;
  let offset = loc?.offset ?? -1;
  if (offset < 0 && err instanceof TemplateSyntaxError) offset = err.offset;
  const src = file !== null ? sourceOf(file) : undefined;
  if (file === null || src === undefined || offset < 0) return { file, line: null, col: null, context: null };
  const { line, col } = lineColOf(src, offset);
  const all = src.split('\n');
  const first = Math.max(1, line - AROUND);
  return { file, line, col, context: { first, lines: all.slice(first - 1, Math.min(all.length, line + AROUND)) } };
}

/** The message of an error, without the position text TemplateSyntaxError appends (the page shows it). */
function messageOf(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** One line for the server's log: message and position. */
export function logLine(err: unknown, pos: ErrorPosition): string {
  const where = pos.file === null ? '' : ` in ${pos.file}${pos.line !== null ? `:${pos.line}:${pos.col}` : ''}`;
  return `template error${where}: ${messageOf(err).split('\n')[0]}`;
}

/** The HTML of the debug page; `displayFile` is the page's name as shown (relative to the root). */
export function debugErrorPage(err: unknown, pos: ErrorPosition, displayFile: string | null): string {
  const rows: string[] = [];
  if (pos.context !== null) {
    pos.context.lines.forEach((text, i) => {
      const n = pos.context!.first + i;
      const here = n === pos.line;
      rows.push(`<tr${here ? ' class="here"' : ''}><td>${n}</td><td><pre>${escapeHtml(text)}</pre></td></tr>`);
    });
  }
  const where = displayFile === null ? 'unknown page'
    : `${escapeHtml(displayFile)}${pos.line !== null ? `, line ${pos.line}, column ${pos.col}` : ''}`;
  return '<!DOCTYPE html>\n<html><head><meta charset="UTF-8"><title>500 Template error</title>'
    + '<style>body{font-family:sans-serif}pre{margin:0}td{vertical-align:top;padding:0 .5em}'
    + 'tr.here{background:#fdd;font-weight:bold}</style></head><body>'
    + '<h1>500 Template error</h1>'
    + `<p class="where">${where}</p>`
    + `<pre class="message">${escapeHtml(messageOf(err))}</pre>`
    + (rows.length > 0 ? `<table class="context">${rows.join('')}</table>` : '')
    + '</body></html>\n';
}
