/**
 * multipart/form-data through busboy (issue 14 §2), streamed and buffered, with limits; the buffered form
 * API reading multipart fields; the body API on buffered requests; route options and misuse.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MicroWebSrv, createWebRoute, RouteTable, type RouteHandler, type MultipartLimits } from '../index';
import { startServer, stopAll } from '../__tests__/server-harness';

afterEach(stopAll);

const sha1 = (b: Uint8Array | string): string => createHash('sha1').update(b).digest('hex');

/** A route listing the parts it got: fields with their value, files with size and hash. */
function partsRoute(srv: MicroWebSrv, path: string, body: 'stream' | 'buffer', limits?: MultipartLimits): void {
  srv.registerRoute(async (_s, req) => {
    const out: unknown[] = [];
    for await (const p of req.multipart(limits)) {
      if (p.kind === 'field') { out.push({ kind: p.kind, name: p.name, value: p.value, mimeType: p.mimeType }); continue; }
      const h = createHash('sha1');
      let n = 0;
      for await (const c of p.stream!) { h.update(c); n += c.length; }
      out.push({ kind: p.kind, name: p.name, filename: p.filename, mimeType: p.mimeType, n, sha1: h.digest('hex') });
    }
    return out;
  }, 'POST', path, { body });
}

function form(fileBytes: Uint8Array): FormData {
  const fd = new FormData();
  fd.append('title', 'héllo');
  fd.append('doc', new Blob([fileBytes], { type: 'application/pdf' }), 'a/b/report.pdf');
  fd.append('note', 'after the file');
  return fd;
}

