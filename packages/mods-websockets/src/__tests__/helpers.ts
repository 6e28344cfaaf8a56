/**
 * Test helpers: a real MicroWebSrv with the WebSockets module on 127.0.0.1:0, `ws` clients, and raw
 * sockets that write hand-made frames (RFC 6455 §5.2) for the failure cases. Every wait is bounded.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { MicroWebSrv, type LogLevelName } from '@microwebsrv/core';
import WS from 'ws';
import { WebSockets, type WebSocketsOptions } from '../index';

export const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');
export const CA = fs.readFileSync(path.join(FIXTURES, 'localhost-cert.pem'));

export interface WsTestServer {
  srv: MicroWebSrv;
  mod: WebSockets;
  port: number;
  logs: Array<{ msg: string; type: LogLevelName }>;
  url(p?: string): string;
}

const servers = new Set<MicroWebSrv>();
const clients = new Set<WS | net.Socket>();

export async function startWs(options: WebSocketsOptions, setup?: (srv: MicroWebSrv) => void, ssl = false): Promise<WsTestServer> {
  const srv = new MicroWebSrv();
  const logs: WsTestServer['logs'] = [];
  srv.bindAddress = ['127.0.0.1', 0];
  srv.logLevel = 'DEBUG';
  srv.onLogging = (_s, msg, type) => { logs.push({ msg, type }); };
  if (ssl) srv.enableSSL({ certFile: path.join(FIXTURES, 'localhost-cert.pem'), keyFile: path.join(FIXTURES, 'localhost-key.pem') });
  const mod = srv.loadModule(WebSockets, options);
  setup?.(srv);
  await srv.startManaged();
  servers.add(srv);
  const port = srv.address[1];
  return { srv, mod, port, logs, url: (p = '/') => `${ssl ? 'wss' : 'ws'}://localhost:${port}${p}` };
}

export async function cleanup(): Promise<void> {
  for (const c of clients) { if (c instanceof WS) c.terminate(); else c.destroy(); }
  clients.clear();
  const all = [...servers];
  servers.clear();
  await Promise.all(all.map((s) => s.stop()));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with `fn`'s value, or rejects after `ms` (every wait in these tests is bounded). */
export function within<T>(ms: number, p: Promise<T>, what = 'wait'): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_r, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t!));
}

export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('until: condition not met in time');
    await sleep(5);
  }
}

/** A connected `ws` client (tracked for cleanup). */
export function connect(url: string, protocols?: string[], opts: WS.ClientOptions = {}): Promise<WS> {
  const ws = new WS(url, protocols, opts);
  clients.add(ws);
  return within(3000, new Promise<WS>((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  }), 'connect');
}

export function nextMessage(ws: WS): Promise<{ data: Buffer; isBinary: boolean }> {
  return within(5000, new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }))), 'message');
}

export function closeEvent(ws: WS): Promise<{ code: number; reason: string }> {
  return within(5000, new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }))), 'close');
}

/** Builds a frame (RFC 6455 §5.2); client frames are masked unless `mask: false`. */
export function frame(opcode: number, payload: Buffer | string, o: { mask?: boolean; fin?: boolean; rsv?: number } = {}): Buffer {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const mask = o.mask ?? true;
  const len = data.length;
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 255);
  else { head.push(m | 127, 0, 0, 0, 0); const b = Buffer.alloc(4); b.writeUInt32BE(len); head.push(...b); }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const key = crypto.randomBytes(4);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = data[i]! ^ key[i & 3]!;
  return Buffer.concat([Buffer.from(head), key, body]);
}

export interface ParsedFrame { fin: boolean; opcode: number; payload: Buffer }

/** A raw TCP client: sends a handshake, then collects the server's frames. */
export class RawWs {
  readonly sock: net.Socket;
  buf = Buffer.alloc(0);
  head = '';
  ended = false;
  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    clients.add(this.sock);
    this.sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); });
    this.sock.on('end', () => { this.ended = true; });
    this.sock.on('close', () => { this.ended = true; });
    this.sock.on('error', () => { /* reset by the server: fine in these tests */ });
  }

  static handshakeText(p = '/', extra = '', key = 'dGhlIHNhbXBsZSBub25jZQ==', method = 'GET'): string {
    return `${method} ${p} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n${extra}\r\n`;
  }

  /** Sends `text` and waits for a complete response head; returns it (the bytes after it stay in buf). */
  async request(text: string): Promise<string> {
    this.sock.write(text);
    await until(() => this.buf.includes('\r\n\r\n'), 3000);
    const end = this.buf.indexOf('\r\n\r\n') + 4;
    this.head = this.buf.toString('latin1', 0, end);
    this.buf = this.buf.subarray(end);
    return this.head;
  }

  /** Parses the server's frames received so far (server frames are never masked, §5.1). */
  frames(): ParsedFrame[] {
    const out: ParsedFrame[] = [];
    let b = this.buf;
    for (;;) {
      if (b.length < 2) break;
      let len = b[1]! & 127;
      let off = 2;
      if (len === 126) { if (b.length < 4) break; len = b.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (b.length < 10) break; len = b.readUInt32BE(6); off = 10; }
      if (b.length < off + len) break;
      out.push({ fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 15, payload: b.subarray(off, off + len) });
      b = b.subarray(off + len);
    }
    return out;
  }

  /** Waits for a Close frame from the server and returns its code (RFC 6455 §5.5.1). */
  async closeCode(ms = 3000): Promise<number> {
    await until(() => this.frames().some((f) => f.opcode === 8), ms);
    const f = this.frames().find((x) => x.opcode === 8)!;
    return f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
  }

  destroy(): void { this.sock.destroy(); }
}
