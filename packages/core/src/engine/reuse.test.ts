/**
 * Issue 19 over real sockets: a connection reuses the objects of a request answered during its handler
 * (nothing kept it), and an old reference then throws ERR_MWS_STALE instead of showing the next request's
 * data; requests that were kept (keep(), async handlers, onSent) stay whole. And the shared output batch:
 * a slow reader's pipelined responses arrive byte for byte although the batch Buffer is reused.
 */
import * as net from 'node:net';
import { HttpRequest, HttpResponse, MicroWebSrv, MwsError } from '../index';
import { RawClient, get, startServer, stopAll, type TestServer } from '../__tests__/server-harness';
import { batch } from './output-batch';

let ts: TestServer;
const kept: Array<{ req: HttpRequest; res: HttpResponse; id: string }> = [];
const sentInfo: string[] = [];

function codeOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { return e instanceof MwsError ? e.code : `not an MwsError: ${String(e)}`; }
  return undefined;
}

beforeAll(async () => {
  ts = await startServer((srv: MicroWebSrv) => {
    // Keeps references without declaring it: they go stale when the handler returns.
    srv.registerRoute((_s, req) => {
      kept.push({ req, res: req.response, id: req.getHeader('x-id') ?? '' });
      req.response.returnOk(`sync ${req.getHeader('x-id')}`);
    }, 'GET', '/sync');
    // Declares the later use: keep().
    srv.registerRoute((_s, req) => {
      kept.push({ req: req.keep(), res: req.response, id: req.getHeader('x-id') ?? '' });
      req.response.returnOk(`kept ${req.getHeader('x-id')}`);
    }, 'GET', '/kept');
    // Answers first, then goes on asynchronously with the request: kept without a word.
    srv.registerRoute(async (_s, req) => {
      req.response.returnOk(`async ${req.getHeader('x-id')}`);
      await new Promise((r) => setImmediate(r));
      kept.push({ req, res: req.response, id: req.getHeader('x-id') ?? '' });
    }, 'GET', '/async');
    // onSent reads the response after the write (after the next pipelined request began).
    srv.registerRoute((_s, req) => {
      req.response.onSent = (_srv, res) => { sentInfo.push(`${res.statusCode} ${res.request.getHeader('x-id')}`); };
      req.response.returnOk(`sent ${req.getHeader('x-id')}`);
    }, 'GET', '/sent');
    // A large body per request: a batch of pipelined ones is more than a socket buffer holds.
    srv.registerRoute((_s, req) => {
      const n = Number(req.queryParams.n);
      req.response.returnOk(Buffer.alloc(6000, 0x61 + (n % 26)));
    }, 'GET', '/big');
  });
});
afterAll(stopAll);
beforeEach(() => { kept.length = 0; sentInfo.length = 0; });

async function pipeline(paths: Array<[string, string]>): Promise<string[]> {
  const c = new RawClient(ts.port);
  await c.connected();
  c.write(paths.map(([p, id]) => get(p, `X-Id: ${id}\r\n`)).join(''));
  const bodies: string[] = [];
  for (let i = 0; i < paths.length; i++) bodies.push((await c.readResponse()).body.toString('latin1'));
  c.sock.destroy();
  return bodies;
}

