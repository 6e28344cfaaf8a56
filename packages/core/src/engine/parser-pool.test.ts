import type { MicroWebSrv } from '../server/micro-web-srv';
import type { HttpRequest } from '../request/http-request';
import { RawClient, get, sleep, startServer, stopAll, type TestServer } from '../__tests__/server-harness';
import type { ConnectionHost } from './connection-host';
import { parserPoolFor, type ParserPool } from './parser-pool';

afterEach(stopAll);

/** The server's pool of spare parsers (the same object its connections use: one pool per host and slot size). */
function poolOf(ts: TestServer): ParserPool {
  const host = (ts.srv as unknown as { _host: ConnectionHost })._host;
  return parserPoolFor(host, ts.srv.bufferSlotSize);
}

async function open(ts: TestServer): Promise<RawClient> {
  const c = new RawClient(ts.port);
  await c.connected();
  return c;
}

describe('request parsers come from a per-server pool (issue 19: an idle connection holds none)', () => {
  test('connections give their parser back between requests; the next ones reuse them', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => { release = r; });
    const ts = await startServer((s) => {
      s.registerRoute(async (_srv, req) => { await gate; return `slow ${req.path}`; }, 'GET', '/slow');
      s.registerRoute((_srv, req) => `fast ${req.path}`, 'GET', '/fast');
    });
    const pool = poolOf(ts);
    const spare0 = pool.spare;
    const clients = await Promise.all([1, 2, 3].map(() => open(ts)));
    for (const c of clients) c.write(get('/slow'));
    await sleep(100);
    // Three requests in progress at once: three parsers out, none came back yet.
    expect(pool.spare).toBe(Math.max(0, spare0 - 3));
    release();
    for (const c of clients) expect((await c.readResponse()).body.toString()).toBe('slow /slow');
    await sleep(20);
    const spare = pool.spare;
    expect(spare).toBeGreaterThanOrEqual(3); // all idle again: every parser is back
    // Keep-alive requests on the same connections and on new ones take spare parsers and give them back.
    const more = await Promise.all([1, 2].map(() => open(ts)));
    for (const c of [...clients, ...more]) {
      c.write(get('/fast'));
      expect((await c.readResponse()).body.toString()).toBe('fast /fast');
    }
    await sleep(20);
    expect(pool.spare).toBe(spare);
    for (const c of [...clients, ...more]) c.destroy();
  });

  test('a connection with part of a head keeps its parser; others meanwhile are served from the pool', async () => {
    const ts = await startServer((s) => {
      s.registerRoute((_srv, req) => `hi ${req.path} ${req.headers['x-a'] ?? '-'}`, 'GET', '/p/<n>');
      s.registerRoute((_srv, req) => `got ${req.content?.toString() ?? ''}`, 'POST', '/body');
    });
    const pool = poolOf(ts);
    const a = await open(ts);
    const b = await open(ts);
    b.write(get('/p/0'));
    expect((await b.readResponse()).body.toString()).toBe('hi /p/0 -');
    await sleep(20);
    const spare = pool.spare;
    expect(spare).toBeGreaterThanOrEqual(1);
    a.write('GET /p/1 HTTP/1.1\r\nHost: x\r\nX-A: fir');
    await sleep(50);
    const spareWhileA = pool.spare;
    expect(spareWhileA).toBe(spare - 1); // a holds one while its head is incomplete
    // b's requests (a chunked body, then a pipelined pair) use and return a parser of their own.
    b.write('POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    await sleep(30);
    b.write('0\r\n\r\n');
    expect((await b.readResponse()).body.toString()).toBe('got abc');
    b.write(get('/p/2') + get('/p/3'));
    expect((await b.readResponse()).body.toString()).toBe('hi /p/2 -');
    expect((await b.readResponse()).body.toString()).toBe('hi /p/3 -');
    await sleep(20);
    // b's parser came back (made anew if a had taken the last spare one).
    const afterB = Math.max(spareWhileA, 1);
    expect(pool.spare).toBe(afterB);
    // a's head, finished now, was parsed by the parser it kept (its partial scan intact).
    a.write('st\r\n\r\n');
    expect((await a.readResponse()).body.toString()).toBe('hi /p/1 first');
    await sleep(20);
    expect(pool.spare).toBe(afterB + 1);
    a.destroy();
    b.destroy();
  });

  test('a refused request closes its connection; its dead parser is not given back', async () => {
    const ts = await startServer((s) => { s.registerRoute(() => 'ok', 'GET', '/'); });
    const pool = poolOf(ts);
    const ok = await open(ts);
    ok.write(get('/'));
    await ok.readResponse();
    await sleep(20);
    const spare = pool.spare;
    const bad = await open(ts);
    bad.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect((await bad.readResponse()).status).toBe(400);
    expect(await bad.waitEnd()).toBe(true);
    expect(pool.spare).toBe(spare - 1); // taken from the pool, dropped with its connection
    // The pool's parsers are clean: the next request on a connection parses normally.
    ok.write(get('/'));
    expect((await ok.readResponse()).body.toString()).toBe('ok');
    ok.destroy();
  });

  test('a connection handed over to another protocol (101 + detach) keeps no parser, and the pool is not given a paused one', async () => {
    class Echo {
      onRequest(_s: MicroWebSrv, req: HttpRequest): void {
        if (!req.isUpgrade || req.upgrade !== 'echo') return;
        req.response.switchingProtocols('echo');
        req.detachConnection().asyncRecvRaw((cl, buf, start, end) => { cl.asyncSendData(`[${buf.toString('latin1', start, end)}]`); return end - start; });
      }
    }
    const ts = await startServer((s) => { s.loadModule(Echo); s.registerRoute(() => 'ok', 'GET', '/'); });
    const pool = poolOf(ts);
    const plain = await open(ts);
    plain.write(get('/'));
    await plain.readResponse();
    await sleep(20);
    const spare = pool.spare;
    const c = await open(ts);
    c.write(get('/x', 'Connection: Upgrade\r\nUpgrade: echo\r\n') + 'hi');
    expect((await c.readResponse({ noBody: true })).status).toBe(101);
    for (let i = 0; i < 50 && !c.pending.toString().includes('[hi]'); i++) await sleep(10);
    expect(c.pending.toString()).toBe('[hi]');
    const conns = [...(ts.srv as unknown as { _conns: { live: Set<{ isDetached: boolean }> } })._conns.live];
    const detached = conns.filter((x) => x.isDetached);
    expect(detached).toHaveLength(1);
    expect((detached[0] as unknown as { _parser: unknown })._parser).toBeNull();
    expect(pool.spare).toBe(spare - 1); // the upgrade's parser was taken and is gone with HTTP
    c.destroy();
    plain.destroy();
  });
});
