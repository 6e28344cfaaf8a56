/**
 * The buffer-slot budget seen from the network: with bufferSlotsCount = 2, two held connections use
 * both slots; a third is refused with 503 + Connection: close and closed (RFC 9110 §15.6.4); a slot
 * freed by a closing client serves a new connection; every slot is free again once all clients left.
 */
import { RawConn, field, parseResponses, type Exchange } from './__tests__/raw';
import { startTestServer, type TestServer } from './__tests__/server';

const GET = 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let ts: TestServer;
const open: RawConn[] = [];

beforeAll(async () => {
  ts = await startTestServer('tcp', (srv) => {
    srv.bufferSlotsCount = 2;
    srv.bufferSlotSize = 1024; // the minimum
    // The refusal itself is tested here: idle held connections would otherwise be evicted (availability.test.ts).
    srv.evictWhenPoolFull = false;
  });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.destroy()));
  await until(() => ts.srv.stats.connections === 0);
});

afterAll(async () => {
  await ts.srv.stop();
});

async function until(cond: () => boolean, ms = 1500): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await sleep(10);
  return cond();
}

/** Opens a connection and gets one response on it: the connection then certainly holds a slot. */
async function held(): Promise<RawConn> {
  const c = await RawConn.open(ts.ep);
  open.push(c);
  await c.send(GET);
  const x = await c.collect({ expectFinal: 1 });
  expect(x.responses.map((r) => [r.status, r.body.toString()])).toEqual([[200, 'hello']]);
  expect(x.closed).toBe(false);
  return c;
}

/** A connection beyond the budget: sends a request and waits for the server to close it. */
async function refused(): Promise<Exchange> {
  const c = await RawConn.open(ts.ep);
  open.push(c);
  await c.send(GET);
  await c.waitClosed(1500);
  return c.parse();
}

test('two held connections fill both slots; a third gets 503 with Connection: close and is closed', async () => {
  await held();
  await held();
  expect(ts.srv.stats.slots?.inUse).toBe(2);
  const refusedBefore = ts.srv.stats.refused;
  const x = await refused();
  const text = x.bytes.toString('latin1');
  expect(text).toMatch(/^HTTP\/1\.1 503 [^\r\n]*\r\n/);
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  expect(head).toMatch(/\r\nConnection: close(\r\n|$)/i);
  expect(head).toMatch(/\r\nRetry-After: \d+(\r\n|$)/i);
  expect(x.closed).toBe(true);
  expect(x.reset).toBe(false);
  expect(ts.srv.stats.refused).toBe(refusedBefore + 1);
  expect(ts.logs.some((l) => l.type === 'WARNING' && /refused.*503/.test(l.msg))).toBe(true);
  // The held connections were not disturbed.
  expect(ts.srv.stats.connections).toBe(2);
});

test('the 503 refusal is a well-framed response (Content-Length matches its body)', async () => {
  await held();
  await held();
  const x = await refused();
  const parsed = parseResponses(x.bytes, [], true);
  expect(parsed.error).toBeNull();
  expect(parsed.rest.toString('latin1')).toBe('');
  expect(parsed.responses).toHaveLength(1);
  const r = parsed.responses[0]!;
  expect(r.status).toBe(503);
  expect(field(r, 'connection')).toBe('close');
  expect(r.body.length).toBe(Number(field(r, 'content-length')));
});

test('after one held connection closes, a new connection is served', async () => {
  const a = await held();
  const b = await held();
  await a.destroy();
  expect(await until(() => ts.srv.stats.connections === 1)).toBe(true);
  expect(ts.srv.stats.slots?.inUse).toBe(1);
  const c = await held(); // asserts a 200 on it
  // b is still served too, and the budget is full again.
  await b.send(GET);
  const x = await b.collect({ expectFinal: 2 });
  expect(x.responses.map((r) => r.status)).toEqual([200, 200]);
  expect(ts.srv.stats.slots?.inUse).toBe(2);
  await c.destroy();
});

test('a refused client does not take a slot: the next one after a release is served', async () => {
  const a = await held();
  await held();
  const r = await refused();
  expect(r.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 503 /);
  await a.destroy();
  expect(await until(() => ts.srv.stats.slots?.inUse === 1)).toBe(true);
  await held();
});

test('slots.inUse comes back to 0 once every client closed', async () => {
  const conns = [await held(), await held()];
  expect(ts.srv.stats.slots?.inUse).toBe(2);
  await Promise.all(conns.map((c) => c.destroy()));
  expect(await until(() => ts.srv.stats.slots?.inUse === 0)).toBe(true);
  expect(ts.srv.stats.connections).toBe(0);
  expect(ts.srv.stats.slots?.available).toBe(2);
});

test('a connection closed by the server (Connection: close) frees its slot too', async () => {
  const c = await RawConn.open(ts.ep);
  open.push(c);
  await c.send('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(await c.waitClosed(1500)).toBe(true);
  expect(c.parse().responses.map((r) => r.status)).toEqual([200]);
  await c.destroy();
  expect(await until(() => ts.srv.stats.slots?.inUse === 0)).toBe(true);
});

describe('over TLS', () => {
  let tlsTs: TestServer;
  const conns: RawConn[] = [];

  beforeAll(async () => {
    tlsTs = await startTestServer('tls', (srv) => { srv.bufferSlotsCount = 2; srv.bufferSlotSize = 1024; srv.evictWhenPoolFull = false; });
  });

  afterAll(async () => {
    await Promise.all(conns.map((c) => c.destroy()));
    await tlsTs.srv.stop();
  });

  // The refusal is written before any handshake (no slot, no TLS state is spent on the client), so a
  // TLS client cannot read it; what matters is that it is told at once rather than left hanging.
  test('a refused TLS client ends at once (handshake failure or close), held ones go on', async () => {
    for (let i = 0; i < 2; i++) {
      const c = await RawConn.open(tlsTs.ep);
      conns.push(c);
      await c.send(GET);
      expect((await c.collect({ expectFinal: 1 })).responses.map((r) => r.status)).toEqual([200]);
    }
    const t0 = Date.now();
    const ended = await RawConn.open(tlsTs.ep).then(
      async (c) => { conns.push(c); await c.send(GET); return c.waitClosed(1500); },
      () => true,
    );
    expect(ended).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(tlsTs.srv.stats.refused).toBe(1);
    await conns[0]!.send(GET);
    expect((await conns[0]!.collect({ expectFinal: 2 })).responses.map((r) => r.status)).toEqual([200, 200]);
  });
});
