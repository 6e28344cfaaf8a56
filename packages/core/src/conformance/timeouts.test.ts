/**
 * Request timeouts over real sockets (RFC 9110 §15.5.9 408 Request Timeout), with
 * requestsTimeoutSec = 0.3: an incomplete head, a stalled body, an idle keep-alive connection and a
 * slowloris head each end in a 408 and a close; a slow but progressing body does not.
 */
import { RawConn, type Exchange } from './__tests__/raw';
import { startTestServer, type TestServer } from './__tests__/server';

const TIMEOUT_MS = 300;
const H = 'Host: x\r\n';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let ts: TestServer;
const open: RawConn[] = [];

beforeAll(async () => {
  ts = await startTestServer('tcp', (srv) => {
    srv.requestsTimeoutSec = TIMEOUT_MS / 1000;
    // A handler slower than every receive timeout: handling is not a receive wait.
    srv.registerRoute(async (_s, req) => { await sleep(2 * TIMEOUT_MS); req.response.returnOk('late'); }, 'GET', '/late');
  });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.destroy()));
});

afterAll(async () => {
  await ts.srv.stop();
});

async function conn(): Promise<RawConn> {
  const c = await RawConn.open(ts.ep);
  open.push(c);
  return c;
}

/** Waits for the server to close (bounded), then returns what was received. */
async function untilClosed(c: RawConn, ms = 1500): Promise<Exchange> {
  await c.waitClosed(ms);
  return c.parse();
}

function expect408(x: Exchange, before: number[] = []): void {
  expect(x.error).toBeNull();
  expect(x.responses.map((r) => r.status)).toEqual([...before, 408]);
  const last = x.responses[x.responses.length - 1]!;
  expect(last.fields).toContainEqual(['connection', 'close']);
  expect(x.rest.length).toBe(0);
  expect(x.closed).toBe(true);
}

test('an incomplete head gets 408 and a close after the headers timeout', async () => {
  const c = await conn();
  const t0 = Date.now();
  await c.send(`GET /hello HTTP/1.1\r\n${H}X-Partial: `);
  const x = await untilClosed(c);
  const elapsed = Date.now() - t0;
  expect408(x);
  expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  expect(elapsed).toBeLessThan(TIMEOUT_MS + 900); // the coarse timer's granularity, with slack
});

test('a body that stalls gets 408 and a close', async () => {
  const c = await conn();
  await c.send(`POST /echo HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nhello`);
  const x = await untilClosed(c);
  expect408(x);
});

test('a chunked body that stalls between chunks gets 408', async () => {
  const c = await conn();
  await c.send(`POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`);
  const x = await untilClosed(c);
  expect408(x);
});

// Same bug as above, its plainest symptom: a client that connects and sends nothing keeps its slot.
test('a silent new connection gets 408 and a close after the headers timeout', async () => {
  const c = await conn();
  const x = await untilClosed(c);
  expect408(x);
});

/** Sends `head` one byte every 100 ms until the server closes (or 1.2 s pass). */
async function trickle(c: Awaited<ReturnType<typeof conn>>, head: string, t0: number): Promise<void> {
  for (let i = 0; i < head.length && !c.closed && Date.now() - t0 < 1200; i++) {
    await c.send(head[i]!);
    await sleep(100);
  }
}

test('slowloris on a kept-alive connection: trickling the next head does not extend the timeout', async () => {
  const c = await conn();
  await c.send(`GET /hello HTTP/1.1\r\n${H}\r\n`);
  expect((await c.collect({ expectFinal: 1 })).responses.map((r) => r.status)).toEqual([200]);
  const head = `GET /hello HTTP/1.1\r\n${H}X-Slow: ${'s'.repeat(40)}\r\n\r\n`;
  const t0 = Date.now();
  await trickle(c, head, t0);
  const x = await untilClosed(c, 400);
  expect(Date.now() - t0).toBeLessThan(1200);
  expect408(x, [200]);
});

test('a slow body that keeps progressing is not cut (the body timeout is per stall)', async () => {
  const c = await conn();
  const body = 'abcdef';
  // 6 bytes, one every 150 ms: 900 ms in all, three times the timeout, never a 300 ms stall.
  await c.send([`POST /echo HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\n\r\n`, ...body.split('')], 150);
  const x = await c.collect({ expectFinal: 1 });
  expect(x.responses.map((r) => [r.status, r.body.toString()])).toEqual([[200, body]]);
  expect(x.closed).toBe(false);
});

test('an idle keep-alive connection gets 408 and a close after the idle time', async () => {
  const c = await conn();
  await c.send(`GET /hello HTTP/1.1\r\n${H}\r\n`);
  const first = await c.collect({ expectFinal: 1 });
  expect(first.responses.map((r) => r.status)).toEqual([200]);
  expect(first.closed).toBe(false);
  const t0 = Date.now();
  const x = await untilClosed(c);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
  expect408(x, [200]);
});

test('a request sent within the idle time keeps the connection alive', async () => {
  const c = await conn();
  await c.send(`GET /hello HTTP/1.1\r\n${H}\r\n`);
  await sleep(TIMEOUT_MS / 2);
  await c.send(`GET /hello HTTP/1.1\r\n${H}\r\n`);
  const x = await c.collect({ expectFinal: 2 });
  expect(x.responses.map((r) => r.status)).toEqual([200, 200]);
  expect(x.closed).toBe(false);
});

test('slowloris: a head trickled one byte every 100 ms still times out (408)', async () => {
  const c = await conn();
  const head = `GET /hello HTTP/1.1\r\n${H}X-Slow: ${'s'.repeat(40)}\r\n\r\n`;
  const t0 = Date.now();
  // Trickle until the server closes: each byte resets nothing, the head never completes in time.
  await trickle(c, head, t0);
  const x = await untilClosed(c, 400);
  const elapsed = Date.now() - t0;
  expect408(x);
  // Well before the whole head (about 6 s at this rate) could have arrived.
  expect(elapsed).toBeLessThan(1200);
});

test('a handler slower than the timeout is not cut: no 408 while handling', async () => {
  const c = await conn();
  await c.send(`GET /late HTTP/1.1\r\n${H}\r\n`);
  const x = await c.collect({ expectFinal: 1, quietMs: 3 * TIMEOUT_MS });
  expect(x.responses.map((r) => [r.status, r.body.toString()])).toEqual([[200, 'late']]);
  expect(x.closed).toBe(false);
});

test('after the timeouts, no connection or slot is left', async () => {
  const deadline = Date.now() + 1500;
  while (ts.srv.stats.connections > 0 && Date.now() < deadline) await sleep(20);
  expect(ts.srv.stats.connections).toBe(0);
  expect(ts.srv.stats.slots?.inUse).toBe(0);
});
