/**
 * The output batch (output-batch.ts) behind a reader that does not read: responses whose writes stay
 * queued keep their bytes while later reads' responses are made. A queued view of the batch's Buffer
 * must take that Buffer with it (handOver), and a lone pre-encoded response (a memoized head with its
 * body) is sent as it is, never written over. Over a real connection, one request per write.
 */
import * as net from 'node:net';
import { startServer, stopAll, type TestServer } from '../__tests__/server-harness';

let ts: TestServer;
const BIG = 8000; // copied into the batch (COPY_MAX 8 KiB): its write is a view of the batch's Buffer

/** The big body of request `i`: every byte says which request it belongs to. */
const bigBody = (i: number): Buffer => Buffer.alloc(BIG, `<${i}>`);

beforeAll(async () => {
  ts = await startServer((srv) => {
    srv.logLevel = 'WARNING';
    srv.registerRoute((_s, r) => { r.response.contentType = 'text/plain'; r.response.returnOk(r.queryString); }, 'GET', '/short');
    srv.registerRoute((_s, r) => { r.response.contentType = 'text/plain'; r.response.returnOk(bigBody(Number(r.queryString))); }, 'GET', '/big');
  });
});
afterAll(() => stopAll());

test('responses queued behind a reader that does not read arrive whole and in order', async () => {
  const n = 1600; // ~6.4 MB of big bodies: more than the kernel's buffers take, so writes queue
  const expected: Buffer[] = [];
  const sock = net.connect(ts.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  sock.pause();
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => chunks.push(d));
  for (let i = 0; i < n; i++) {
    // Every other response is short: the same few texts, so their heads and bodies are memoized.
    const target = i % 2 === 0 ? `/big?${i}` : `/short?t${i % 6}`;
    expected.push(i % 2 === 0 ? bigBody(i) : Buffer.from(`t${i % 6}`));
    sock.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
    // Apart, so that the server reads them one by one, as far as it reads at all.
    if (i % 4 === 3) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 200));
  sock.resume();
  // Until every response has come, or nothing more comes for a second (a corrupted stream).
  const want = expected.reduce((a, e) => a + e.length, 0); // bodies only: heads come on top
  let got = chunks.reduce((a, c) => a + c.length, 0);
  const all = await new Promise<Buffer>((resolve) => {
    let quiet: NodeJS.Timeout | null = null;
    const done = (): void => { if (quiet !== null) clearTimeout(quiet); sock.removeListener('data', check); resolve(Buffer.concat(chunks)); };
    const check = (): void => {
      if (quiet !== null) clearTimeout(quiet);
      quiet = setTimeout(done, 1000);
      got = chunks.length === 0 ? 0 : got + chunks[chunks.length - 1]!.length;
      if (got < want) return;
      const b = Buffer.concat(chunks);
      let count = 0;
      for (let k = b.indexOf('HTTP/1.1 200'); k !== -1; k = b.indexOf('HTTP/1.1 200', k + 1)) count++;
      if (count >= n) done();
    };
    sock.on('data', check);
    quiet = setTimeout(done, 1000);
  });
  sock.destroy();
  let at = 0;
  for (let i = 0; i < n; i++) {
    const end = all.indexOf('\r\n\r\n', at);
    if (end === -1) throw new Error(`response ${i}: missing`);
    const head = all.toString('latin1', at, end);
    const len = Number(/content-length: *(\d+)/i.exec(head)?.[1]);
    expect(len).toBe(expected[i]!.length);
    const body = all.subarray(end + 4, end + 4 + len);
    if (!body.equals(expected[i]!)) throw new Error(`response ${i}: body differs from what was sent`);
    at = end + 4 + len;
  }
  expect(at).toBe(all.length);
}, 30000);