describe('request objects reused per connection (issue 19)', () => {
  test('an unkept request answered by its handler goes stale: ERR_MWS_STALE, never the next request\'s data', async () => {
    expect(await pipeline([['/sync', 'one'], ['/sync', 'two'], ['/sync', 'three']])).toEqual(['sync one', 'sync two', 'sync three']);
    expect(kept.map((k) => k.id)).toEqual(['one', 'two', 'three']);
    for (const k of kept) {
      expect(codeOf(() => k.req.getHeader('x-id'))).toBe('ERR_MWS_STALE');
      expect(codeOf(() => k.req.path)).toBe('ERR_MWS_STALE');
      expect(codeOf(() => k.res.statusCode)).toBe('ERR_MWS_STALE');
      // A stale response cannot answer the request that reused its state.
      expect(codeOf(() => k.res.returnOk('late'))).toBe('ERR_MWS_STALE');
      // Too late to keep it: the state belongs to another request now (marking it would be wrong).
      expect(codeOf(() => k.req.keep())).toBe('ERR_MWS_STALE');
    }
    // The objects were reused: the requests are distinct objects (each handler got its own), the
    // state behind them is shared, which is what the stale check guards.
    expect(new Set(kept.map((k) => k.req)).size).toBe(3);
  });

  test('a retired request\'s objects may serve another connection: the old one still only throws', async () => {
    expect(await pipeline([['/sync', 'first']])).toEqual(['sync first']);
    const old = kept[0]!;
    expect(await pipeline([['/sync', 'other'], ['/kept', 'k']])).toEqual(['sync other', 'kept k']); // a new connection
    expect(codeOf(() => old.req.getHeader('x-id'))).toBe('ERR_MWS_STALE');
    expect(codeOf(() => old.req.userAddress)).toBe('ERR_MWS_STALE');
    expect(codeOf(() => old.res.returnOk('late'))).toBe('ERR_MWS_STALE');
    expect(kept[2]!.req.getHeader('x-id')).toBe('k');
    expect(kept[2]!.req.userAddress[0]).toBe('127.0.0.1');
  });

  test('keep(), an async handler and onSent keep their request whole across pipelined requests', async () => {
    const bodies = await pipeline([['/kept', 'k1'], ['/sync', 's1'], ['/async', 'a1'], ['/sync', 's2'], ['/sent', 'o1'], ['/sync', 's3'], ['/kept', 'k2']]);
    expect(bodies).toEqual(['kept k1', 'sync s1', 'async a1', 'sync s2', 'sent o1', 'sync s3', 'kept k2']);
    await new Promise((r) => setTimeout(r, 50)); // the async handler's continuation
    const byId = new Map(kept.map((k) => [k.id, k]));
    for (const id of ['k1', 'a1', 'k2']) {
      const k = byId.get(id)!;
      expect(k.req.getHeader('x-id')).toBe(id);
      expect(k.req.path).toBe(id.startsWith('k') ? '/kept' : '/async');
      expect(k.res.statusCode).toBe(200);
      expect(k.res.finished).toBe(true);
    }
    for (const id of ['s1', 's2', 's3']) expect(codeOf(() => byId.get(id)!.req.method)).toBe('ERR_MWS_STALE');
    expect(sentInfo).toEqual(['200 o1']);
  });

  test('a request with a body is never reused (its body stays readable)', async () => {
    let saved: HttpRequest | null = null;
    const srv = await startServer((s) => s.registerRoute((_s, req) => { saved = req; req.response.returnOk('ok'); }, 'POST', '/p'));
    const c = new RawClient(srv.port);
    await c.connected();
    c.write('POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /none HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await c.readResponse()).status).toBe(200);
    expect((await c.readResponse()).status).toBe(404);
    c.sock.destroy();
    expect(saved!.getPostedText()).toBe('abc');
  });
});

describe('the shared output batch', () => {
  test('a slow reader gets every pipelined response byte for byte while other connections use the batch', async () => {
    const N = 400; // 400 × 6 KB: beyond what the kernel takes while the client does not read
    const sock = net.connect(ts.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.pause();
    let req = '';
    for (let i = 0; i < N; i++) req += get(`/big?n=${i}`);
    sock.write(req);
    await new Promise((r) => setTimeout(r, 300)); // the server answers; its writes go pending
    // One more request, in a read of its own (when the server reads it), behind the pending bytes.
    sock.write(get(`/big?n=${N}`));
    await new Promise((r) => setTimeout(r, 100));
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    // Meanwhile other connections fill the batch with other bytes.
    const other = new RawClient(ts.port);
    await other.connected();
    other.write(get('/big?n=1') + get('/big?n=2'));
    expect((await other.readResponse()).body.toString('latin1')).toBe('b'.repeat(6000));
    expect((await other.readResponse()).body.toString('latin1')).toBe('c'.repeat(6000));
    other.sock.destroy();
    sock.resume();
    const all = await new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timeout')), 10000);
      const check = (): void => {
        const b = Buffer.concat(chunks);
        const headLen = b.indexOf('\r\n\r\n') + 4; // every head here has the same length
        if (headLen > 4 && b.length >= (N + 1) * (headLen + 6000)) { clearTimeout(t); resolve(b); }
      };
      sock.on('data', check);
      check();
    });
    sock.destroy();
    const text = all.toString('latin1');
    const parts = text.split('HTTP/1.1 200 OK\r\n').slice(1);
    expect(parts).toHaveLength(N + 1);
    parts.forEach((p, i) => {
      const body = p.slice(p.indexOf('\r\n\r\n') + 4);
      expect(body.length).toBe(6000);
      expect(body).toBe(String.fromCharCode(0x61 + (i % 26)).repeat(6000));
    });
  });
});

describe('OutputBatch', () => {
  test('handOver: a view still queued keeps its bytes; the batch writes into a new Buffer', () => {
    batch.owner = {};
    expect(batch.latin1('HTTP/1.1 200 OK\r\n', null)).toBe(true);
    expect(batch.latin1('x'.repeat(100), null)).toBe(true); // the native copy (past the loop's length)
    expect(batch.bytes(Buffer.from('tail'))).toBe(true);
    const n = batch.len;
    const view = batch.view(n);
    expect(batch.view(n)).toBe(view); // cached by length
    batch.len = 0;
    batch.owner = null;
    batch.handOver(); // as _flush does when the send left bytes queued
    batch.owner = {};
    batch.latin1('Z'.repeat(n), null);
    expect(view.toString('latin1')).toBe('HTTP/1.1 200 OK\r\n' + 'x'.repeat(100) + 'tail');
    expect(batch.view(n)).not.toBe(view);
    expect(batch.takeString()).toBe('Z'.repeat(n));
    expect(batch.owner).toBeNull();
    expect(batch.latin1('y'.repeat(40 * 1024), null)).toBe(false); // does not fit: nothing written
    expect(batch.len).toBe(0);
  });
});
