/**
 * Raw-socket harness for the conformance tests: opens a real client connection (plain TCP or TLS), sends
 * bytes exactly as given (optionally in pieces, with pauses), collects what the server answers until it
 * closes or goes quiet, and parses the byte stream into the sequence of HTTP/1.1 responses.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';

export type Transport = 'tcp' | 'tls';

const FIXTURES = path.resolve(__dirname, '../../../../../test/fixtures');
/** The self-signed localhost certificate and key of the test fixtures. */
export const CERT_FILE = path.join(FIXTURES, 'localhost-cert.pem');
export const KEY_FILE = path.join(FIXTURES, 'localhost-key.pem');
const CA = fs.readFileSync(CERT_FILE);

/** Where to connect: port and transport. */
export interface Endpoint {
  port: number;
  transport: Transport;
}

/** One parsed response. */
export interface RawResponse {
  /** e.g. 'HTTP/1.1' */
  version: string;
  status: number;
  reason: string;
  /** Field lines in order, names lower-cased. */
  fields: Array<[string, string]>;
  /** The body, de-chunked. */
  body: Buffer;
  /** How the body was delimited. */
  framing: 'none' | 'length' | 'chunked' | 'close';
  /** The raw bytes of this response, head included. */
  raw: Buffer;
}

/** The value of a response field (repeated fields joined with ', '), or undefined. */
export function field(r: RawResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  const values = r.fields.filter(([n]) => n === lower).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(', ');
}

export interface ParseResult {
  responses: RawResponse[];
  /** Bytes after the last complete response (an incomplete response, or garbage). */
  rest: Buffer;
  /** Set when the bytes are not a valid response sequence. */
  error: string | null;
}

/**
 * Parses a sequence of responses. `methods[i]` is the method of the i-th request answered (HEAD responses
 * carry no body); 1xx responses do not take a method. `closed`: the server closed after these bytes, so a
 * response without Content-Length or chunked framing runs to the end (close-delimited).
 */
export function parseResponses(buf: Buffer, methods: readonly string[] = [], closed = false): ParseResult {
  const responses: RawResponse[] = [];
  let pos = 0;
  let final = 0;
  const done = (error: string | null): ParseResult => ({ responses, rest: buf.subarray(pos), error });
  while (pos < buf.length) {
    const headEnd = buf.indexOf('\r\n\r\n', pos, 'latin1');
    if (headEnd < 0) return done(null);
    const lines = buf.toString('latin1', pos, headEnd).split('\r\n');
    const m = /^(HTTP\/\d\.\d) (\d{3}) ?(.*)$/.exec(lines[0]!);
    if (m === null) return done(`bad status line ${JSON.stringify(lines[0])}`);
    const fields: Array<[string, string]> = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) return done(`bad field line ${JSON.stringify(line)}`);
      fields.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
    }
    const status = Number(m[2]);
    const r: RawResponse = { version: m[1]!, status, reason: m[3]!, fields, body: Buffer.alloc(0), framing: 'none', raw: Buffer.alloc(0) };
    let p = headEnd + 4;
    const informational = status >= 100 && status < 200;
    const method = informational ? '' : methods[final] ?? 'GET';
    const te = field(r, 'transfer-encoding');
    const cl = field(r, 'content-length');
    if (informational || method === 'HEAD' || status === 204 || status === 304) {
      r.framing = 'none';
    } else if (te !== undefined) {
      if (!/(^|,)\s*chunked\s*$/i.test(te)) return done(`unknown transfer-encoding ${te}`);
      r.framing = 'chunked';
      const parts: Buffer[] = [];
      for (;;) {
        const eol = buf.indexOf('\r\n', p, 'latin1');
        if (eol < 0) return done(null);
        const sizeText = buf.toString('latin1', p, eol).split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) return done(`bad chunk size ${JSON.stringify(sizeText)}`);
        const size = parseInt(sizeText, 16);
        p = eol + 2;
        if (size === 0) {
          const end = buf.indexOf('\r\n\r\n', p - 2, 'latin1');
          if (end < 0) return done(null);
          p = end + 4;
          break;
        }
        if (p + size + 2 > buf.length) return done(null);
        parts.push(buf.subarray(p, p + size));
        if (buf[p + size] !== 0x0d || buf[p + size + 1] !== 0x0a) return done('chunk data not followed by CRLF');
        p += size + 2;
      }
      r.body = Buffer.concat(parts);
    } else if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) return done(`bad content-length ${cl}`);
      const n = Number(cl);
      if (p + n > buf.length) return done(null);
      r.framing = 'length';
      r.body = buf.subarray(p, p + n);
      p += n;
    } else {
      if (!closed) return done(null); // close-delimited: complete only once the server closed
      r.framing = 'close';
      r.body = buf.subarray(p);
      p = buf.length;
    }
    r.raw = buf.subarray(pos, p);
    responses.push(r);
    if (!informational) final++;
    pos = p;
  }
  return done(null);
}

