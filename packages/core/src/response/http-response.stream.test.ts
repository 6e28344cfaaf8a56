/**
 * HttpResponse.returnStream and returnFile over real connections: Content-Length, chunked (raw framing
 * checked with curl --raw and sockets), close-delimited for HTTP/1.0, backpressure, failures, files.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { RawClient, curl, get, parseRaw, rawExchange, sleep, startServer, stopAll, type TestServer } from '../__tests__/server-harness';

let ts: TestServer;
let tmp: string;
let produced = 0;
let infinite: Readable | null = null;
let onSentCalls = 0;

/** A pull-based source of `total` bytes in `chunk`-sized pieces, `delayMs` apart (0: as fast as read). */
function source(total: number, chunk: number, delayMs = 0): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) { this.push(null); return; }
      const n = Math.min(chunk, total - sent);
      const buf = Buffer.alloc(n);
      for (let i = 0; i < n; i++) buf[i] = (sent + i) % 251;
      sent += n;
      produced = sent;
      if (delayMs > 0) setTimeout(() => this.push(buf), delayMs);
      else this.push(buf);
    },
  });
}

function expected(total: number): Buffer {
  const b = Buffer.alloc(total);
  for (let i = 0; i < total; i++) b[i] = i % 251;
  return b;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-resp-'));
  fs.writeFileSync(path.join(tmp, 'page.html'), '<p>héllo</p>');
  fs.writeFileSync(path.join(tmp, 'data.json'), '{"k":1}');
  fs.writeFileSync(path.join(tmp, 'big.pdf'), expected(300_000));
  fs.writeFileSync(path.join(tmp, 'secret.weird'), 'not to be served');
  fs.mkdirSync(path.join(tmp, 'dir.html'));
  ts = await startServer((srv) => {
    srv.registerRoute((_s, r) => r.response.returnStream(200, Readable.from([Buffer.from('hello '), Buffer.from('world')]), 11), 'GET', '/known');
    srv.registerRoute((_s, r) => { r.response.contentLength = 11; r.response.returnStream(200, Readable.from([Buffer.from('hello world')])); }, 'GET', '/known-prop');
    srv.registerRoute((_s, r) => r.response.returnStream(200, Readable.from([Buffer.from('hello'), Buffer.from(', '), Buffer.from('chunked')])), 'GET', '/unknown');
    srv.registerRoute((_s, r) => r.response.returnStream(200, source(8192, 4096)), 'GET', '/slot-multiple');
    srv.registerRoute((_s, r) => r.response.returnStream(200, Readable.from([Buffer.from('hello world')]), 5), 'GET', '/longer');
    srv.registerRoute((_s, r) => r.response.returnStream(200, Readable.from([Buffer.from('short')]), 100), 'GET', '/shorter');
    srv.registerRoute((_s, r) => r.response.returnStream(200, source(256 * 1024, 16 * 1024, 5)), 'GET', '/slow-source');
    srv.registerRoute((_s, r) => {
      const total = Number(r.queryParams.mb) * 1024 * 1024;
      r.response.returnStream(200, source(total, 64 * 1024), total);
    }, 'GET', '/big');
    srv.registerRoute((_s, r) => {
      let n = 0;
      const s = new Readable({
        read() {
          n++;
          if (n === 1) this.push(Buffer.from('part-one;'));
          else setTimeout(() => this.destroy(new Error('source failed')), 20);
        },
      });
      r.response.returnStream(200, s);
    }, 'GET', '/stream-error');
    srv.registerRoute((_s, r) => r.response.returnFile(path.join(tmp, r.queryParams.f ?? ''), r.queryParams.name), 'GET', '/file');
    srv.registerRoute((_s, r) => {
      infinite = new Readable({ read() { setTimeout(() => { if (!this.destroyed) this.push(Buffer.alloc(16 * 1024, 120)); }, 1); } });
      r.response.returnStream(200, infinite);
    }, 'GET', '/endless');
    srv.registerRoute((_s, r) => {
      r.response.onSent = () => { onSentCalls++; };
      if (r.queryParams.file) void r.response.returnFile(path.join(tmp, 'data.json'));
      else r.response.returnStream(200, Readable.from([Buffer.from('abc')]), r.queryParams.chunked ? undefined : 3);
    }, 'GET', '/onsent');
  });
});
afterAll(async () => {
  await stopAll();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('returnStream', () => {
  test('known length (argument or contentLength property): Content-Length, no chunked', async () => {
    for (const p of ['/known', '/known-prop']) {
      const r = await fetch(ts.url(p));
      expect(r.headers.get('content-length')).toBe('11');
      expect(r.headers.get('transfer-encoding')).toBeNull();
      expect(r.headers.get('content-type')).toBe('application/octet-stream');
      expect(await r.text()).toBe('hello world');
    }
  });

  test('unknown length to HTTP/1.1: chunked framing (curl --raw) with the last chunk', async () => {
    const { code, stdout } = await curl(['--raw', '-i', ts.url('/unknown')]);
    expect(code).toBe(0);
    const res = parseRaw(stdout);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.body.toString('latin1')).toBe('5\r\nhello\r\n2\r\n, \r\n7\r\nchunked\r\n0\r\n\r\n');
  });

  test('chunked: a body that is a multiple of the slot size still ends with the last chunk; keep-alive goes on', async () => {
    const c = new RawClient(ts.port);
    c.write(get('/slot-multiple'));
    const deadline = Date.now() + 3000;
    while (!c.pending.includes('0\r\n\r\n') && Date.now() < deadline) await sleep(10);
    const res = parseRaw(c.pending);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    let body = res.body;
    const out: Buffer[] = [];
    for (;;) {
      const eol = body.indexOf('\r\n');
      const size = parseInt(body.toString('latin1', 0, eol), 16);
      if (size === 0) { expect(body.toString('latin1', eol)).toBe('\r\n\r\n'); break; }
      out.push(body.subarray(eol + 2, eol + 2 + size));
      expect(body.toString('latin1', eol + 2 + size, eol + 4 + size)).toBe('\r\n');
      body = body.subarray(eol + 4 + size);
    }
    expect(Buffer.concat(out).equals(expected(8192))).toBe(true);
    c.destroy();
  });

  test('unknown length to HTTP/1.0: close-delimited, never chunked (curl --http1.0)', async () => {
    const { code, stdout } = await curl(['--http1.0', '-i', ts.url('/unknown')]);
    expect(code).toBe(0);
    const res = parseRaw(stdout);
    expect(res.statusLine).toMatch(/^HTTP\/1\.[01] 200 OK$/);
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers.connection).toBe('close');
    expect(res.body.toString()).toBe('hello, chunked');
  });

  test('HTTP/1.0 close-delimited over a raw socket: the server closes after the body', async () => {
    const { data, closedByServer } = await rawExchange(ts.port, 'GET /unknown HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(closedByServer).toBe(true);
    const res = parseRaw(data);
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.body.toString()).toBe('hello, chunked');
  });

  test('HEAD of a stream: head only (Content-Length when known), connection goes on', async () => {
    const c = new RawClient(ts.port);
    c.write('HEAD /known HTTP/1.1\r\nHost: h\r\n\r\n');
    const known = await c.readResponse({ noBody: true });
    expect(known.headers['content-length']).toBe('11');
    c.write('HEAD /unknown HTTP/1.1\r\nHost: h\r\n\r\n');
    const unknown = await c.readResponse({ noBody: true });
    expect(unknown.status).toBe(200);
    expect(unknown.headers['transfer-encoding']).toBeUndefined();
    expect(unknown.headers['content-type']).toBe('application/octet-stream'); // as GET would (RFC 9110 §9.3.2)
    c.write(get('/known'));
    expect((await c.readResponse()).body.toString()).toBe('hello world');
    expect(c.pending.length).toBe(0);
    c.destroy();
  });

  test('a stream longer than declared: exactly the declared bytes, the connection stays usable', async () => {
    const c = new RawClient(ts.port);
    c.write(get('/longer'));
    expect((await c.readResponse()).body.toString()).toBe('hello');
    c.write(get('/known'));
    expect((await c.readResponse()).body.toString()).toBe('hello world');
    c.destroy();
  });

  test('a stream shorter than declared: the connection is closed (framing cannot be repaired)', async () => {
    const { data, closedByServer } = await rawExchange(ts.port, get('/shorter'));
    expect(closedByServer).toBe(true);
    const res = parseRaw(data);
    expect(res.headers['content-length']).toBe('100');
    expect(res.body.length).toBeLessThan(100);
    expect(ts.logs.some((l) => l.type === 'ERROR' && /aborted/.test(l.msg))).toBe(true);
  });

  test('a slow source (chunks 5 ms apart) arrives whole, chunked', async () => {
    const r = await fetch(ts.url('/slow-source'));
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    expect(Buffer.from(await r.arrayBuffer()).equals(expected(256 * 1024))).toBe(true);
  });

  /** Reads /big?mb=N on a raw socket: not at all for `stallMs`, then slowly (2 ms pause after every read). */
  async function slowRead(mb: number, stallMs: number): Promise<{ body: Buffer; producedWhileStalled: number }> {
    produced = 0;
    const sock = net.connect(ts.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve) => {
      sock.on('data', (c) => {
        chunks.push(c);
        sock.pause();
        setTimeout(() => sock.resume(), 2);
      });
      sock.on('close', () => resolve());
    });
    sock.pause();
    sock.write(`GET /big?mb=${mb} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`);
    await sleep(stallMs);
    const producedWhileStalled = produced;
    sock.resume();
    await done;
    return { body: parseRaw(Buffer.concat(chunks)).body, producedWhileStalled };
  }

  test('backpressure: a 5 MB stream to a client that reads slowly arrives whole', async () => {
    const { body } = await slowRead(5, 300);
    expect(body.length).toBe(5 * 1024 * 1024);
    expect(createHash('sha1').update(body).digest('hex')).toBe(createHash('sha1').update(expected(5 * 1024 * 1024)).digest('hex'));
  }, 30000);

  test('backpressure: while the client reads nothing, the source is not read ahead (24 MB stream)', async () => {
    const { body, producedWhileStalled } = await slowRead(24, 500);
    // Socket buffers and the high-water mark hold a few MB; without backpressure all 24 MB would be read
    // (and queued past maxSendPending, closing the connection).
    expect(producedWhileStalled).toBeGreaterThan(0);
    expect(producedWhileStalled).toBeLessThan(12 * 1024 * 1024);
    expect(body.length).toBe(24 * 1024 * 1024);
    expect(body.equals(expected(24 * 1024 * 1024))).toBe(true);
  }, 30000);

  test('a stream that errors mid-way: connection closed without the last chunk, an ERROR log, others served', async () => {
    const { data, closedByServer } = await rawExchange(ts.port, get('/stream-error'));
    expect(closedByServer).toBe(true);
    const res = parseRaw(data);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.body.toString('latin1')).toContain('part-one;');
    expect(res.body.toString('latin1')).not.toContain('0\r\n\r\n');
    expect(ts.logs.some((l) => l.type === 'ERROR' && /source failed/.test(l.msg))).toBe(true);
    await expect(fetch(ts.url('/stream-error')).then((r) => r.text())).rejects.toThrow();
    const ok = await fetch(ts.url('/known'));
    expect(await ok.text()).toBe('hello world');
  });
});

