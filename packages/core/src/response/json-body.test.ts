/**
 * returnJSON / returnOkJSON over real sockets with the scratch writer (json-body.ts): the bytes and
 * Content-Length of JSON.stringify for small, unicode, mid-size (beyond the batch's copy limit) and
 * larger-than-scratch (a grown Buffer of its own) bodies; pipelined JSON responses sharing the scratch; after an await
 * (outside a read's batch); HEAD; HTTPS; a cyclic or BigInt value → 500 as any throwing handler.
 */
import { JSON_SCRATCH_SIZE, isScratchView, jsonBody } from './json-body';
import { RawClient, TEST_CERT, TEST_KEY, get, httpsGet, sleep, startServer, stopAll, type TestServer } from '../__tests__/server-harness';

const row = (i: number): Record<string, unknown> => ({ id: i, name: `user ${i}`, tags: ['a', 'é', '\n'], score: i / 7, ok: i % 2 === 0 });
const rows = (n: number): unknown[] => Array.from({ length: n }, (_, i) => row(i));
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

const VALUES: Record<string, unknown> = {
  small: { name: 'abc', n: 42, double: 84 },
  unicode: { s: 'héllo → wörld ✓ \ud83d\ude00 \ud800 "q" \\ \t\x01', list: [1.5, -0, 1e21, 1e-7, null, true, undefined, NaN] },
  mid: rows(90), // ~6 KB, below the batch's copy limit
  beyondCopy: rows(160), // ~11 KB: past the batch's 8 KiB copy limit, joined behind the head
  large: rows(400), // past the scratch: written on into a Buffer of its own
  date: { when: new Date(0), items: [new Date(1000)] },
  nothing: undefined,
  top: 'just a string',
};

let ts: TestServer;
let tls: TestServer;

beforeAll(async () => {
  const routes = (srv: TestServer['srv']): void => {
    for (const [k, v] of Object.entries(VALUES)) {
      srv.registerRoute((_s, r) => r.response.returnOkJSON(v), 'GET', `/v/${k}`);
      srv.registerRoute(async (_s, r) => { await sleep(5); r.response.returnJSON(201, v); }, 'GET', `/async/${k}`);
    }
    srv.registerRoute((_s, r) => r.response.returnOkJSON(cyclic), 'GET', '/cyclic');
    srv.registerRoute((_s, r) => r.response.returnOkJSON({ n: 1n }), 'GET', '/bigint');
  };
  ts = await startServer(routes);
  tls = await startServer((srv) => { srv.enableSSL({ certFile: TEST_CERT, keyFile: TEST_KEY }); routes(srv); });
});
afterAll(stopAll);

const expected = (k: string): Buffer => Buffer.from(JSON.stringify(VALUES[k]) ?? 'null', 'utf8');

test('the sizes cover the scratch and the batch paths', () => {
  expect(expected('mid').length).toBeLessThan(8 * 1024);
  expect(expected('beyondCopy').length).toBeGreaterThan(8 * 1024);
  expect(expected('beyondCopy').length).toBeLessThan(JSON_SCRATCH_SIZE);
  expect(expected('large').length).toBeGreaterThan(JSON_SCRATCH_SIZE);
  const large = jsonBody(VALUES.large);
  expect(Buffer.isBuffer(large) && !isScratchView(large)).toBe(true);
  expect((large as Buffer).equals(expected('large'))).toBe(true);
  const beyond = jsonBody(VALUES.beyondCopy);
  expect(Buffer.isBuffer(beyond) && isScratchView(beyond)).toBe(true);
});

test('a large body runs each getter and toJSON once (the writer grows instead of restarting)', () => {
  let getters = 0;
  let toJSONs = 0;
  const pending = rows(400);
  const v = {
    get counted(): number { return ++getters; },
    queue: { toJSON: (): unknown[] => { toJSONs++; return pending.splice(0); } },
  };
  const body = jsonBody(v);
  expect(getters).toBe(1);
  expect(toJSONs).toBe(1);
  const parsed = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : body) as { counted: number; queue: unknown[] };
  expect(parsed.counted).toBe(1);
  expect(parsed.queue).toHaveLength(400);
});

test.each(Object.keys(VALUES))('GET /v/%s: the bytes and Content-Length of JSON.stringify, application/json', async (k) => {
  const c = new RawClient(ts.port);
  await c.connected();
  c.write(get(`/v/${k}`));
  const res = await c.readResponse();
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/json');
  expect(Number(res.headers['content-length'])).toBe(expected(k).length);
  expect(res.body.equals(expected(k))).toBe(true);
  expect(c.pending.length).toBe(0);
  c.destroy();
});

test('pipelined JSON responses in one read: each its own bytes (the scratch is copied before it is reused)', async () => {
  const keys = [...Object.keys(VALUES), ...Object.keys(VALUES).reverse(), 'small', 'beyondCopy', 'small'];
  const c = new RawClient(ts.port);
  await c.connected();
  c.write(keys.map((k) => get(`/v/${k}`)).join(''));
  for (const k of keys) {
    const res = await c.readResponse();
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(expected(k).length);
    expect(res.body.toString('utf8')).toBe(expected(k).toString('utf8'));
  }
  c.destroy();
});

test('after an await (outside a read), pipelined behind each other: the bytes of JSON.stringify', async () => {
  const keys = ['small', 'beyondCopy', 'unicode', 'large', 'mid'];
  const c = new RawClient(ts.port);
  await c.connected();
  c.write(keys.map((k) => get(`/async/${k}`)).join(''));
  for (const k of keys) {
    const res = await c.readResponse();
    expect(res.status).toBe(201);
    expect(res.body.equals(expected(k))).toBe(true);
  }
  c.destroy();
});

test('HEAD: the Content-Length of the body, no body', async () => {
  const c = new RawClient(ts.port);
  await c.connected();
  c.write('HEAD /v/unicode HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  c.write(get('/v/small'));
  const head = await c.readResponse({ noBody: true });
  expect(Number(head.headers['content-length'])).toBe(expected('unicode').length);
  const next = await c.readResponse();
  expect(next.body.equals(expected('small'))).toBe(true);
  c.destroy();
});

test.each(['small', 'beyondCopy', 'large'])('HTTPS /v/%s: the same text', async (k) => {
  const r = await httpsGet(tls.port, `/v/${k}`, TEST_CERT);
  expect(r.status).toBe(200);
  expect(Number(r.headers['content-length'])).toBe(expected(k).length);
  expect(r.body).toBe(expected(k).toString('utf8'));
});

test.each(['/cyclic', '/bigint'])('%s: JSON.stringify throws → 500 and an ERROR log, as any throwing handler; the connection serves on', async (p) => {
  ts.logs.length = 0;
  const c = new RawClient(ts.port);
  await c.connected();
  c.write(get(p));
  const res = await c.readResponse();
  expect(res.status).toBe(500);
  expect(ts.logs.some((l) => l.type === 'ERROR' && /TypeError/.test(l.msg))).toBe(true);
  c.write(get('/v/small'));
  const next = await c.readResponse();
  expect(next.body.equals(expected('small'))).toBe(true);
  c.destroy();
});

test('a toJSON that sends JSON itself while the scratch is in use gets the JSON.stringify path', () => {
  let inner: Buffer | string | null = null;
  const outer = jsonBody({ a: { toJSON: () => { inner = jsonBody({ b: 2 }); return 'x'; } } });
  expect(inner).toBe('{"b":2}');
  expect(Buffer.from(outer).toString()).toBe('{"a":"x"}');
});
