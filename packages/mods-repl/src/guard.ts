/**
 * The checks a REPL upgrade passes before the WebSocket handshake is answered (each refusal is an HTTP
 * answer and a log line, and no WebSocket is made): TLS, client address, Host, Origin.
 */
import { isIP } from 'node:net';
import type { HttpRequest } from '@microwebsrv/core';

/** IPv4 127.0.0.0/8 (RFC 1122 §3.2.1.3), IPv6 ::1 (RFC 4291 §2.5.3), and IPv4 loopback mapped into IPv6. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The host name of a Host field value, lower-cased, without the port ('[::1]:8080' → '[::1]'). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) { const end = h.indexOf(']'); return end === -1 ? h : h.slice(0, end + 1); }
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/** Host names that reach only this machine: a page on another site cannot make a browser send them (DNS rebinding). */
export function isLoopbackHost(host: string): boolean {
  const name = hostName(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return true; // RFC 6761 §6.3
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  return isIP(bare) !== 0 && isLoopbackAddress(bare);
}

/** The origin of the page a same-origin browser would send: `http(s)://` + Host, lower-cased. */
export function ownOrigin(request: HttpRequest): string {
  return `${request.isSSL ? 'https' : 'http'}://${request.host.trim().toLowerCase()}`;
}

/** What the guard decided: null lets the upgrade through; else the status, a message for the client, and the log line. */
export interface Refusal { status: number; body: string; log: string; retryAfterSec?: number }

export interface GuardSettings {
  allowRemote: boolean;
  /** 'same': the server's own origin; a list of origins; '*': any, and none. */
  origins: 'same' | '*' | readonly string[];
  /** Host names allowed in the Host field; null: any. */
  hosts: readonly string[] | null;
  plainRefused: () => boolean;
}

/** The first check `request` fails, or null. */
export function checkUpgrade(request: HttpRequest, s: GuardSettings): Refusal | null {
  const [addr] = request.userAddress;
  if (!request.isSSL && s.plainRefused()) {
    return { status: 403, body: 'The REPL is served over TLS only (wss://)', log: 'plain HTTP while TLS is available' };
  }
  if (!s.allowRemote && !isLoopbackAddress(addr)) {
    return { status: 403, body: 'The REPL accepts loopback clients only', log: `${addr} is not a loopback address` };
  }
  if (s.hosts === null ? false : !s.hosts.includes(hostName(request.host)) && !(s.hosts === LOOPBACK_HOSTS && isLoopbackHost(request.host))) {
    return { status: 403, body: 'Host not allowed', log: `Host ${JSON.stringify(request.host)} is not allowed (DNS rebinding?)` };
  }
  if (s.origins !== '*') {
    const origin = request.getHeader('origin');
    const ok = origin !== undefined && (s.origins === 'same' ? origin.toLowerCase() === ownOrigin(request) : s.origins.includes(origin.toLowerCase()));
    if (!ok) return { status: 403, body: 'Origin not allowed', log: `Origin ${origin === undefined ? '(none)' : JSON.stringify(origin)} is not allowed (cross-site WebSocket hijacking?)` };
  }
  return null;
}

/** The default `hosts` when only loopback clients are accepted: any loopback name (see isLoopbackHost). */
export const LOOPBACK_HOSTS: readonly string[] = Object.freeze(['localhost', '127.0.0.1', '[::1]']);
