/**
 * Test helpers for the engine's API tests: a real MicroWebSrv on 127.0.0.1:0 with its log captured,
 * raw `node:net` exchanges, and `curl` for what fetch hides (HTTP/1.0, raw chunked framing, HEAD).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { MicroWebSrv, type LogLevelName } from '../index';

export interface LogLine { msg: string; type: LogLevelName }

export interface TestServer {
  srv: MicroWebSrv;
  port: number;
  logs: LogLine[];
  url(urlPath: string): string;
  stop(): Promise<void>;
}

/** Every server started here, so that `stopAll()` in afterEach/afterAll cleans up even after a failure. */
const started = new Set<MicroWebSrv>();

/** Starts a server on 127.0.0.1:0 after `setup` (routes, settings); logs are captured, not printed. */
export async function startServer(setup?: (srv: MicroWebSrv) => void): Promise<TestServer> {
  const srv = new MicroWebSrv();
  const logs: LogLine[] = [];
  srv.onLogging = (_s, msg, type) => { logs.push({ msg, type }); };
  srv.bindAddress = ['127.0.0.1', 0];
  setup?.(srv);
  await srv.startManaged();
  started.add(srv);
  const port = srv.address[1];
  return {
    srv, port, logs,
    url: (urlPath) => `http://127.0.0.1:${port}${urlPath}`,
    stop: async () => { started.delete(srv); await srv.stop(); },
  };
}

export async function stopAll(): Promise<void> {
  const all = [...started];
  started.clear();
  await Promise.all(all.map((s) => s.stop()));
}

/** A parsed raw HTTP response. */
export interface RawResponse {
  status: number;
  statusLine: string;
  /** Field lines in order, names lower-cased. */
  headerList: Array<[string, string]>;
  headers: Record<string, string>;
  /** Everything after the head, as received (chunked framing included). */
  body: Buffer;
}

export function parseRaw(buf: Buffer): RawResponse {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no complete head in ${JSON.stringify(buf.toString('latin1'))}`);
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const statusLine = lines[0];
  const headerList: Array<[string, string]> = [];
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    const name = l.slice(0, c).toLowerCase();
    const value = l.slice(c + 1).trim();
    headerList.push([name, value]);
    headers[name] = headers[name] === undefined ? value : headers[name] + ', ' + value;
  }
  return { status: Number(statusLine.split(' ')[1]), statusLine, headerList, headers, body: buf.subarray(end + 4) };
}

/**
 * Sends `data` on a fresh connection and collects everything until the server closes it (or `timeoutMs`).
 * `halfClose`: end our side after writing.
 */
export function rawExchange(port: number, data: string | Buffer, opts: { timeoutMs?: number; halfClose?: boolean } = {}): Promise<{ data: Buffer; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => { sock.destroy(); }, opts.timeoutMs ?? 3000);
    sock.on('data', (c) => chunks.push(c));
    sock.on('end', () => { closed = true; });
    sock.on('error', (e) => { clearTimeout(timer); if (chunks.length) resolve({ data: Buffer.concat(chunks), closedByServer: true }); else reject(e); });
    sock.on('close', () => { clearTimeout(timer); resolve({ data: Buffer.concat(chunks), closedByServer: closed }); });
    sock.write(data, () => { if (opts.halfClose) sock.end(); });
  });
}

/** A persistent raw connection: write requests, read responses one at a time (by Content-Length). */
export class RawClient {
  readonly sock: net.Socket;
  private _buf = Buffer.alloc(0);
  private _waiters: Array<() => void> = [];
  ended = false;
  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.on('data', (c) => { this._buf = Buffer.concat([this._buf, c]); this._wake(); });
    this.sock.on('end', () => { this.ended = true; this._wake(); });
    this.sock.on('close', () => { this.ended = true; this._wake(); });
    this.sock.on('error', () => { this.ended = true; this._wake(); });
  }
  connected(): Promise<void> {
    return new Promise((r) => { if (!this.sock.connecting) r(); else this.sock.once('connect', () => r()); });
  }
  write(s: string | Buffer): void { this.sock.write(s); }
  private _wake(): void { const w = this._waiters; this._waiters = []; for (const f of w) f(); }
  private _wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`RawClient: timeout; got ${JSON.stringify(this._buf.toString('latin1').slice(0, 300))}`)), timeoutMs);
      this._waiters.push(() => { clearTimeout(t); resolve(); });
    });
  }
  /** Reads one response framed by Content-Length (or no body: HEAD/204/304 when `noBody`). */
  async readResponse(opts: { noBody?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
    for (;;) {
      const end = this._buf.indexOf('\r\n\r\n');
      if (end !== -1) {
        const head = parseRaw(this._buf.subarray(0, end + 4));
        const len = opts.noBody ? 0 : Number(head.headers['content-length'] ?? 0);
        if (this._buf.length >= end + 4 + len) {
          const body = Buffer.from(this._buf.subarray(end + 4, end + 4 + len));
          this._buf = this._buf.subarray(end + 4 + len);
          return { ...head, body };
        }
      }
      if (this.ended) throw new Error(`RawClient: connection ended; got ${JSON.stringify(this._buf.toString('latin1').slice(0, 300))}`);
      await this._wait(opts.timeoutMs ?? 3000);
    }
  }
  /** Bytes received and not yet read as a response. */
  get pending(): Buffer { return this._buf; }
  /** Resolves when the server closed the connection (true) or after `timeoutMs` (false). */
  async waitEnd(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      try { await this._wait(left); } catch { return this.ended; }
    }
    return true;
  }
  destroy(): void { this.sock.destroy(); }
}

/** Runs curl; resolves with stdout as a Buffer (curl exits 0 or not: the code is returned). */
export function curl(args: string[], timeoutMs = 10000): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '--max-time', String(timeoutMs / 1000), ...args], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? (err as unknown as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr: stderr.toString('utf8') });
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A GET request line with Host, ready for a raw socket. */
export function get(urlPath: string, extra = '', version = '1.1'): string {
  return `GET ${urlPath} HTTP/${version}\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
}

/** GET over HTTPS trusting `caFile`; resolves with status, headers and body. */
export function httpsGet(port: number, urlPath: string, caFile: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: urlPath, ca: fs.readFileSync(caFile), agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** The repository's test certificate for 127.0.0.1 / localhost. */
export const TEST_CERT = path.resolve(__dirname, '../../../../test/fixtures/localhost-cert.pem');
export const TEST_KEY = path.resolve(__dirname, '../../../../test/fixtures/localhost-key.pem');