export interface CollectOptions {
  /** Resolve after this long without new bytes (ms). */
  quietMs?: number;
  /** Once this many final (non-1xx) responses are complete, wait only this long for more (ms). */
  expectFinal?: number;
  settleMs?: number;
  /** Give up after this long in all (ms). */
  maxMs?: number;
  /** Methods of the requests, in order (HEAD responses have no body). */
  methods?: readonly string[];
}

export interface Exchange extends ParseResult {
  /** Everything received. */
  bytes: Buffer;
  /** The server closed the connection (FIN or reset). */
  closed: boolean;
  /** The connection was reset rather than closed cleanly. */
  reset: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One raw client connection: every received byte is kept; `closed` turns true on FIN, reset or close. */
export class RawConn {
  readonly socket: net.Socket;
  private chunks: Buffer[] = [];
  private received = 0;
  closed = false;
  reset = false;
  private lastByteAt = Date.now();
  private waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => { this.chunks.push(d); this.received += d.length; this.lastByteAt = Date.now(); this.wake(); });
    socket.on('end', () => { this.closed = true; this.wake(); });
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', (err: NodeJS.ErrnoException) => { this.closed = true; if (err.code === 'ECONNRESET') this.reset = true; this.wake(); });
  }

  /** Connects (and for TLS completes the handshake, verifying the fixture certificate). */
  static open(ep: Endpoint): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const socket = ep.transport === 'tls'
        ? tls.connect({ port: ep.port, host: '127.0.0.1', ca: CA, servername: 'localhost' })
        : net.connect({ port: ep.port, host: '127.0.0.1' });
      const ok = () => { socket.off('error', reject); resolve(new RawConn(socket)); };
      socket.once('error', reject);
      socket.once(ep.transport === 'tls' ? 'secureConnect' : 'connect', ok);
    });
  }

  /** Every byte received so far. */
  get bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves on the next event (data, close) or after `ms`. */
  private next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => { clearTimeout(t); resolve(); });
    });
  }

  /** Writes the data; pieces are written one by one with `pauseMs` between them. */
  async send(data: string | Buffer | ReadonlyArray<string | Buffer>, pauseMs = 15): Promise<void> {
    const pieces = typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data;
    for (let i = 0; i < pieces.length; i++) {
      if (this.closed || this.socket.destroyed) return;
      const p = pieces[i]!;
      this.socket.write(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
      if (i < pieces.length - 1 && pauseMs > 0) await sleep(pauseMs);
    }
  }

  /** Waits until the server closes, or the responses expected are complete and the line is quiet. */
  async collect(opts: CollectOptions = {}): Promise<Exchange> {
    const quietMs = opts.quietMs ?? 300;
    const settleMs = opts.settleMs ?? 60;
    const started = Date.now();
    const deadline = started + (opts.maxMs ?? 3000);
    let parsed = this.parse(opts.methods);
    while (!this.closed && Date.now() < deadline) {
      const finals = parsed.responses.filter((r) => r.status >= 200).length;
      const quiet = opts.expectFinal !== undefined && finals >= opts.expectFinal && parsed.rest.length === 0 ? settleMs : quietMs;
      // Quiet since the last byte, or since collect() began if nothing arrived after that.
      const idle = Date.now() - Math.max(this.lastByteAt, started);
      if (idle >= quiet) break;
      await this.next(Math.min(quiet - idle, deadline - Date.now()));
      parsed = this.parse(opts.methods);
    }
    return this.parse(opts.methods);
  }

  /** The bytes received so far, parsed. */
  parse(methods?: readonly string[]): Exchange {
    const bytes = this.bytes;
    return { ...parseResponses(bytes, methods, this.closed), bytes, closed: this.closed, reset: this.reset };
  }

  /** Resolves true once the server closed, false after `ms`. */
  async waitClosed(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await this.next(deadline - Date.now());
    return this.closed;
  }

  /** Closes from our side and waits for the socket to be gone. */
  destroy(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => { this.socket.once('close', () => resolve()); this.socket.destroy(); });
  }
}

/** Opens a connection, sends `data`, collects the answer and closes: one exchange. */
export async function exchange(ep: Endpoint, data: string | Buffer | ReadonlyArray<string | Buffer>, opts: CollectOptions & { pauseMs?: number } = {}): Promise<Exchange> {
  const c = await RawConn.open(ep);
  try {
    await c.send(data, opts.pauseMs);
    return await c.collect(opts);
  } finally {
    await c.destroy();
  }
}

/** A short printable form of raw bytes for failure messages. */
export function show(b: Buffer | string, max = 600): string {
  const s = typeof b === 'string' ? b : b.toString('latin1');
  const j = JSON.stringify(s.length > max ? s.slice(0, max) + '…' : s);
  return j;
}
