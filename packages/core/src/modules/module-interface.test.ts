/**
 * The public module interface with real sockets: stages added by a module, a body taken as it arrives
 * (with backpressure and a limit of its own), an open-ended response that a graceful stop ends, the
 * server's logger and stats.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { MicroWebSrv, type BodyReceiver, type MwsModule, type OpenStream } from '../index';
import { RawClient, sleep, startServer, stopAll } from '../__tests__/server-harness';

afterEach(stopAll);

/** Counts and hashes bodies posted to /upload, as they arrive, pausing after every chunk for a tick. */
class HashUploads implements MwsModule {
  seen: Array<{ bytes: number; chunks: number; sha1: string }> = [];
  aborted: Error[] = [];
  constructor(server: MicroWebSrv, private readonly opts: { maxBytes?: number; slow?: boolean }) {
    server.addStage({
      name: 'upload-answer',
      run: (req) => {
        if (req.path !== '/upload') return false;
        req.response.returnOkJSON(this.seen[this.seen.length - 1] ?? null);
        return true;
      },
    });
  }
  onRequestBody(_s: MicroWebSrv, req: { path: string }): BodyReceiver | null {
    if (req.path !== '/upload') return null;
    const hash = createHash('sha1');
    let bytes = 0;
    let chunks = 0;
    let resume: () => void = () => {};
    return {
      maxBytes: this.opts.maxBytes,
      onStart: (r) => { resume = r; },
      onData: (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
        chunks++;
        if (!this.opts.slow) return true;
        setImmediate(resume);
        return false; // pause: the rest waits in the slot, then in the kernel
      },
      onEnd: () => { this.seen.push({ bytes, chunks, sha1: hash.digest('hex') }); },
      onAbort: (err) => { this.aborted.push(err); },
    };
  }
}

function post(port: number, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('body receiver (onRequestBody)', () => {
  test('takes a body far above the slot and maxRequestContentLength as it arrives, with backpressure', async () => {
    const ts = await startServer((srv) => {
      srv.setEmbeddedConfig(); // 1 KiB slots, 16 KiB bodies
      srv.bindAddress = ['127.0.0.1', 0];
      srv.loadModule(HashUploads, { slow: true });
    });
    const body = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const r = await post(ts.port, '/upload', body);
    expect(r.status).toBe(200);
    const got = JSON.parse(r.body);
    expect(got.bytes).toBe(body.length);
    expect(got.sha1).toBe(createHash('sha1').update(body).digest('hex'));
    // Each piece is at most a slot: the body never sat in memory whole.
    expect(got.chunks).toBeGreaterThanOrEqual(body.length / 1024);
    expect(ts.srv.stageNames).toEqual(['access', 'module:HashUploads', 'upload-answer', 'routes', 'static', 'options', 'fallback']);
  });

  test('a chunked body too: the receiver gets the de-chunked bytes', async () => {
    let mod!: HashUploads;
    const ts = await startServer((srv) => { mod = srv.loadModule(HashUploads, {}); });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    const r = await c.readResponse();
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString()).bytes).toBe(11);
    expect(mod.seen[0].sha1).toBe(createHash('sha1').update('hello world').digest('hex'));
    c.destroy();
  });

  test("the receiver's own limit: 413 and close, and onAbort", async () => {
    let mod!: HashUploads;
    const ts = await startServer((srv) => { mod = srv.loadModule(HashUploads, { maxBytes: 100 }); });
    const r = await post(ts.port, '/upload', Buffer.alloc(101)).catch((e: Error) => ({ status: 0, body: e.message }));
    expect(r.status).toBe(413);
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n' + 'a'.repeat(100) + '\r\n1\r\nb\r\n');
    const r2 = await c.readResponse();
    expect(r2.status).toBe(413);
    expect(await c.waitEnd()).toBe(true);
    expect(mod.aborted.length).toBe(2);
    expect(ts.logs.some((l) => l.type === 'WARNING' && l.msg.includes('413'))).toBe(true);
  });

  test('a client that leaves mid-body: onAbort with an AbortError, the slot is released', async () => {
    let mod!: HashUploads;
    const ts = await startServer((srv) => { mod = srv.loadModule(HashUploads, {}); });
    const s = net.connect(ts.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n' + 'x'.repeat(10));
    await sleep(50);
    s.destroy();
    for (let i = 0; i < 100 && ts.srv.stats.connections > 0; i++) await sleep(10);
    expect(ts.srv.stats.connections).toBe(0);
    expect(mod.aborted.map((e) => e.name)).toEqual(['AbortError']);
    expect(ts.srv.stats.slots!.inUse).toBe(0);
  });
});

