/**
 * What the engine answers for a handler's outcome: nothing answered → 501 + WARNING; a throw or a
 * rejection → 500 + ERROR, the keep-alive connection lives on; an async answer is awaited.
 */
import { RawClient, get, sleep, startServer, stopAll, type TestServer } from '../__tests__/server-harness';

let ts: TestServer;

beforeAll(async () => {
  ts = await startServer((srv) => {
    srv.registerRoute(() => { /* answers nothing */ }, 'GET', '/nothing');
    srv.registerRoute(async () => { await sleep(10); /* settles without answering */ }, 'GET', '/nothing-async');
    srv.registerRoute(() => { throw new Error('boom sync'); }, 'GET', '/throws');
    srv.registerRoute(async () => { await sleep(5); throw new Error('boom async'); }, 'GET', '/rejects');
    srv.registerRoute(async (_s, r) => { await sleep(50); r.response.returnOk(`late ${r.queryParams.n ?? ''}`); }, 'GET', '/async');
    srv.registerRoute((_s, r) => r.response.returnOk('ok'), 'GET', '/ok');
    srv.registerRoute((_s, r) => { r.response.returnOk('answered'); throw new Error('after answer'); }, 'GET', '/throws-after');
  });
});
afterAll(stopAll);
beforeEach(() => { ts.logs.length = 0; });

test('a handler that answers nothing gets 501 and a WARNING naming the route', async () => {
  const r = await fetch(ts.url('/nothing'));
  expect(r.status).toBe(501);
  await r.text();
  const warn = ts.logs.filter((l) => l.type === 'WARNING');
  expect(warn.length).toBe(1);
  expect(warn[0].msg).toContain('GET /nothing');
});

test('an async handler that settles without answering gets 501 and a WARNING', async () => {
  const r = await fetch(ts.url('/nothing-async'));
  expect(r.status).toBe(501);
  await r.text();
  expect(ts.logs.some((l) => l.type === 'WARNING' && l.msg.includes('/nothing-async'))).toBe(true);
});

test.each(['/throws', '/rejects'])('%s: 500, an ERROR log with the error, and the same connection serves the next request', async (p) => {
  const c = new RawClient(ts.port);
  await c.connected();
  const localPort = c.sock.localPort;
  c.write(get(p));
  const res = await c.readResponse();
  expect(res.status).toBe(500);
  expect(res.headers.connection).not.toBe('close');
  const err = ts.logs.filter((l) => l.type === 'ERROR');
  expect(err.length).toBe(1);
  expect(err[0].msg).toMatch(p === '/throws' ? /boom sync/ : /boom async/);
  c.write(get('/ok'));
  const next = await c.readResponse();
  expect(next.status).toBe(200);
  expect(next.body.toString()).toBe('ok');
  expect(c.ended).toBe(false);
  expect(c.sock.localPort).toBe(localPort);
  // The access log shows both on the same client port.
  const access = ts.logs.filter((l) => l.type === 'INFO' && l.msg.startsWith(`From 127.0.0.1:${localPort} `));
  expect(access.map((l) => l.msg.replace(/^From \S+ /, ''))).toEqual([`GET ${p} >> [500] Internal Server Error`, 'GET /ok >> [200] OK']);
  c.destroy();
});

test('a handler that throws after answering: the answer stands, the error is logged', async () => {
  const c = new RawClient(ts.port);
  c.write(get('/throws-after'));
  const res = await c.readResponse();
  expect(res.status).toBe(200);
  expect(res.body.toString()).toBe('answered');
  expect(ts.logs.some((l) => l.type === 'ERROR' && l.msg.includes('after answer'))).toBe(true);
  c.write(get('/ok'));
  expect((await c.readResponse()).status).toBe(200);
  c.destroy();
});

test('an async handler that answers after 50 ms is awaited', async () => {
  const t0 = Date.now();
  const r = await fetch(ts.url('/async?n=1'));
  expect(r.status).toBe(200);
  expect(await r.text()).toBe('late 1');
  expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
  expect(ts.logs.some((l) => l.type === 'WARNING')).toBe(false);
});

test('pipelined requests behind an async handler are answered in order', async () => {
  const c = new RawClient(ts.port);
  c.write(get('/async?n=1') + get('/ok') + get('/async?n=2'));
  expect((await c.readResponse()).body.toString()).toBe('late 1');
  expect((await c.readResponse()).body.toString()).toBe('ok');
  expect((await c.readResponse()).body.toString()).toBe('late 2');
  c.destroy();
});
