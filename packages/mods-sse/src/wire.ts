/**
 * The `text/event-stream` wire format (HTML Living Standard §9.2.6 "Interpreting an event stream"): UTF-8
 * lines `field: value`, an empty line dispatching the event. Lines may end in CRLF, LF or CR, so data is
 * split on all three and each piece becomes its own `data:` line (the client joins them with LF). `event`
 * and `id` cannot hold a line break (it would end the field) and an `id` with NUL is ignored by clients
 * (§9.2.6 "If the field value does not contain U+0000 NULL"): both are refused up front, never half-sent.
 */
import { invalidOption } from '@microwebsrv/core';

/** What `es.send()` takes. */
export interface EventMessage {
  /** The data: a string (any line breaks), bytes (UTF-8), or any other value, sent as JSON. */
  data?: unknown;
  /** Event name (the client's `addEventListener(name)`); none: `message`. */
  event?: string;
  /** Event id: the client sends it back as `Last-Event-ID` when it reconnects. */
  id?: string | number;
  /** Reconnection delay the client should use, in milliseconds (`retry:` field). */
  retry?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;

/** `field: value` lines for every line of `text` (split on CRLF, LF and CR). */
function fieldLines(field: string, text: string): string {
  if (!/[\r\n]/.test(text)) return `${field}: ${text}\n`;
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `${field}: ${line}\n`;
  return out;
}

/** The data of an event as text: strings as they are, bytes as UTF-8, other values as JSON. */
export function dataText(name: string, data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (data === undefined || typeof data === 'function' || typeof data === 'symbol' || typeof data === 'bigint') {
    throw invalidOption(name, 'a string, bytes, or a value JSON can encode', data);
  }
  return JSON.stringify(data);
}

/** Checks an `event` name or an `id`: a string without CR, LF or NUL. */
export function checkField(name: string, v: unknown): string {
  const s = typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : v;
  if (typeof s !== 'string' || s.length > 1024 || /[\r\n\0]/.test(s)) throw invalidOption(name, 'a string of at most 1024 characters without CR, LF or NUL (or an integer id)', v);
  return s;
}

/** Checks a `retry` value: an integer number of milliseconds (the field takes ASCII digits only). */
export function checkRetry(name: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw invalidOption(name, 'an integer number of milliseconds >= 0', v);
  return v as number;
}

/** One event block, checked: `event:`, `id:`, `retry:`, `data:` lines, then the empty line. */
export function encodeEvent(m: EventMessage): string {
  if (m === null || typeof m !== 'object') throw invalidOption('send message', 'an object { data, event?, id?, retry? }', m);
  let out = '';
  if (m.event !== undefined) {
    const e = checkField('send event', m.event);
    if (e.length === 0) throw invalidOption('send event', 'a non-empty name', m.event);
    out += `event: ${e}\n`;
  }
  if (m.id !== undefined) out += `id: ${checkField('send id', m.id)}\n`;
  if (m.retry !== undefined) out += `retry: ${checkRetry('send retry', m.retry)}\n`;
  if (m.data !== undefined) out += fieldLines('data', dataText('send data', m.data));
  else if (m.retry === undefined || m.event !== undefined) throw invalidOption('send data', 'present (only a retry-only message may omit it)', m.data);
  return out + '\n';
}

/** A comment block (ignored by clients; keeps proxies and NATs from closing an idle stream). */
export function encodeComment(text: string): string {
  if (typeof text !== 'string') throw invalidOption('comment text', 'a string', text);
  if (text === '') return ':\n\n';
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `: ${line}\n`;
  return out + '\n';
}

/** A published message's block: its event name, the id given by the module, its data as text (binary: base64). */
export function encodePublished(event: string | null, id: number, data: Buffer, binary: boolean): Buffer {
  let out = event === null ? '' : `event: ${event}\n`;
  out += `id: ${id}\n`;
  out += fieldLines('data', binary ? data.toString('base64') : data.toString('utf8'));
  return Buffer.from(out + '\n', 'utf8');
}
