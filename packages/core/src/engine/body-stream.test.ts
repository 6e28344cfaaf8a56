/**
 * Streamed request bodies on the wire (issue 14 §1): Content-Length and chunked, TLS, pipelined requests
 * after a streamed body, 100-continue sent only when the handler reads, early answers (drained or closed),
 * limits (413 + close), a stall (408), a client leaving mid-body (AbortError, signal, slot released).
 */
import * as https from 'node:https';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { MicroWebSrv, type HttpRequest, type MwsModule } from '../index';
import { RawClient, TEST_CERT, TEST_KEY, rawExchange, parseRaw, sleep, startServer, stopAll } from '../__tests__/server-harness';

afterEach(stopAll);

const sha1 = (b: Buffer | string): string => createHash('sha1').update(b).digest('hex');

/** A streamed route that hashes the body through `request.body` and answers `{ n, sha1, streamed }`. */
function hashRoute(srv: MicroWebSrv, path = '/up', opts: { maxBodyBytes?: number } = {}): void {
  srv.registerRoute(async (_s, req) => {
    const h = createHash('sha1');
    let n = 0;
    for await (const c of req.body) { h.update(c); n += c.length; }
    req.response.returnOkJSON({ n, sha1: h.digest('hex'), streamed: req.isBodyStreamed });
  }, 'POST', path, { body: 'stream', ...opts });
}

function patterned(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 10)) & 0xff;
  return b;
}

