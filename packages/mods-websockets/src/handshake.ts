/**
 * The opening handshake, server side (RFC 6455 §4.2): checks the client's request and computes the
 * `Sec-WebSocket-Accept` value. Pure functions over header values: the module answers through the
 * HttpResponse.
 */
import { createHash } from 'node:crypto';

/** RFC 6455 §1.3: the GUID appended to the client's key. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 §4.2.2 step 5.4: base64(SHA-1(key + GUID)). */
export function computeAcceptKey(key: string): string {
  return createHash('sha1').update(key + WS_GUID, 'latin1').digest('base64');
}

/** What the request carries that matters to the handshake (header values as received, or undefined). */
export interface HandshakeInput {
  method: string;
  connection: string | undefined;
  upgrade: string | undefined;
  version: string | undefined;
  key: string | undefined;
  protocol: string | undefined;
}

/** The checked handshake: accepted (with the key to answer and the offered sub-protocols) or refused. */
export type HandshakeResult =
  | { ok: true; accept: string; offered: string[] }
  | { ok: false; status: 400 | 405 | 426; detail: string };

/** RFC 6455 §4.1: the key is base64 of 16 random bytes — 22 characters and `==`. */
const KEY_RE = /^[A-Za-z0-9+/]{22}==$/;
/** RFC 9110 §5.6.2 token. */
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** True when a comma-separated field value lists `token` (case-insensitive, RFC 9110 §5.6.1). */
export function listHasToken(value: string | undefined, token: string): boolean {
  if (!value) return false;
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/** True when the request asks for a WebSocket (RFC 6455 §4.2.1 items 3–4): the module's business. */
export function isWebSocketUpgrade(h: Pick<HandshakeInput, 'connection' | 'upgrade'>): boolean {
  return listHasToken(h.connection, 'upgrade') && listHasToken(h.upgrade, 'websocket');
}

/** Parses `Sec-WebSocket-Protocol` (RFC 6455 §4.1 item 10, §11.3.4): tokens, order kept, duplicates dropped. */
export function parseProtocols(value: string | undefined): string[] | null {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const p = raw.trim();
    if (p === '') continue;
    if (!TOKEN_RE.test(p)) return null;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/**
 * Checks a WebSocket upgrade request (RFC 6455 §4.2.1): GET (else 405), version 13 (else 426, and the
 * answer carries `Sec-WebSocket-Version: 13`, §4.4), a valid key and sub-protocol list (else 400).
 */
export function checkHandshake(h: HandshakeInput): HandshakeResult {
  if (h.method !== 'GET') return { ok: false, status: 405, detail: 'a WebSocket handshake must be a GET (RFC 6455 §4.1)' };
  if ((h.version ?? '').trim() !== '13') return { ok: false, status: 426, detail: 'unsupported Sec-WebSocket-Version; this server speaks 13' };
  const key = (h.key ?? '').trim();
  if (!KEY_RE.test(key)) return { ok: false, status: 400, detail: 'missing or invalid Sec-WebSocket-Key' };
  const offered = parseProtocols(h.protocol);
  if (offered === null) return { ok: false, status: 400, detail: 'invalid Sec-WebSocket-Protocol' };
  return { ok: true, accept: computeAcceptKey(key), offered };
}
