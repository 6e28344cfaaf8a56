/** Test helpers: a real server on 127.0.0.1:0 with the REPL module, and a `ws` client that records what it gets. */
import * as path from 'node:path';
import { MicroWebSrv } from '@microwebsrv/core';
import WebSocket from 'ws';
import { WebSocketRepl, type ReplOptions } from '../index';

export const PASSWORD = 'correct horse battery';
export const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');

export interface Started { srv: MicroWebSrv; repl: WebSocketRepl; port: number; logs: string[]; url: string; origin: string }

const servers = new Set<MicroWebSrv>();
const clients = new Set<WebSocket>();

export async function startRepl(options: Partial<ReplOptions> = {}, setup?: (srv: MicroWebSrv) => void): Promise<Started> {
  const srv = new MicroWebSrv();
  const logs: string[] = [];
  srv.onLogging = (_s, msg, type) => { logs.push(`${type} ${msg}`); };
  srv.bindAddress = ['127.0.0.1', 0];
  setup?.(srv);
  const repl = srv.loadModule(WebSocketRepl, { password: PASSWORD, ...options });
  await srv.startManaged();
  servers.add(srv);
  const port = srv.address[1];
  const scheme = srv.isSSLEnabled ? 'wss' : 'ws';
  return { srv, repl, port, logs, url: `${scheme}://127.0.0.1:${port}${repl.path}`, origin: `${srv.isSSLEnabled ? 'https' : 'http'}://127.0.0.1:${port}` };
}

export async function stopAllRepl(): Promise<void> {
  for (const c of clients) c.terminate();
  clients.clear();
  const all = [...servers];
  servers.clear();
  await Promise.all(all.map((s) => s.stop()));
}

export interface Client {
  ws: WebSocket;
  /** Everything received so far (text, colours and cursor moves included). */
  text(): string;
  /** Waits until the text received, without terminal escapes, contains `what`. */
  waitFor(what: string | RegExp, timeoutMs?: number): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
  send(s: string): void;
}

/** Opens a WebSocket; rejects with the HTTP status when the upgrade is refused. */
export function connect(url: string, opts: { origin?: string | null; headers?: Record<string, string>; ca?: Buffer } = {}): Promise<Client> {
  const headers: Record<string, string> = { ...opts.headers };
  const ws = new WebSocket(url, { headers, ...(opts.origin ? { origin: opts.origin } : {}), ...(opts.ca ? { ca: opts.ca } : {}) });
  clients.add(ws);
  let got = '';
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => { got += d.toString(); for (const w of waiters.splice(0)) w(); });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => { clients.delete(ws); resolve({ code, reason: reason.toString() }); }));
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => { ws.terminate(); reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, headers: res.headers, body })); });
    });
    ws.once('error', reject);
    ws.once('open', () => resolve({
      ws,
      text: () => got,
      send: (s) => ws.send(s),
      closed,
      waitFor(what, timeoutMs = 5000) {
        return new Promise((res, rej) => {
          const check = (): boolean => {
            const seen = plain(got);
            if (typeof what === 'string' ? seen.includes(what) : what.test(seen)) { clearTimeout(t); res(got); return true; }
            return false;
          };
          const t = setTimeout(() => rej(new Error(`timed out waiting for ${String(what)}; got ${JSON.stringify(got)}`)), timeoutMs);
          const loop = (): void => { if (!check()) waiters.push(loop); };
          loop();
        });
      },
    }));
  });
}

/** Connects with the server's own Origin and logs in. */
export async function login(s: Started, password = PASSWORD): Promise<Client> {
  const c = await connect(s.url, { origin: s.origin });
  c.send(password);
  await c.waitFor(/> /);
  return c;
}

/** The HTTP status an upgrade was refused with (fails the test if it was accepted). */
export async function refusedStatus(p: Promise<Client>): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  try {
    const c = await p;
    c.ws.terminate();
  } catch (err) {
    const e = err as { status?: number; body?: string; headers?: Record<string, string> };
    if (e.status !== undefined) return { status: e.status, body: e.body ?? '', headers: e.headers ?? {} };
    throw err;
  }
  throw new Error('the upgrade was accepted');
}

// eslint-disable-next-line no-control-regex
export const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
