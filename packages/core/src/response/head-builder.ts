import { REASON_PHRASES } from '../http/responses';
import { httpDate } from '../http/date';

/** Status lines of the known codes, built once: `HTTP/1.1 200 OK\r\n`. */
const STATUS_LINES: string[] = [];
for (const [code, reason] of Object.entries(REASON_PHRASES)) STATUS_LINES[Number(code)] = `HTTP/1.1 ${code} ${reason}\r\n`;

export function reasonPhrase(code: number): string {
  return REASON_PHRASES[code] ?? (code < 200 ? 'Informational' : code < 300 ? 'Success' : code < 400 ? 'Redirection' : code < 500 ? 'Client Error' : 'Server Error');
}

/** The status line plus the Date field: the start of every response head. */
export function headStart(code: number): string {
  return (STATUS_LINES[code] ?? `HTTP/1.1 ${code} ${reasonPhrase(code)}\r\n`) + 'Date: ' + httpDate() + '\r\n';
}

/** RFC 9110 §6.4.1: 1xx, 204 and 304 never carry content. */
export function statusHasNoBody(code: number): boolean {
  return code < 200 || code === 204 || code === 304;
}

export { isFieldValue, isToken } from '../http/fields';

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
