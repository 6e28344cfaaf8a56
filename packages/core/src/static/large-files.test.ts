/**
 * Large files stream with backpressure from an open handle: never read whole into memory, never left
 * open (every path — 200, HEAD, 304, 412, 416, 403, multipart, precompressed, aborted downloads — closes
 * its handle), and a client that stops reading holds only a bounded amount of server memory.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { curl, sleep, type TestServer } from '../__tests__/server-harness';
import { BIG_SIZE, HUGE_SIZE, openFdCount, request, startStatic, type Fixture, useStaticServer } from './__tests__/static-harness';
import { serveStaticFile } from './serve-static';

let fx: Fixture;
let ts: TestServer;
useStaticServer((f, t) => { fx = f; ts = t; });

/** Waits until the process has at most `n` descriptors open (handles close asynchronously). */
async function fdsBackTo(n: number, timeoutMs = 2000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let now = openFdCount();
  while (now > n && Date.now() < deadline) { await sleep(20); now = openFdCount(); }
  return now;
}

test('the 5 MB file: curl and fetch get every byte', async () => {
  const c = await curl(['-o', '-', ts.url('/big.pdf')]);
  expect(c.stdout.length).toBe(BIG_SIZE);
  expect(createHash('sha256').update(c.stdout).digest('hex')).toBe(fx.bigSha256);
  const res = await fetch(ts.url('/big.pdf'));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-length')).toBe(String(BIG_SIZE));
  const body = Buffer.from(await res.arrayBuffer());
  expect(createHash('sha256').update(body).digest('hex')).toBe(fx.bigSha256);
});

test('a client that stops reading holds little server memory; resumed, it gets all 64 MiB', async () => {
  global.gc?.();
  const before = process.memoryUsage().arrayBuffers;
  const sock = net.connect(ts.port, '127.0.0.1');
  let received = 0;
  let headEnd = -1;
  let head = Buffer.alloc(0);
  const done = new Promise<void>((resolve, reject) => {
    sock.on('data', (c: Buffer) => {
      if (headEnd === -1) {
        head = Buffer.concat([head, c]);
        headEnd = head.indexOf('\r\n\r\n');
        if (headEnd !== -1) { received = head.length - headEnd - 4; sock.pause(); }
      } else {
        received += c.length;
      }
      if (received >= HUGE_SIZE) resolve();
    });
    sock.on('error', reject);
    sock.on('close', () => (received >= HUGE_SIZE ? resolve() : reject(new Error(`closed after ${received} bytes`))));
  });
  sock.write('GET /huge.zip HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  while (headEnd === -1) await sleep(10);
  await sleep(400); // the server would read ahead now if it ignored backpressure
  const grown = process.memoryUsage().arrayBuffers - before;
  // Without backpressure the queued writes would hold tens of MiB (the file minus kernel buffers).
  expect(grown).toBeLessThan(16 * 1024 * 1024);
  expect(head.toString('latin1', 0, headEnd)).toContain(`Content-Length: ${HUGE_SIZE}`);
  sock.resume();
  await done;
  expect(received).toBe(HUGE_SIZE);
  sock.destroy();
});

test('an aborted download closes its handle and the server goes on', async () => {
  const base = openFdCount();
  await new Promise<void>((resolve) => {
    const sock = net.connect(ts.port, '127.0.0.1');
    sock.once('data', () => { sock.destroy(); resolve(); });
    sock.write('GET /huge.zip HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  if (base >= 0) expect(await fdsBackTo(base)).toBeLessThanOrEqual(base);
  const res = await request(ts.port, '/hello.txt');
  expect(res.status).toBe(200);
});

test('no handle stays open, whatever the answer', async () => {
  const base = openFdCount();
  if (base < 0) return expect(base).toBe(-1); // no /proc: nothing to count here
  const etag = (await request(ts.port, '/digits.txt')).headers['etag'];
  ts.srv.staticUnknownType = 'refuse';
  const cases: Array<[string, Record<string, string>, string, number]> = [
    ['/big.pdf', {}, 'GET', 200],
    ['/big.pdf', {}, 'HEAD', 200],
    ['/digits.txt', { 'If-None-Match': etag }, 'GET', 304],
    ['/digits.txt', { 'If-Match': '"x"' }, 'GET', 412],
    ['/digits.txt', { Range: 'bytes=500-' }, 'GET', 416],
    ['/digits.txt', { Range: 'bytes=0-1,5-6' }, 'GET', 206],
    ['/digits.txt', { Range: 'bytes=0-1,5-6' }, 'HEAD', 200],
    ['/LICENSE', {}, 'GET', 403], // refused for its type: staticUnknownType = 'refuse' below
    ['/app.js', { 'Accept-Encoding': 'br' }, 'GET', 200],
    ['/app.js', { 'Accept-Encoding': 'gzip' }, 'HEAD', 200],
    ['/sub', {}, 'GET', 301],
    ['/emptydir/', {}, 'GET', 404],
    ['/', {}, 'GET', 200],
  ];
  for (const [target, headers, method, status] of cases) {
    for (let i = 0; i < 3; i++) expect((await request(ts.port, target, headers, method)).status).toBe(status);
  }
  ts.srv.staticUnknownType = 'octet-stream';
  expect(await fdsBackTo(base)).toBeLessThanOrEqual(base);
});

test('a client gone before a late file answer (a handler that awaited): its descriptor is closed', async () => {
  const late = await startStatic(fx.root, undefined, (srv) => {
    srv.registerRoute(async (server, req) => { await sleep(150); await serveStaticFile(server, req, '/big.pdf'); }, 'GET', '/late-static');
    srv.registerRoute(async (_s, req) => { await sleep(150); await req.response.returnFile(`${fx.root}/big.pdf`); }, 'GET', '/late-file');
  });
  const base = openFdCount();
  await Promise.all(['/late-static', '/late-file'].flatMap((target) => Array.from({ length: 5 }, () => new Promise<void>((resolve) => {
    const sock = net.connect(late.port, '127.0.0.1', () => {
      sock.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
      setTimeout(() => sock.destroy(), 20); // gone while the handler still waits
    });
    sock.on('error', () => undefined);
    sock.on('close', () => resolve());
  }))));
  await sleep(400); // the handlers answer after the clients left
  expect(await fdsBackTo(base)).toBeLessThanOrEqual(base);
});

test('many parallel downloads of the 5 MB file all complete intact', async () => {
  const results = await Promise.all(Array.from({ length: 8 }, () => request(ts.port, '/big.pdf', { Range: 'bytes=0-' })));
  for (const r of results) {
    expect(r.status).toBe(206);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(fx.bigSha256);
  }
});