describe('stream endings', () => {
  test('the client going away stops the stream (source destroyed) and the server serves others', async () => {
    const sock = net.connect(ts.port, '127.0.0.1');
    let got = 0;
    sock.on('data', (c) => { got += c.length; });
    sock.write(get('/endless'));
    while (got < 200_000) await sleep(5);
    sock.destroy();
    const deadline = Date.now() + 2000;
    while (!infinite!.destroyed && Date.now() < deadline) await sleep(10);
    expect(infinite!.destroyed).toBe(true);
    expect(await (await fetch(ts.url('/known'))).text()).toBe('hello world');
  });

  test('onSent is called once after a chunked stream', async () => {
    onSentCalls = 0;
    const r = await fetch(ts.url('/onsent?chunked=1'));
    expect(await r.text()).toBe('abc');
    await sleep(100);
    expect(onSentCalls).toBe(1);
  });

  test.each(['/onsent', '/onsent?file=1'])('onSent is called once after %s (known length)', async (p) => {
    onSentCalls = 0;
    const c = new RawClient(ts.port);
    c.write(get(p));
    await c.readResponse();
    await sleep(100);
    const afterFirst = onSentCalls;
    c.destroy();
    expect(afterFirst).toBe(1);
  });
});

describe('returnFile', () => {
  test('an existing file: its type from the MIME table, Content-Length, Last-Modified, content', async () => {
    const r = await fetch(ts.url('/file?f=page.html'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(r.headers.get('content-length')).toBe(String(Buffer.byteLength('<p>héllo</p>')));
    expect(r.headers.get('content-disposition')).toBeNull();
    const mtime = fs.statSync(path.join(tmp, 'page.html')).mtime;
    expect(Date.parse(r.headers.get('last-modified')!)).toBe(Math.floor(mtime.getTime() / 1000) * 1000);
    expect(await r.text()).toBe('<p>héllo</p>');
    const j = await fetch(ts.url('/file?f=data.json'));
    expect(j.headers.get('content-type')).toBe('application/json');
    expect(await j.json()).toEqual({ k: 1 });
  });

  test('a larger binary file arrives whole', async () => {
    const r = await fetch(ts.url('/file?f=big.pdf'));
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-length')).toBe('300000');
    expect(Buffer.from(await r.arrayBuffer()).equals(expected(300_000))).toBe(true);
  });

  test('attachment name → Content-Disposition: attachment; filename="…"', async () => {
    const r = await fetch(ts.url('/file?f=data.json&name=report.json'));
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="report.json"');
    await r.text();
  });

  test('a non-ASCII attachment name: ASCII fallback and filename* (RFC 8187)', async () => {
    const { stdout } = await curl(['-i', ts.url('/file?f=big.pdf&name=' + encodeURIComponent('résumé 2024.pdf')), '-o', '/dev/null', '-D', '-']);
    const res = parseRaw(stdout);
    const cd = res.headers['content-disposition'];
    expect(cd).toContain('attachment;');
    expect(cd).toContain('filename="r_sum_ 2024.pdf"');
    expect(cd).toContain("filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf");
  });

  test('HEAD of a file: headers with its length, no body', async () => {
    const c = new RawClient(ts.port);
    c.write('HEAD /file?f=big.pdf HTTP/1.1\r\nHost: h\r\n\r\n');
    const res = await c.readResponse({ noBody: true });
    expect(res.headers['content-length']).toBe('300000');
    c.write(get('/file?f=data.json'));
    expect((await c.readResponse()).body.toString()).toBe('{"k":1}');
    c.destroy();
  });

  test('a missing file is 404, a directory is 404', async () => {
    const r = await fetch(ts.url('/file?f=nope.html'));
    expect(r.status).toBe(404);
    await r.text();
    const d = await fetch(ts.url('/file?f=dir.html'));
    expect(d.status).toBe(404);
    await d.text();
  });

  test('an unknown extension is application/octet-stream; with staticUnknownType = refuse, 403 and its content never sent', async () => {
    const ok = await fetch(ts.url('/file?f=secret.weird'));
    expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, 'application/octet-stream', 'not to be served']);
    ts.srv.staticUnknownType = 'refuse';
    ts.srv.logLevel = 'DEBUG';
    try {
      const r = await fetch(ts.url('/file?f=secret.weird'));
      expect(r.status).toBe(403);
      expect(await r.text()).not.toContain('not to be served');
      expect(ts.logs).toContainEqual({ type: 'DEBUG', msg: expect.stringMatching(/^returnFile .*secret\.weird refused with 403: '\.weird' has no MIME type and staticUnknownType is 'refuse'/) });
    } finally {
      ts.srv.staticUnknownType = 'octet-stream';
      ts.srv.logLevel = 'INFO';
    }
  });
});
