import { REASON_PHRASES } from '../http/responses';

/** Status lines of the known codes, built once: `HTTP/1.1 200 OK\r\n`. */
const STATUS_LINES: string[] = [];
for (const [code, reason] of Object.entries(REASON_PHRASES)) STATUS_LINES[Number(code)] = `HTTP/1.1 ${code} ${reason}\r\n`;

export function reasonPhrase(code: number): string {
  return REASON_PHRASES[code] ?? (code < 200 ? 'Informational' : code < 300 ? 'Success' : code < 400 ? 'Redirection' : code < 500 ? 'Client Error' : 'Server Error');
}

/** The status line, `HTTP/1.1 200 OK\r\n`: a constant string for the known codes. */
export function statusLine(code: number): string {
  return STATUS_LINES[code] ?? `HTTP/1.1 ${code} ${reasonPhrase(code)}\r\n`;
}


/** `Content-Type` field lines by charset (or none), then by type: a head reuses the line, never rebuilds it. */
const typeLines = new Map<string | null, Map<string, string>>();
/** Most lines kept per charset: a server that sends unbounded distinct types does not grow memory. */
const MAX_TYPE_LINES = 256;

/** `Content-Type: <type>[; charset=<charset>]\r\n`, cached. */
export function contentTypeLine(type: string, charset: string | null): string {
  let byType = typeLines.get(charset);
  if (byType === undefined) { byType = new Map(); typeLines.set(charset, byType); }
  let line = byType.get(type);
  if (line === undefined) {
    if (byType.size >= MAX_TYPE_LINES) byType.clear();
    line = charset === null ? 'Content-Type: ' + type + '\r\n' : 'Content-Type: ' + type + '; charset=' + charset + '\r\n';
    byType.set(type, line);
  }
  return line;
}

/** `Content-Length` field lines of the small lengths, made on first use. */
const MAX_CACHED_LENGTH = 4096;
const lengthLines: string[] = new Array<string>(MAX_CACHED_LENGTH).fill('');

/** `Content-Length: <n>\r\n`, cached for lengths below 4 KiB (most API answers). */
export function contentLengthLine(n: number): string {
  if (n >= MAX_CACHED_LENGTH) return 'Content-Length: ' + n + '\r\n';
  const line = lengthLines[n]!;
  return line !== '' ? line : (lengthLines[n] = 'Content-Length: ' + n + '\r\n');
}

/** RFC 9110 §6.4.1: 1xx, 204 and 304 never carry content. */
export function statusHasNoBody(code: number): boolean {
  return code < 200 || code === 204 || code === 304;
}


/**
 * Content-Disposition for a download name (RFC 6266 §4.3): an ASCII fallback in `filename`, and the exact
 * name in `filename*` (RFC 8187) when it is not plain ASCII.
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  if (ascii === name) return `attachment; filename="${ascii}"`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

/** A small HTML page for the error helpers (escaped: the detail may come from the request). */
export function errorPage(code: number, detail?: string): string {
  const reason = reasonPhrase(code);
  const extra = detail ? `<p>${escapeHtml(detail)}</p>` : '';
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${code} ${reason}</title></head><body><h1>${code} ${reason}</h1>${extra}</body></html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** UTF-8 length; short ASCII strings (the common small body) are counted without a native call. */
export function utf8Length(s: string): number {
  const n = s.length;
  if (n > 64) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return n;
}
