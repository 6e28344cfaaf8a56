/**
 * Test helpers: a real MicroWebSrv with the FileManager on 127.0.0.1:0 over a fresh temp folder, raw
 * socket requests (for aborts, chunked bodies, 100-continue, pipelining), and cleanup. Every wait is bounded.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MicroWebSrv, type LogLevelName } from '@microwebsrv/core';
import { FileManager, type FileManagerOptions } from '../index';

export interface FilesTestServer {
  srv: MicroWebSrv;
  files: FileManager;
  base: string;
  url: string;
  port: number;
  logs: Array<{ msg: string; type: LogLevelName }>;
}

const servers = new Set<MicroWebSrv>();
const sockets = new Set<net.Socket>();
const dirs = new Set<string>();

/** A fresh folder under the OS temp folder, removed by {@link cleanup}. */
export function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'mws-files-'));
  dirs.add(d);
  return d;
}

export async function startFiles(options: Partial<FileManagerOptions> = {}, configure?: (srv: MicroWebSrv) => void): Promise<FilesTestServer> {
  const base = options.base ?? tempDir();
  const srv = new MicroWebSrv();
  const logs: FilesTestServer['logs'] = [];
  srv.bindAddress = ['127.0.0.1', 0];
  srv.logLevel = 'DEBUG';
  srv.onLogging = (_s, msg, type) => { logs.push({ msg, type }); };
  configure?.(srv);
  const files = srv.loadModule(FileManager, { prefix: '/fs', ...options, base });
  await srv.startManaged();
  servers.add(srv);
  const port = srv.address[1];
  return { srv, files, base, port, url: `http://127.0.0.1:${port}`, logs };
}

export async function cleanup(): Promise<void> {
  for (const s of sockets) s.destroy();
  sockets.clear();
  const all = [...servers];
  servers.clear();
  await Promise.all(all.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
    await sleep(10);
  }
}

/** Temp files of uploads left anywhere under `dir`. */
export function tempsUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((n) => /\.mws-\d+-[0-9a-f]{12}\.part$/.test(n));
}

/** A raw connection: write what you like, read everything that comes back. */
export class Raw {
  readonly socket: net.Socket;
  data = '';
  closed = false;
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    sockets.add(this.socket);
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => { this.data += d; });
    this.socket.on('close', () => { this.closed = true; });
    this.socket.on('error', () => {});
  }
  connected(): Promise<void> {
    return new Promise((r) => { if (this.socket.readyState === 'open') r(); else this.socket.once('connect', () => r()); });
  }
  write(s: string | Buffer): Promise<void> {
    return new Promise((r) => { this.socket.write(s, () => r()); });
  }
  /** Waits until what was received matches `re` (bounded). */
  async waitFor(re: RegExp, ms = 5000): Promise<RegExpExecArray> {
    await until(() => re.test(this.data), ms, `response matching ${re}`);
    return re.exec(this.data)!;
  }
  async waitClosed(ms = 5000): Promise<void> { await until(() => this.closed, ms, 'connection closed'); }
  destroy(): void { this.socket.destroy(); }
}

/** The status codes of the responses in `raw` (in order). */
export function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}