describe('open-ended responses (response.openStream)', () => {
  test('chunks leave as written; a graceful stop runs onStop, ends the stream and does not wait for stopTimeoutSec', async () => {
    let stream!: OpenStream;
    const ts = await startServer((srv) => {
      srv.stopTimeoutSec = 60; // a stop that waited for it would time this test out
      srv.registerRoute((_s, req) => {
        stream = req.response.openStream(200, { contentType: 'text/event-stream', onStop: (es) => es.write('event: bye\ndata: x\n\n') });
        stream.write('data: one\n\n');
      }, 'GET', '/events');
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 100 && !c.pending.toString().includes('data: one'); i++) await sleep(10);
    const head = c.pending.toString();
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toMatch(/Content-Type: text\/event-stream; charset=UTF-8\r\n/);
    expect(head).toMatch(/Transfer-Encoding: chunked\r\n/);
    expect(head).toContain('b\r\ndata: one\n\n\r\n');
    await ts.stop();
    expect(await c.waitEnd()).toBe(true);
    expect(c.pending.toString()).toMatch(/event: bye\ndata: x\n\n\r\n0\r\n\r\n$/);
    expect(stream.closed).toBe(true);
  });

  test('a client that leaves aborts the signal; write then returns false', async () => {
    let stream!: OpenStream;
    const ts = await startServer((srv) => {
      srv.registerRoute((_s, req) => { stream = req.response.openStream(); stream.write('x'); }, 'GET', '/tail');
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('GET /tail HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 100 && stream === undefined; i++) await sleep(10);
    const aborted = new Promise((r) => stream.signal.addEventListener('abort', () => r(stream.signal.reason)));
    c.destroy();
    expect(((await aborted) as Error).name).toBe('AbortError');
    expect(stream.write('more')).toBe(false);
  });

  test('HTTP/1.0 gets a close-delimited body; end() closes', async () => {
    const ts = await startServer((srv) => {
      srv.registerRoute((_s, req) => { const s = req.response.openStream(200, { contentType: 'text/plain' }); s.write('a'); setTimeout(() => { s.write('b'); s.end(); }, 20); }, 'GET', '/s');
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('GET /s HTTP/1.0\r\n\r\n');
    expect(await c.waitEnd()).toBe(true);
    const text = c.pending.toString();
    expect(text).not.toMatch(/Transfer-Encoding/);
    expect(text).toMatch(/Connection: close\r\n\r\nab$/);
  });

  test('misuse throws naming the option', async () => {
    const ts = await startServer((srv) => {
      srv.registerRoute((_s, req) => {
        expect(() => req.response.openStream(200, { onStop: 3 as never })).toThrow(/openStream onStop must be a function/);
        req.response.returnOk('ok');
      }, 'GET', '/m');
    });
    expect((await fetch(ts.url('/m'))).status).toBe(200);
  });
});

describe('stages, logger and stats', () => {
  test('addStage places a stage by name; bad positions and running servers throw', async () => {
    const srv = new MicroWebSrv();
    srv.addStage({ name: 'last-resort', run: (req) => { req.response.returnOk('caught'); return true; } }, { before: 'fallback' });
    expect(srv.stageNames).toEqual(['access', 'routes', 'static', 'options', 'last-resort', 'fallback']);
    expect(() => srv.addStage({ name: 'x', run: () => false }, { after: 'nope' })).toThrow(/addStage position must be/);
    expect(() => srv.addStage({ name: 'x', run: () => false }, { before: 'access' })).toThrow(/addStage position/);
    expect(() => srv.addStage({ name: 'last-resort', run: () => false })).toThrow(/already exists/);
    expect(() => srv.addStage({ name: '', run: () => false })).toThrow(/addStage stage must be/);
    srv.bindAddress = ['127.0.0.1', 0];
    srv.logLevel = 'ERROR';
    await srv.startManaged();
    try {
      expect(() => srv.addStage({ name: 'late', run: () => false })).toThrow(/cannot change while the server runs/);
      const r = await fetch(`http://127.0.0.1:${srv.address[1]}/nothing-here`);
      expect(await r.text()).toBe('caught');
    } finally {
      await srv.stop();
    }
  });

  test('a pino-compatible logger gets the access line with structured fields', async () => {
    const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
    const logger = {
      debug: (obj: object, msg?: string) => lines.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }),
      info: (obj: object, msg?: string) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
      warn: (obj: object, msg?: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
      error: (obj: object, msg?: string) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
    };
    const srv = new MicroWebSrv();
    expect(() => { srv.logger = { info: () => {} } as never; }).toThrow(/logger must be a pino-compatible object/);
    srv.logger = logger;
    srv.bindAddress = ['127.0.0.1', 0];
    srv.registerRoute(() => 'hello', 'GET', '/hi');
    await srv.startManaged();
    try {
      await (await fetch(`http://127.0.0.1:${srv.address[1]}/hi?secret=1`)).text();
      const access = lines.find((l) => l.msg?.includes('GET /hi'))!;
      expect(access.level).toBe('info');
      expect(access.obj).toMatchObject({ method: 'GET', path: '/hi', status: 200, bytes: 5, ssl: false });
      expect(typeof access.obj.durationMs).toBe('number');
      expect(String(access.obj.remote)).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(srv.stats.requests).toBe(1);
    } finally {
      await srv.stop();
    }
  });
});

describe('edge cases found in review', () => {
  test('a receiver may hold its pause longer than bodyTimeoutSec: no 408', async () => {
    let resume: () => void = () => {};
    const ts = await startServer((srv) => {
      srv.bodyTimeoutSec = 0.3;
      srv.loadModule(class Slow implements MwsModule {
        onRequestBody(): BodyReceiver {
          return { onStart: (r) => { resume = r; }, onData: () => { setTimeout(() => resume(), 900); return false; }, onEnd: () => {}, onAbort: () => {} };
        }
      });
      srv.registerRoute(() => 'stored', 'PUT', '/x');
    });
    const r = await fetch(ts.url('/x'), { method: 'PUT', body: 'hello' });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('stored');
  });

  test('requireBasicAuth: a refused request is never claimed by a body receiver', async () => {
    let claimed = 0;
    const ts = await startServer((srv) => {
      srv.requireBasicAuth('ada', 'secret');
      srv.loadModule(class Taker implements MwsModule {
        onRequestBody(): BodyReceiver { claimed++; return { onData: () => {}, onEnd: () => {}, onAbort: () => {} }; }
      });
      srv.registerRoute(() => 'ok', 'PUT', '/x');
    });
    expect((await fetch(ts.url('/x'), { method: 'PUT', body: 'hello' })).status).toBe(401);
    expect(claimed).toBe(0);
    const auth = { authorization: 'Basic ' + Buffer.from('ada:secret').toString('base64') };
    expect((await fetch(ts.url('/x'), { method: 'PUT', body: 'hello', headers: auth })).status).toBe(200);
    expect(claimed).toBe(1);
  });

  test('an onStop that throws: logged; the other streams end and stop() resolves', async () => {
    const streams: OpenStream[] = [];
    const ts = await startServer((srv) => {
      srv.stopTimeoutSec = 60;
      let n = 0;
      srv.registerRoute((_s, req) => {
        const first = n++ === 0;
        streams.push(req.response.openStream(200, { onStop: () => { if (first) throw new Error('boom'); } }));
      }, 'GET', '/s');
    });
    const a = new RawClient(ts.port);
    const b = new RawClient(ts.port);
    await a.connected(); await b.connected();
    a.write('GET /s HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 100 && streams.length < 1; i++) await sleep(10);
    b.write('GET /s HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 100 && streams.length < 2; i++) await sleep(10);
    await ts.stop();
    expect(streams.every((s) => s.closed)).toBe(true);
    expect(await a.waitEnd()).toBe(true);
    expect(await b.waitEnd()).toBe(true);
    expect(ts.logs.some((l) => l.type === 'ERROR' && l.msg.includes("onStop threw"))).toBe(true);
    expect(ts.srv.isRunning).toBe(false);
  });

  test('a stream opened after the graceful stop began is ended at once, not after stopTimeoutSec', async () => {
    let stream: OpenStream | null = null;
    const ts = await startServer((srv) => {
      srv.stopTimeoutSec = 60;
      srv.registerRoute(async (_s, req) => {
        await sleep(150);
        stream = req.response.openStream(200, { onStop: (s) => s.write('late bye') });
      }, 'GET', '/late');
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('GET /late HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(30);
    await ts.stop();
    expect(stream!.closed).toBe(true);
    expect(await c.waitEnd()).toBe(true);
    expect(c.pending.toString()).toMatch(/late bye\r\n0\r\n\r\n$/);
  });

  test('a graceful stop lets an upload in progress finish and be answered', async () => {
    const ts = await startServer((srv) => {
      srv.registerRoute((_s, req) => `got ${req.content.length}`, 'POST', '/up');
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
    await sleep(30);
    const stopped = ts.stop();
    await sleep(30);
    c.write('world');
    const r = await c.readResponse();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('got 10');
    expect(r.headers.connection).toBe('close');
    await stopped;
  });

  test('a user stage that returns nothing passes the request on', async () => {
    const ts = await startServer((srv) => {
      srv.addStage({ name: 'forgetful', run: ((req: { path: string; response: { returnOk(s: string): void } }) => { if (req.path === '/mine') { req.response.returnOk('mine'); return true; } }) as never });
      srv.registerRoute(() => 'route', 'GET', '/other');
    });
    expect(await (await fetch(ts.url('/mine'))).text()).toBe('mine');
    expect(await (await fetch(ts.url('/other'))).text()).toBe('route');
  });

  test('old-style values of the former plain fields are still taken', () => {
    const srv = new MicroWebSrv();
    srv.notFoundURL = '';
    expect(srv.notFoundURL).toBeNull();
    srv.notFoundURL = undefined as never;
    expect(srv.notFoundURL).toBeNull();
    srv.allowAllOrigins = 1 as never;
    expect(srv.allowAllOrigins).toBe(true);
    srv.onAccessCheck = undefined as never;
    expect(srv.onAccessCheck).toBeNull();
    expect(() => { srv.onAccessCheck = 5 as never; }).toThrow(/onAccessCheck must be a function/);
  });
});