describe('streamed bodies on the wire', () => {
  test('Content-Length and chunked bodies far above the slot and maxRequestContentLength', async () => {
    const ts = await startServer((srv) => { srv.setEmbeddedConfig(); srv.bindAddress = ['127.0.0.1', 0]; hashRoute(srv); });
    const body = patterned(3 * 1024 * 1024 + 17);
    const r = await fetch(ts.url('/up'), { method: 'POST', body });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ n: body.length, sha1: sha1(body), streamed: true });
    // Chunked: sent as a stream of pieces, de-chunked for the handler.
    const pieces = [body.subarray(0, 1000), body.subarray(1000, 70000), body.subarray(70000)];
    const r2 = await fetch(ts.url('/up'), {
      method: 'POST', duplex: 'half',
      body: new ReadableStream({ start(c) { for (const p of pieces) c.enqueue(new Uint8Array(p)); c.close(); } }),
    } as RequestInit);
    expect(await r2.json()).toEqual({ n: body.length, sha1: sha1(body), streamed: true });
  });

  test('over TLS', async () => {
    const ts = await startServer((srv) => { srv.enableSSL({ certFile: TEST_CERT, keyFile: TEST_KEY }); srv.bindAddress = ['127.0.0.1', 0]; hashRoute(srv); });
    const body = patterned(1024 * 1024);
    const got = await new Promise<string>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: ts.port, path: '/up', method: 'POST', ca: fs.readFileSync(TEST_CERT), agent: false, headers: { 'content-length': body.length } }, (res) => {
        let d = '';
        res.on('data', (c) => { d += c; });
        res.on('end', () => resolve(d));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(JSON.parse(got)).toEqual({ n: body.length, sha1: sha1(body), streamed: true });
  });

  test('streamed bodies borrow 64 KiB read buffers (8 at most, more uploads read through their slots) and give them back; plain requests borrow none', async () => {
    let started = 0;
    let maxLent = 0;
    let release: () => void = () => undefined;
    const allIn = new Promise<void>((resolve) => { release = resolve; });
    const ts = await startServer((srv) => {
      srv.registerRoute(async (_s, req) => {
        const h = createHash('sha1');
        let n = 0;
        for await (const c of req.body) {
          h.update(c); n += c.length;
          if (n === c.length && ++started === 10) release();
          await allIn;
          maxLent = Math.max(maxLent, srv.stats.readBuffersLent);
        }
        req.response.returnOkJSON({ n, sha1: h.digest('hex') });
      }, 'POST', '/up', { body: 'stream' });
      srv.registerRoute(() => 'plain', 'GET', '/plain');
    });
    const body = patterned(2 * 1024 * 1024 + 5);
    const got = await Promise.all(Array.from({ length: 10 }, () => fetch(ts.url('/up'), { method: 'POST', body }).then((r) => r.json())));
    for (const g of got) expect(g).toEqual({ n: body.length, sha1: sha1(body) });
    expect(maxLent).toBe(8);
    expect(ts.srv.stats.readBuffersLent).toBe(0);
    expect(await (await fetch(ts.url('/plain'))).text()).toBe('plain');
    expect(ts.srv.stats.readBuffersLent).toBe(0);
  });

  test('slots as big as a read buffer borrow none; two streamed bodies pipelined back to back both arrive whole', async () => {
    const big = await startServer((srv) => { srv.bufferSlotSize = 64 * 1024; srv.bindAddress = ['127.0.0.1', 0]; hashRoute(srv); });
    const body = patterned(1024 * 1024 + 3);
    expect(await (await fetch(big.url('/up'), { method: 'POST', body })).json()).toEqual({ n: body.length, sha1: sha1(body), streamed: true });
    expect(big.srv.stats.readBuffersLent).toBe(0);
    const ts = await startServer((srv) => hashRoute(srv));
    const one = patterned(200_000);
    const head = (n: number): string => `POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${n}\r\n\r\n`;
    const raw = Buffer.concat([Buffer.from(head(one.length)), one, Buffer.from(head(one.length)), one, Buffer.from('GET /none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]);
    const out = (await rawExchange(ts.port, raw)).data.toString("latin1");
    const want = JSON.stringify({ n: one.length, sha1: sha1(one), streamed: true });
    expect(out.split(want).length - 1).toBe(2);
    expect(out).toContain('HTTP/1.1 404');
    expect(ts.srv.stats.readBuffersLent).toBe(0);
  });

  test('pipelined requests after a streamed body (Content-Length, then chunked) are answered in order', async () => {
    const ts = await startServer((srv) => { hashRoute(srv); srv.registerRoute(() => 'pong', 'GET', '/ping'); });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello worldGET /ping HTTP/1.1\r\nHost: x\r\n\r\n'
      + 'POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(JSON.parse((await c.readResponse()).body.toString())).toMatchObject({ n: 11, sha1: sha1('hello world') });
    expect((await c.readResponse()).body.toString()).toBe('pong');
    expect(JSON.parse((await c.readResponse()).body.toString())).toMatchObject({ n: 3, sha1: sha1('abc') });
    expect((await c.readResponse()).body.toString()).toBe('pong');
    c.destroy();
  });

  test('read(n), readInto(buf) and pipeTo(writable) give the same bytes', async () => {
    const body = patterned(200_000);
    const ts = await startServer((srv) => {
      srv.registerRoute(async (_s, req) => {
        const parts: Buffer[] = [];
        let c: Buffer | null;
        while ((c = await req.read(1000)) !== null) { expect(c.length).toBeLessThanOrEqual(1000); parts.push(c); }
        return { sha1: sha1(Buffer.concat(parts)) };
      }, 'POST', '/read', { body: 'stream' });
      srv.registerRoute(async (_s, req) => {
        const buf = Buffer.alloc(5000);
        const h = createHash('sha1');
        let k: number;
        while ((k = await req.readInto(buf)) > 0) h.update(buf.subarray(0, k));
        return { sha1: h.digest('hex') };
      }, 'POST', '/into', { body: 'stream' });
      srv.registerRoute(async (_s, req) => {
        const file = `${fs.mkdtempSync('/tmp/mws-pipe-')}/f`;
        const n = await req.pipeTo(fs.createWriteStream(file));
        const got = fs.readFileSync(file);
        fs.rmSync(file);
        return { n, sha1: sha1(got) };
      }, 'POST', '/pipe', { body: 'stream' });
      // A header read first, then the rest into a file (the batches a read() split are not reused).
      srv.registerRoute(async (_s, req) => {
        const head = (await req.read(10))!;
        const file = `${fs.mkdtempSync('/tmp/mws-pipe-')}/f`;
        await req.pipeTo(fs.createWriteStream(file));
        const got = Buffer.concat([head, fs.readFileSync(file)]);
        fs.rmSync(file);
        return { sha1: sha1(got) };
      }, 'POST', '/read-then-pipe', { body: 'stream' });
    });
    for (const p of ['/read', '/into', '/pipe', '/read-then-pipe']) {
      const r = await fetch(ts.url(p), { method: 'POST', body });
      expect(await r.json()).toMatchObject({ sha1: sha1(body) });
    }
  });

  test('Expect: 100-continue: the 100 goes out when the handler reads, never before; a handler answering first never gets the body', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const ts = await startServer((srv) => {
      srv.registerRoute(async (_s, req) => { await gate; return { text: (await req.read())!.toString() }; }, 'POST', '/late', { body: 'stream' });
      srv.registerRoute((_s, req) => { req.response.returnEntityTooLarge(); }, 'POST', '/refuse', { body: 'stream' });
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('POST /late HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    await sleep(150);
    expect(c.pending.length).toBe(0); // the handler has not read yet: no 100
    release();
    await sleep(100);
    expect(c.pending.toString()).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    c.write('hello');
    await sleep(100);
    const rest = c.pending.subarray('HTTP/1.1 100 Continue\r\n\r\n'.length);
    expect(JSON.parse(parseRaw(rest).body.toString())).toEqual({ text: 'hello' });
    c.destroy();
    // Answered before reading: no 100, Connection: close (the client holds the body back), then the close.
    const r = await rawExchange(ts.port, 'POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n');
    expect(r.data.toString().startsWith('HTTP/1.1 413 ')).toBe(true);
    expect(r.data.toString()).not.toContain('100 Continue');
    expect(parseRaw(r.data).headers.connection).toBe('close');
    expect(r.closedByServer).toBe(true);
  });

  test('requireBasicAuth answers 401 before a streamed handler runs; the body is never read', async () => {
    let ran = 0;
    const ts = await startServer((srv) => {
      srv.requireBasicAuth('u', 'p');
      srv.registerRoute(() => { ran++; return 'x'; }, 'PUT', '/up', { body: 'stream' });
    });
    const r = await rawExchange(ts.port, 'PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n' + 'a'.repeat(1000));
    expect(r.data.toString().startsWith('HTTP/1.1 401 ')).toBe(true);
    expect(r.closedByServer).toBe(true);
    expect(ran).toBe(0);
  });

  test('an answer before the end: a short rest is drained (keep-alive), a long one closes', async () => {
    const ts = await startServer((srv) => {
      srv.registerRoute(async (_s, req) => { await req.read(10); return 'early'; }, 'POST', '/early', { body: 'stream' });
      srv.registerRoute(() => 'pong', 'GET', '/ping');
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write(`POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 30000\r\n\r\n${'z'.repeat(30000)}GET /ping HTTP/1.1\r\nHost: x\r\n\r\n`);
    const r1 = await c.readResponse();
    expect(r1.body.toString()).toBe('early');
    expect(r1.headers.connection).not.toBe('close');
    expect((await c.readResponse()).body.toString()).toBe('pong');
    c.destroy();
    const c2 = new RawClient(ts.port);
    await c2.connected();
    c2.write(`POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n${'z'.repeat(100000)}`);
    const r2 = await c2.readResponse();
    expect(r2.body.toString()).toBe('early');
    expect(r2.headers.connection).toBe('close');
    expect(await c2.waitEnd()).toBe(true);
    c2.destroy();
  });

  test('limits: a declared length above maxBodyBytes → 413 before the handler; a chunked body past request.bodyLimit → 413, close, ERR_MWS_BODY_TOO_LARGE', async () => {
    let ran = 0;
    const seen: Array<{ code?: string; aborted: boolean; reason?: string }> = [];
    const ts = await startServer((srv) => {
      srv.registerRoute(() => { ran++; return 'x'; }, 'POST', '/small', { body: 'stream', maxBodyBytes: 1000 });
      srv.registerRoute(async (_s, req) => {
        req.bodyLimit = 5000;
        try { for await (const _c of req.body) { /* read on */ } } catch (err) {
          seen.push({ code: (err as { code?: string }).code, aborted: req.signal.aborted, reason: (req.signal.reason as { code?: string }).code });
          throw err;
        }
        return 'all read';
      }, 'POST', '/limited', { body: 'stream' });
    });
    const r = await rawExchange(ts.port, 'POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n');
    expect(r.data.toString().startsWith('HTTP/1.1 413 ')).toBe(true);
    expect(ran).toBe(0);
    const c = new RawClient(ts.port);
    await c.connected();
    c.write('POST /limited HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 8; i++) { c.write(`3e8\r\n${'q'.repeat(1000)}\r\n`); await sleep(5); }
    const resp = await c.readResponse();
    expect(resp.status).toBe(413);
    expect(await c.waitEnd()).toBe(true);
    await sleep(50);
    expect(seen).toEqual([{ code: 'ERR_MWS_BODY_TOO_LARGE', aborted: true, reason: 'ERR_MWS_BODY_TOO_LARGE' }]);
    expect(ts.logs.some((l) => l.type === 'ERROR')).toBe(false);
    c.destroy();
  });

  test('a client that stalls mid-body gets 408 after the body timeout; the handler sees ERR_MWS_BODY_TIMEOUT', async () => {
    const errs: string[] = [];
    const ts = await startServer((srv) => {
      srv.bodyTimeoutSec = 0.3;
      srv.registerRoute(async (_s, req) => {
        try { await req.pipeTo(fs.createWriteStream('/dev/null')); } catch (err) { errs.push((err as { code: string }).code); }
      }, 'POST', '/up', { body: 'stream' });
    });
    const r = await rawExchange(ts.port, 'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc', { timeoutMs: 3000 });
    expect(r.data.toString().startsWith('HTTP/1.1 408 ')).toBe(true);
    expect(r.closedByServer).toBe(true);
    await sleep(50);
    expect(errs).toEqual(['ERR_MWS_BODY_TIMEOUT']);
  });

  test('a client that leaves mid-body: the reader gets an AbortError, the signal aborts, the slot is released', async () => {
    let done!: (v: { name: string; aborted: boolean; reasonName: string }) => void;
    const result = new Promise<{ name: string; aborted: boolean; reasonName: string }>((r) => { done = r; });
    const ts = await startServer((srv) => {
      srv.setEmbeddedConfig();
      srv.bindAddress = ['127.0.0.1', 0];
      srv.registerRoute(async (_s, req) => {
        const signal = req.signal;
        try { for (;;) if ((await req.read()) === null) break; } catch (err) {
          done({ name: (err as Error).name, aborted: signal.aborted, reasonName: (signal.reason as Error).name });
        }
      }, 'POST', '/up', { body: 'stream' });
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n${'a'.repeat(50000)}`);
    await sleep(100);
    expect(ts.srv.stats.connections).toBe(1);
    c.destroy();
    expect(await result).toEqual({ name: 'AbortError', aborted: true, reasonName: 'AbortError' });
    for (let i = 0; i < 50 && ts.srv.stats.connections > 0; i++) await sleep(20);
    expect(ts.srv.stats.connections).toBe(0);
    expect(ts.srv.stats.slots!.inUse).toBe(0);
    expect(ts.srv.stats.readBuffersLent).toBe(0);
  });

  test("a module's onRequestBody may return 'stream': its own stage answers with the body as a stream", async () => {
    class Sink implements MwsModule {
      constructor(server: MicroWebSrv) {
        server.addStage({
          name: 'sink',
          run: async (req: HttpRequest) => {
            if (req.path !== '/sink') return false;
            const n = await req.pipeTo(fs.createWriteStream('/dev/null'));
            req.response.returnOkJSON({ n, streamed: req.isBodyStreamed, limit: req.bodyLimit });
            return true;
          },
        }, { before: 'routes' });
      }
      onRequestBody(_s: MicroWebSrv, req: HttpRequest): 'stream' | null { return req.path === '/sink' ? 'stream' : null; }
    }
    const ts = await startServer((srv) => { srv.setEmbeddedConfig(); srv.bindAddress = ['127.0.0.1', 0]; srv.loadModule(Sink, {}); });
    const r = await fetch(ts.url('/sink'), { method: 'POST', body: Buffer.alloc(100_000) });
    expect(await r.json()).toEqual({ n: 100_000, streamed: true, limit: Number.MAX_SAFE_INTEGER });
  });
});
