/**
 * Test helpers for static files: a temporary tree (root, an outside folder, symlinks, a dotfile,
 * precompressed siblings, a 5 MB file, a sparse 64 MB file) and servers whose static stage is wired to
 * serveStatic the way the pipeline calls it (`server._serveStatic`).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { MicroWebSrv } from '../../index';
import { parseRaw, rawExchange, startServer, stopAll, type RawResponse, type TestServer } from '../../__tests__/server-harness';
import type { StaticOptions } from '../options';
import { serveStaticFile } from '../serve-static';

/** Every fixture file has this mtime (Last-Modified is then known and a strong validator). */
export const FIXED_MTIME = new Date('2020-01-02T03:04:05Z');
export const FIXED_LAST_MODIFIED = 'Thu, 02 Jan 2020 03:04:05 GMT';
export const HELLO = 'Hello, world!\n';
export const DIGITS = Array.from({ length: 100 }, (_, i) => String(i % 10)).join(''); // 100 bytes
export const APP_JS = 'console.log("hello from app.js");\n'.repeat(300);
export const SECRET = 'TOP SECRET outside the root';
export const DOT_SECRET = 'SECRET=dotfile';
export const BIG_SIZE = 5 * 1024 * 1024;
export const HUGE_SIZE = 64 * 1024 * 1024;

export interface Fixture {
  base: string;
  root: string;
  big: Buffer;
  bigSha256: string;
  hasFifo: boolean;
  cleanup(): void;
}

/** Builds the tree under a fresh temporary folder. */
export function buildFixture(): Fixture {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mws-static-')));
  const root = path.join(base, 'www');
  const w = (rel: string, data: string | Buffer, at: string = root) => {
    const p = path.join(at, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
    fs.utimesSync(p, FIXED_MTIME, FIXED_MTIME);
  };
  w('secret.txt', SECRET, path.join(base, 'outside'));
  w('x.txt', SECRET, path.join(base, 'www-evil')); // a sibling folder whose name starts like the root's
  w('index.html', '<h1>home</h1>');
  w('hello.txt', HELLO);
  w('digits.txt', DIGITS);
  w('empty.txt', '');
  w('data.json', '{"a":1}');
  w('secret.bin', 'binary of an unknown type');
  w('LICENSE', 'a file without an extension');
  w('app.js', APP_JS);
  w('app.js.br', zlib.brotliCompressSync(APP_JS));
  w('app.js.gz', zlib.gzipSync(APP_JS));
  w('style.css', 'body{color:red}\n'.repeat(50));
  w('style.css.gz', zlib.gzipSync('body{color:red}\n'.repeat(50)));
  w('stale.css', 'new content\n');
  w('stale.css.gz', zlib.gzipSync('old content\n'));
  fs.utimesSync(path.join(root, 'stale.css.gz'), new Date('2019-01-01T00:00:00Z'), new Date('2019-01-01T00:00:00Z'));
  w('sub/index.htm', '<p>sub index.htm</p>');
  w('sub/page.html', '<p>sub page</p>');
  w('sub/deeper/default.html', '<p>deeper default.html</p>');
  w('sub/deeper/index.txt', 'custom default page');
  fs.mkdirSync(path.join(root, 'emptydir'));
  w('.env', DOT_SECRET);
  w('.hidden/file.txt', DOT_SECRET);
  w('café.txt', 'unicode name');
  w('a b.txt', 'space in name');
  w('%41.txt', 'literal percent name');
  w('404.html', '<h1>custom not found</h1>');
  const big = randomBytes(BIG_SIZE);
  w('big.pdf', big);
  const huge = path.join(root, 'huge.zip');
  fs.writeFileSync(huge, '');
  fs.truncateSync(huge, HUGE_SIZE); // sparse: instant, costs no disk
  fs.symlinkSync(path.join(base, 'outside', 'secret.txt'), path.join(root, 'link-out.txt'));
  fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'linkdir-out'));
  fs.symlinkSync('../www-evil/x.txt', path.join(root, 'prefix-trick.txt'));
  fs.symlinkSync('hello.txt', path.join(root, 'link-in.txt'));
  fs.symlinkSync('.env', path.join(root, 'link-dot.txt'));
  let hasFifo = false;
  try { execFileSync('mkfifo', [path.join(root, 'pipe.txt')]); hasFifo = true; } catch { /* no mkfifo: that case is skipped */ }
  return {
    base, root, big, hasFifo,
    bigSha256: createHash('sha256').update(big).digest('hex'),
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}

/**
 * Starts a server on 127.0.0.1:0 serving `root`, its static stage wired as the pipeline will call it;
 * with `options`, through serveStaticFile with those settings (independent of the server's own).
 */
export function startStatic(root: string, options?: StaticOptions, setup?: (srv: MicroWebSrv) => void): Promise<TestServer> {
  return startServer((srv) => {
    srv.rootPath = root;
    srv.logLevel = 'ERROR';
    // With options: a stage before the built-in one serves with them (and answers 404 itself when
    // nothing is there, so the built-in stage with the server's own settings never runs).
    if (options !== undefined) {
      srv.addStage({
        name: 'static-with-options',
        run: (r) => (r.method === 'GET' || r.method === 'HEAD' ? serveStaticFile(srv, r, r.rawPath, options).then((done) => done || (r.response.returnNotFound(), true)) : false),
      }, { before: 'static' });
    }
    setup?.(srv);
  });
}

/** One request on a fresh connection (Connection: close); the target goes out exactly as given. */
export async function request(port: number, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  let head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  const { data } = await rawExchange(port, head + '\r\n', { timeoutMs: 5000 });
  return parseRaw(data);
}

/** The parts of a multipart/byteranges body (RFC 9110 §14.6). */
export function parseMultipart(res: RawResponse): Array<{ headers: Record<string, string>; body: Buffer }> {
  const m = /boundary=([^;\s]+)/.exec(res.headers['content-type'] ?? '');
  if (m === null) throw new Error(`not multipart: ${res.headers['content-type']}`);
  const delim = Buffer.from(`\r\n--${m[1]}`, 'latin1');
  const body = res.body;
  const parts: Array<{ headers: Record<string, string>; body: Buffer }> = [];
  let at = body.indexOf(delim);
  if (at !== 0) throw new Error('the body does not start with the boundary');
  for (;;) {
    const after = at + delim.length;
    if (body.toString('latin1', after, after + 4) === '--\r\n') {
      if (after + 4 !== body.length) throw new Error('bytes after the closing boundary');
      return parts;
    }
    const headEnd = body.indexOf('\r\n\r\n', after);
    const headers: Record<string, string> = {};
    for (const line of body.toString('latin1', after + 2, headEnd).split('\r\n')) {
      const c = line.indexOf(':');
      headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
    }
    const next = body.indexOf(delim, headEnd + 4);
    if (next === -1) throw new Error('unterminated part');
    parts.push({ headers, body: body.subarray(headEnd + 4, next) });
    at = next;
  }
}

/** Open descriptors of this process (Linux), to catch a file handle left open; -1 elsewhere. */
export function openFdCount(): number {
  try { return fs.readdirSync('/proc/self/fd').length; } catch { return -1; }
}

/**
 * Builds the fixture tree and a static server for the enclosing describe (or file), hands both to
 * `bind`, and cleans both up afterwards.
 */
export function useStaticServer(bind: (fx: Fixture, ts: TestServer) => void): void {
  let fx: Fixture | null = null;
  beforeAll(async () => {
    fx = buildFixture();
    bind(fx, await startStatic(fx.root));
  });
  afterAll(async () => {
    await stopAll();
    fx?.cleanup();
  });
}