describe('request.multipart()', () => {
  const file = new Uint8Array(700_000).map((_, i) => (i * 13) & 0xff);
  const expected = [
    { kind: 'field', name: 'title', value: 'héllo', mimeType: 'text/plain' },
    { kind: 'file', name: 'doc', filename: 'report.pdf', mimeType: 'application/pdf', n: file.length, sha1: sha1(file) },
    { kind: 'field', name: 'note', value: 'after the file', mimeType: 'text/plain' },
  ];

  test('fields and files as they arrive, streamed (Embedded slots) and buffered alike', async () => {
    const ts = await startServer((srv) => {
      srv.setEmbeddedConfig();
      srv.maxRequestContentLength = 2 * 1024 * 1024;
      srv.bindAddress = ['127.0.0.1', 0];
      partsRoute(srv, '/s', 'stream');
      partsRoute(srv, '/b', 'buffer');
    });
    for (const p of ['/s', '/b']) {
      const r = await fetch(ts.url(p), { method: 'POST', body: form(file) });
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual(expected);
    }
  });

  test('a file part not read is dropped when the next part is asked for', async () => {
    const ts = await startServer((srv) => {
      srv.registerRoute(async (_s, req) => {
        const names: string[] = [];
        for await (const p of req.multipart()) names.push(p.name);
        return names;
      }, 'POST', '/skip', { body: 'stream' });
    });
    const r = await fetch(ts.url('/skip'), { method: 'POST', body: form(file) });
    expect(await r.json()).toEqual(['title', 'doc', 'note']);
  });

  test.each([
    [{ files: 0 }, 'more than limits.files (0) files'],
    [{ fields: 1 }, 'more than limits.fields (1) fields'],
    [{ parts: 2 }, 'more than limits.parts (2) parts'],
    [{ fieldSize: 3 }, 'multipart field &quot;title&quot; is longer than limits.fieldSize (3 bytes)'],
    [{ fileSize: 1000 }, 'multipart file &quot;report.pdf&quot; is larger than limits.fileSize (1000 bytes)'],
  ])('limit %j → 413 with a clear message', async (limits, msg) => {
    const ts = await startServer((srv) => partsRoute(srv, '/l', 'stream', limits as MultipartLimits));
    const r = await fetch(ts.url('/l'), { method: 'POST', body: form(file) });
    expect(r.status).toBe(413);
    expect(await r.text()).toContain(msg);
    expect(ts.logs.some((l) => l.type === 'WARNING' && l.msg.includes('413 sent'))).toBe(true);
  });

  test('a malformed body → 400; a wrong content type → 400; bad limits throw at once', async () => {
    const ts = await startServer((srv) => {
      partsRoute(srv, '/m', 'stream');
      srv.registerRoute((_s, req) => { try { req.multipart({ files: -1 }); } catch (e) { return (e as Error).message; } return 'no throw'; }, 'POST', '/bad-limits');
    });
    const cut = await fetch(ts.url('/m'), { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=XX' }, body: '--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\nabc' });
    expect(cut.status).toBe(400);
    expect(await cut.text()).toContain('Unexpected end of form');
    const noType = await fetch(ts.url('/m'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(noType.status).toBe(400);
    const bad = await fetch(ts.url('/bad-limits'), { method: 'POST', body: 'x' });
    expect(await bad.text()).toBe('request.multipart(limits): limits.files must be an integer from 0 to 9007199254740991, got -1');
  });
});

/** Sends `raw` on a real socket and returns all the server wrote until it closed. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.end(raw));
    let out = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => { out += d; });
    sock.on('error', reject);
    sock.on('close', () => resolve(out));
  });
}

describe('a malformed multipart body fails the file part stream with an MwsError', () => {
  /** A body that ends inside a file part (no closing boundary), its Content-Length exact. */
  const body = '--XX\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n' + 'x'.repeat(5000);
  const request = (path: string): string =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;

  test('pipeline(part.stream, …) and for await reject with ERR_MWS_BAD_MULTIPART; a stream nobody listens to is no unhandled error', async () => {
    const seen: Array<{ how: string; code: unknown; name: string }> = [];
    const ts = await startServer((srv) => {
      srv.registerRoute(async (_s, req) => {
        const parts = req.multipart();
        const part = (await parts.next()).value!;
        try {
          await pipeline(part.stream!, new Writable({ write(_c, _e, cb) { cb(); } }));
          seen.push({ how: 'pipeline', code: 'none', name: '' });
        } catch (e) { seen.push({ how: 'pipeline', code: (e as { code?: unknown }).code, name: (e as Error).name }); }
        await parts.next().catch(() => undefined);
        return 'done';
      }, 'POST', '/pipe', { body: 'stream' });
      srv.registerRoute(async (_s, req) => {
        const parts = req.multipart();
        const part = (await parts.next()).value!;
        try {
          for await (const _c of part.stream!) { /* read */ }
          seen.push({ how: 'iterate', code: 'none', name: '' });
        } catch (e) { seen.push({ how: 'iterate', code: (e as { code?: unknown }).code, name: (e as Error).name }); }
        return 'done';
      }, 'POST', '/iter', { body: 'stream' });
      // Reads the part with a 'data' listener only (no 'error' listener of its own), then asks for the next part.
      srv.registerRoute(async (_s, req) => {
        const parts = req.multipart();
        const part = (await parts.next()).value!;
        part.stream!.on('data', () => undefined);
        try { await parts.next(); return 'no error'; } catch (e) { seen.push({ how: 'next', code: (e as { code?: unknown }).code, name: (e as Error).name }); throw e; }
      }, 'POST', '/nolistener', { body: 'stream' });
    });
    const unhandled: unknown[] = [];
    const onUncaught = (e: unknown): void => { unhandled.push(e); };
    process.on('uncaughtException', onUncaught);
    try {
      expect(await exchange(ts.port, request('/pipe'))).toMatch(/^HTTP\/1\.1 200 /);
      expect(await exchange(ts.port, request('/iter'))).toMatch(/^HTTP\/1\.1 200 /);
      const r = await exchange(ts.port, request('/nolistener'));
      expect(r).toMatch(/^HTTP\/1\.1 400 /);
      expect(r).toContain('malformed multipart/form-data body: Unexpected end of form');
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(seen).toEqual([
      { how: 'pipeline', code: 'ERR_MWS_BAD_MULTIPART', name: 'MwsError' },
      { how: 'iterate', code: 'ERR_MWS_BAD_MULTIPART', name: 'MwsError' },
      { how: 'next', code: 'ERR_MWS_BAD_MULTIPART', name: 'MwsError' },
    ]);
    expect(unhandled).toEqual([]);
  });
});

describe('buffered bodies through the stream API, and the form API', () => {
  test('getPostedURLEncodedForm reads the fields of a multipart body (files left out)', async () => {
    const ts = await startServer((srv) => { srv.registerRoute((_s, req) => req.getPostedURLEncodedForm(), 'POST', '/form'); });
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('f', new Blob(['file bytes']), 'f.txt');
    fd.append('b', 'two words');
    const r = await fetch(ts.url('/form'), { method: 'POST', body: fd });
    expect(await r.json()).toEqual({ a: '1', b: 'two words' });
    const u = await fetch(ts.url('/form'), { method: 'POST', body: new URLSearchParams({ x: 'y z' }) });
    expect(await u.json()).toEqual({ x: 'y z' });
  });

  test('read, readInto, body, pipeTo and signal work on a buffered request; bodyLimit lowered below it → 413', async () => {
    const ts = await startServer((srv) => {
      srv.registerRoute(async (_s, req) => {
        const a = await req.read(4);
        const buf = Buffer.alloc(3);
        const k = await req.readInto(buf);
        const rest = await req.read();
        return { streamed: req.isBodyStreamed, a: a!.toString(), into: buf.subarray(0, k).toString(), rest: rest!.toString(), end: await req.read(), aborted: req.signal.aborted };
      }, 'POST', '/buf');
      srv.registerRoute(async (_s, req) => { req.bodyLimit = 3; await req.read(); return 'read'; }, 'POST', '/lim');
    });
    const r = await fetch(ts.url('/buf'), { method: 'POST', body: 'abcdefghij' });
    expect(await r.json()).toEqual({ streamed: false, a: 'abcd', into: 'efg', rest: 'hij', end: null, aborted: false });
    const l = await fetch(ts.url('/lim'), { method: 'POST', body: 'abcdefghij' });
    expect(l.status).toBe(413);
    expect(await l.text()).toContain('bodyLimit 3 bytes');
  });

  test('one reader at a time; bodyLimit set after reading, or above the route cap, throws', async () => {
    const ts = await startServer((srv) => {
      srv.registerRoute(async (_s, req) => {
        const errs: string[] = [];
        try { req.bodyLimit = 5000; } catch (e) { errs.push((e as Error).message); }
        const first = req.read();
        await req.read().catch((e) => errs.push(`${e.code}: ${e.message}`));
        await first;
        try { req.bodyLimit = 10; } catch (e) { errs.push((e as Error).message); }
        void req.body;
        await req.read().catch((e) => errs.push(e.code));
        return errs;
      }, 'POST', '/misuse', { body: 'stream', maxBodyBytes: 1000 });
    });
    const r = await fetch(ts.url('/misuse'), { method: 'POST', body: 'abc' });
    expect(await r.json()).toEqual([
      "request.bodyLimit must be an integer from 0 to 1000 (the route's maxBodyBytes), got 5000",
      'ERR_MWS_BODY_USED: request.read: another read or pipeTo of the body is in progress',
      'request.bodyLimit must be set before the body is read',
      'ERR_MWS_BODY_USED',
    ]);
  });
});

describe('route options', () => {
  test('registerRoute and WebRoute take { name, body, maxBodyBytes }; bad ones throw naming the option', () => {
    const table = new RouteTable<RouteHandler>();
    const h: RouteHandler = () => 'x';
    table.add(h, 'PUT', '/a', { name: 'a', body: 'stream', maxBodyBytes: 10 });
    expect(table.pathFromRoute('a')).toBe('/a');
    expect(table.bodyOptions('PUT', '/a')).toEqual({ body: 'stream', maxBodyBytes: 10 });
    expect(table.bodyOptions('GET', '/a')).toBeNull();
    createWebRoute(table)('POST', '/b/<id>', { body: 'stream' })(h);
    expect(table.bodyOptions('POST', '/b/7')).toEqual({ body: 'stream' });
    expect(() => table.add(h, 'PUT', '/c', { body: 'streaming' as 'stream' })).toThrow("registerRoute options.body must be 'buffer' or 'stream', got \"streaming\"");
    expect(() => table.add(h, 'PUT', '/c', { maxBodyBytes: -1 })).toThrow('registerRoute options.maxBodyBytes must be an integer from 0 to');
    expect(() => table.add(h, 'PUT', '/c', { size: 1 } as never)).toThrow('registerRoute options must be an object with name, body, maxBodyBytes only, got "size"');
    expect(() => createWebRoute(table)('PUT', '/d', { body: 1 } as never)).toThrow("WebRoute options.body must be 'buffer' or 'stream', got 1");
  });

  test('a buffered route with maxBodyBytes takes a body above maxRequestContentLength (and refuses one above its own)', async () => {
    const ts = await startServer((srv) => {
      srv.setEmbeddedConfig(); // 16 KiB bodies
      srv.bindAddress = ['127.0.0.1', 0];
      srv.registerRoute((_s, req) => ({ n: req.content.length, streamed: req.isBodyStreamed }), 'POST', '/big', { maxBodyBytes: 100_000 });
    });
    const ok = await fetch(ts.url('/big'), { method: 'POST', body: Buffer.alloc(90_000) });
    expect(await ok.json()).toEqual({ n: 90_000, streamed: false });
    const tooBig = await fetch(ts.url('/big'), { method: 'POST', body: Buffer.alloc(100_001) }).catch(() => null);
    if (tooBig !== null) expect(tooBig.status).toBe(413);
  });
});
