import { invalidOption } from '@microwebsrv/core';
import { WebSockets } from '@microwebsrv/mods-websockets';

/** Options of `loadModule(WebSocketRepl, options)`. Only `password` is required. */
export interface ReplOptions {
  /** The password a client sends as its first message (8 characters or more). Hashed with scrypt at load. */
  password: string;
  /** The WebSocket path (default '/repl'). */
  path?: string;
  /** A WebSockets module already loaded to route the path on (default: the REPL loads one of its own for it). */
  websockets?: WebSockets | null;
  /** 'process' (default): the process's own global context. An object: a fresh `vm` context holding only its properties. */
  context?: 'process' | Record<string, unknown>;
  /** Accept clients that are not on this machine (default false: loopback addresses only). */
  allowRemote?: boolean;
  /** Allowed `Origin`s: 'same' (default: the server's own, from the Host field), a list, or '*' (any, and none). */
  origins?: 'same' | '*' | string[];
  /** Allowed Host names (no port); null: any. Default: loopback names when `allowRemote` is false, else any. */
  hosts?: string[] | null;
  /**
   * Plain HTTP (ws://): 'auto' (default) refuses it while a REPL is served over TLS by this process;
   * 'refuse' always; 'allow' never refuses.
   */
  plainHttp?: 'auto' | 'allow' | 'refuse';
  /** A session without input for this long is closed (s; default 600; 0: never). */
  idleTimeoutSec?: number;
  /** Seconds to send the password after connecting (default 10); a timeout counts as a failure. */
  authTimeoutSec?: number;
  /** Failures in a row from one address before its lock-out (default 5). */
  maxAttempts?: number;
  /** Wait after the first failure (ms, default 1000), doubled after each next one. */
  backoffMs?: number;
  /** Lock-out length (s, default 900). */
  lockoutSec?: number;
  /** Output waiting for a slow client beyond this (bytes, default 1 MiB) is dropped, with a notice. */
  maxOutputBytes?: number;
  /** The prompt (default '> '). */
  prompt?: string;
  /** Terminal width for line editing (default 80). */
  columns?: number;
}

export type CheckedOptions = Required<Omit<ReplOptions, 'hosts' | 'websockets'>> & { hosts: string[] | null | undefined; websockets: WebSockets | null };

function int(name: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalidOption(`WebSocketRepl ${name}`, `an integer from ${min} to ${max}`, v);
  return v;
}

/** Checks every option at load (ERR_MWS_INVALID_OPTION naming the option; a password's value is never shown). */
export function checkOptions(options: unknown): CheckedOptions {
  if (options === null || typeof options !== 'object') throw invalidOption('WebSocketRepl options', '{ password, path?, … } (a password is required)', options);
  const o = options as ReplOptions;
  if (typeof o.password !== 'string' || [...o.password].length < 8) throw invalidOption('WebSocketRepl password', 'a string of 8 characters or more (the REPL never runs without one)', o.password, true);
  const path = o.path ?? '/repl';
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) throw invalidOption('WebSocketRepl path', "a path starting with '/' (no query)", path);
  if (o.websockets != null && !(o.websockets instanceof WebSockets)) throw invalidOption('WebSocketRepl websockets', 'a loaded WebSockets module instance, or null', typeof o.websockets);
  const context = o.context ?? 'process';
  if (context !== 'process' && (context === null || typeof context !== 'object' || Array.isArray(context))) throw invalidOption('WebSocketRepl context', "'process' or an object of the globals to expose", context);
  const allowRemote = o.allowRemote ?? false;
  if (typeof allowRemote !== 'boolean') throw invalidOption('WebSocketRepl allowRemote', 'a boolean', allowRemote);
  const origins = o.origins ?? 'same';
  if (origins !== 'same' && origins !== '*' && (!Array.isArray(origins) || origins.some((x) => typeof x !== 'string' || !/^https?:\/\/[^/\s]+$/i.test(x)))) {
    throw invalidOption('WebSocketRepl origins', "'same', '*' or a list of origins such as 'https://admin.example'", origins);
  }
  if (o.hosts != null && (!Array.isArray(o.hosts) || o.hosts.some((x) => typeof x !== 'string' || x.length === 0 || x.includes('/')))) {
    throw invalidOption('WebSocketRepl hosts', "a list of host names such as ['localhost'], or null", o.hosts);
  }
  const plainHttp = o.plainHttp ?? 'auto';
  if (plainHttp !== 'auto' && plainHttp !== 'allow' && plainHttp !== 'refuse') throw invalidOption('WebSocketRepl plainHttp', "'auto', 'allow' or 'refuse'", plainHttp);
  const prompt = o.prompt ?? '> ';
  if (typeof prompt !== 'string' || prompt.length > 64) throw invalidOption('WebSocketRepl prompt', 'a string of at most 64 characters', prompt);
  return {
    password: o.password, path, websockets: o.websockets ?? null, context, allowRemote,
    origins: Array.isArray(origins) ? origins.map((x) => x.toLowerCase()) : origins,
    hosts: o.hosts === undefined ? undefined : o.hosts === null ? null : o.hosts.map((h) => h.toLowerCase()),
    plainHttp,
    idleTimeoutSec: int('idleTimeoutSec', o.idleTimeoutSec, 600, 0, 86400),
    authTimeoutSec: int('authTimeoutSec', o.authTimeoutSec, 10, 1, 300),
    maxAttempts: int('maxAttempts', o.maxAttempts, 5, 1, 100),
    backoffMs: int('backoffMs', o.backoffMs, 1000, 0, 60_000),
    lockoutSec: int('lockoutSec', o.lockoutSec, 900, 1, 86400),
    maxOutputBytes: int('maxOutputBytes', o.maxOutputBytes, 1024 * 1024, 1024, 256 * 1024 * 1024),
    prompt,
    columns: int('columns', o.columns, 80, 20, 1000),
  };
}
