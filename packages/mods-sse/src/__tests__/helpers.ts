/**
 * Test helpers: a real MicroWebSrv with the SSE module on 127.0.0.1:0, raw-socket clients that read the
 * wire as it comes (chunked coding undone), and the `eventsource` client. Every wait is bounded.
 */
import * as net from 'node:net';
import { MicroWebSrv, type LogLevelName } from '@microwebsrv/core';
import { ServerSentEvents, type ServerSentEventsOptions } from '../index';

export interface SseTestServer {
  srv: MicroWebSrv;
  sse: ServerSentEvents;
  port: number;
  logs: Array<{ msg: string; type: LogLevelName }>;
}

const servers = new Set<MicroWebSrv>();
const sockets = new Set<net.Socket>();
const closers = new Set<() => void>();

export async function startSse(options: ServerSentEventsOptions, setup?: (srv: MicroWebSrv, sse: ServerSentEvents) => void, configure?: (srv: MicroWebSrv) => void): Promise<SseTestServer> {
  const srv = new MicroWebSrv();
  const logs: SseTestServer['logs'] = [];
  srv.bindAddress = ['127.0.0.1', 0];
  srv.logLevel = 'DEBUG';
  srv.onLogging = (_s, msg, type) => { logs.push({ msg, type }); };
  configure?.(srv);
  const sse = srv.loadModule(ServerSentEvents, options);
  setup?.(srv, sse);
  await srv.startManaged();
  servers.add(srv);
  return { srv, sse, port: srv.address[1], logs };
}

export function track(close: () => void): void { closers.add(close); }

export async function cleanup(): Promise<void> {
  for (const s of sockets) s.destroy();
  sockets.clear();
  for (const c of closers) c();
  closers.clear();
  const all = [...servers];
  servers.clear();
  await Promise.all(all.map((s) => s.stop()));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms = 4000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
    await sleep(10);
  }
}

/** A raw client: the head as sent, then the body as it arrives (chunk framing removed for HTTP/1.1). */
export class RawClient {
  readonly socket: net.Socket;
  head = '';
  /** The body so far (decoded). */
  body = '';
  /** The raw bytes after the head. */
  raw = '';
  ended = false;
  private _buf = '';

  constructor(port: number, request: string, options: { pause?: boolean } = {}) {
    this.socket = net.connect(port, '127.0.0.1');
    sockets.add(this.socket);
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => this._onData(d));
    this.socket.on('end', () => { this.ended = true; });
    this.socket.on('close', () => { this.ended = true; });
    this.socket.on('error', () => {});
    if (options.pause) this.socket.pause();
    this.socket.write(request);
  }

  static get(port: number, path: string, headers: Record<string, string> = {}, version = '1.1'): RawClient {
    const h = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    return new RawClient(port, `GET ${path} HTTP/${version}\r\nHost: x\r\nAccept: text/event-stream\r\n${h}\r\n`);
  }

  get status(): number { return Number(/^HTTP\/1\.[01] (\d{3})/.exec(this.head)?.[1] ?? 0); }

  /** The complete events so far, as field maps (`data` lines joined with LF, as a client does). */
  events(): Array<Record<string, string>> {
    const out: Array<Record<string, string>> = [];
    for (const block of this.body.split('\n\n').slice(0, -1)) {
      const ev: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) { ev.comment = line; continue; }
        const i = line.indexOf(':');
        const k = line.slice(0, i);
        const v = line.slice(i + 1).replace(/^ /, '');
        ev[k] = ev[k] !== undefined && k === 'data' ? `${ev[k]}\n${v}` : v;
      }
      out.push(ev);
    }
    return out;
  }

  async waitFor(cond: (c: RawClient) => boolean, ms = 4000): Promise<void> { await until(() => cond(this), ms, 'raw client'); }

  destroy(): void { this.socket.destroy(); }

  private _onData(d: string): void {
    if (this.head === '' || !this.head.endsWith('\r\n\r\n')) {
      const all = this.head + d;
      const i = all.indexOf('\r\n\r\n');
      if (i < 0) { this.head = all; return; }
      this.head = all.slice(0, i + 4);
      d = all.slice(i + 4);
    }
    this.raw += d;
    if (!/transfer-encoding: chunked/i.test(this.head)) { this.body = Buffer.from(this.raw, 'latin1').toString('utf8'); return; }
    this._buf += d;
    for (;;) {
      const nl = this._buf.indexOf('\r\n');
      if (nl < 0) return;
      const size = parseInt(this._buf.slice(0, nl), 16);
      if (this._buf.length < nl + 2 + size + 2) return;
      this.body += Buffer.from(this._buf.slice(nl + 2, nl + 2 + size), 'latin1').toString('utf8');
      this._buf = this._buf.slice(nl + 2 + size + 2);
      if (size === 0) { this.ended = true; return; }
    }
  }
}

/** The `eventsource` npm client (v2, WHATWG EventSource for Node). */
export interface EsClient {
  readonly readyState: number;
  readonly url: string;
  onopen: (() => void) | null;
  onerror: ((e: { status?: number; message?: string }) => void) | null;
  onmessage: ((e: { data: string; lastEventId: string; type: string }) => void) | null;
  addEventListener(type: string, fn: (e: { data: string; lastEventId: string; type: string }) => void): void;
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const EventSourceCtor = require('eventsource') as new (url: string, init?: { headers?: Record<string, string> }) => EsClient;

export function eventSource(url: string, headers?: Record<string, string>): EsClient {
  const es = new EventSourceCtor(url, headers ? { headers } : undefined);
  track(() => es.close());
  return es;
}
