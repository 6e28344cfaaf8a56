/**
 * The server-wide budget of buffered request bodies (`maxBufferedBodyBytes`, issue 18): a body that
 * does not fit gets 503 + Retry-After before it is read; what a body held comes back when it completes
 * or its client leaves; bodies a module's BodyReceiver takes as they arrive do not count.
 */
import type { BodyReceiver, MwsModule } from '../modules/module';
import type { MicroWebSrv } from '../server/micro-web-srv';
import { startServer, stopAll } from '../__tests__/server-harness';
import { Peer, until } from '../server/__tests__/peer';

const peers: Peer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await stopAll();
});

test('a body that does not fit the budget gets 503 with Retry-After; a body alone may grow past it; the budget comes back when bodies end', async () => {
  const ts = await startServer((srv) => {
    srv.maxBufferedBodyBytes = 40_000;
    srv.requestsTimeoutSec = 30;
    srv.registerRoute((_s, req) => `${req.content.length}`, 'POST', '/up');
  });
  const open = async (first: string): Promise<Peer> => {
    const p = new Peer(ts.port);
    peers.push(p);
    await p.send(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n${first}`);
    return p;
  };
  // Two bodies of 10,000 bytes so far: a first buffer of 16 KiB each.
  const a = await open('a'.repeat(10_000));
  const b = await open('b'.repeat(10_000));
  expect(await until(() => ts.srv.stats.bufferedBodyBytes === 2 * 16 * 1024)).toBe(true);
  // A third body's first buffer does not fit: 503 before any byte is read.
  const c = await open('');
  expect(await c.until((p) => p.closed)).toBe(true);
  expect(c.status()).toBe(503);
  expect(c.data).toMatch(/\r\nRetry-After: 1\r\n/);
  expect(ts.srv.stats.bodyBudgetRefused).toBe(1);
  // A small body still fits beside them.
  const d = new Peer(ts.port);
  peers.push(d);
  await d.send('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
  expect(await d.until((p) => p.closed)).toBe(true);
  expect(d.data.endsWith('\r\n\r\n5')).toBe(true);
  // a grows past what is left while b holds its share: 503 then too, and a's share is given back.
  a.sock.write('a'.repeat(10_000));
  expect(await a.until((p) => p.closed)).toBe(true);
  expect(a.status()).toBe(503);
  expect(await until(() => ts.srv.stats.bufferedBodyBytes === 16 * 1024)).toBe(true);
  expect(ts.srv.stats.bodyBudgetRefused).toBe(2);
  // b, now the only body held, may grow past the budget (up to its own size limit).
  b.sock.write('b'.repeat(40_000));
  expect(await until(() => ts.srv.stats.bufferedBodyBytes === 64 * 1024)).toBe(true);
  expect(b.closed).toBe(false);
  b.sock.destroy();
  expect(await until(() => ts.srv.stats.bufferedBodyBytes === 0)).toBe(true);
  expect(ts.logs.some((l) => l.type === 'WARNING' && /\[503\] ERR_MWS_BODY_BUDGET/.test(l.msg))).toBe(true);
});

test('a body claimed by a module (streamed) does not count against the budget', async () => {
  let got = 0;
  class Sink implements MwsModule {
    constructor(_srv: MicroWebSrv) {}
    onRequestBody(): BodyReceiver {
      return { onData: (chunk) => { got += chunk.length; }, onEnd: () => undefined, onAbort: () => undefined };
    }
  }
  const ts = await startServer((srv) => {
    srv.maxBufferedBodyBytes = 1024;
    srv.loadModule(Sink);
    srv.registerRoute(() => `${got}`, 'POST', '/up');
  });
  const p = new Peer(ts.port);
  peers.push(p);
  await p.send(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n${'z'.repeat(100_000)}`);
  expect(await p.until((x) => x.closed)).toBe(true);
  expect(p.status()).toBe(200);
  expect(p.data.endsWith('100000')).toBe(true);
  expect(ts.srv.stats.bodyBudgetRefused).toBe(0);
});
