/**
 * Static files read into reused buffers (file-chunks.ts): a buffer is read into again only after the
 * socket wrote it, so every byte served is right under concurrency and slow readers; the buffers do
 * come back to the pool.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, stopAll } from '../__tests__/server-harness';
import { FILE_CHUNK, FileChunks, MAX_FILE_READS, fileChunkPoolSize, fileChunkReads } from './file-chunks';

let dir: string;
let data: Buffer;
const SIZE = 10 * 1024 * 1024 + 12_345;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-chunks-'));
  data = randomBytes(SIZE);
  fs.writeFileSync(path.join(dir, 'f.bin'), data);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => stopAll());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('a chunk not confirmed written is never read into again; confirmed ones are reused', async () => {
  // Hold every chunk unconfirmed: none may be overwritten by a later read.
  const held: Buffer[] = [];
  const s1 = new FileChunks(fs.openSync(path.join(dir, 'f.bin'), 'r'), 0, SIZE - 1);
  for await (const c of s1) held.push(c as Buffer);
  expect(sha(Buffer.concat(held))).toBe(sha(data));
  expect(new Set(held.map((b) => b.buffer)).size).toBe(held.length);

  // Confirm each chunk once consumed (as the socket's write callback does): the buffers are reused.
  const s2 = new FileChunks(fs.openSync(path.join(dir, 'f.bin'), 'r'), 1000, SIZE - 1);
  const seen = new Set<ArrayBufferLike>();
  const hash = createHash('sha256');
  let n = 0;
  for await (const c of s2) {
    const b = c as Buffer;
    hash.update(b);
    seen.add(b.buffer);
    n++;
    s2.chunkWritten();
  }
  expect(hash.digest('hex')).toBe(sha(data.subarray(1000)));
  expect(n).toBeGreaterThan(40);
  expect(seen.size).toBeLessThanOrEqual(3);
  expect(fileChunkPoolSize()).toBeGreaterThan(0);
});

test('a stream destroyed while a read is in flight closes its descriptor after the read lands', async () => {
  const fd = fs.openSync(path.join(dir, 'f.bin'), 'r');
  const s = new FileChunks(fd, 0, SIZE - 1);
  s.resume();
  await new Promise((r) => s.once('data', r));
  s.destroy();
  await new Promise((r) => s.once('close', r));
  expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
});

/**
 * GET /f.bin on a raw socket. `slow`: stops reading for 400 ms once the response begins (the kernel's
 * buffers fill, then the server's writes wait in its queue holding their buffers).
 */
function download(port: number, slow: boolean, range: string | null): Promise<{ head: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let first = true;
    sock.on('data', (c: Buffer) => {
      parts.push(c);
      if (slow && first) { sock.pause(); setTimeout(() => sock.resume(), 400); }
      first = false;
    });
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(parts);
      const end = all.indexOf('\r\n\r\n');
      resolve({ head: all.toString('latin1', 0, end), body: all.subarray(end + 4) });
    });
    sock.write(`GET /f.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${range ? `Range: ${range}\r\n` : ''}\r\n`);
  });
}

test('8 downloads at once, half of them slow readers, some ranges: every byte right, and the read buffers come back', async () => {
  const ts = await startServer((srv) => { srv.rootPath = dir; });
  const jobs = Array.from({ length: 8 }, (_, i) => {
    const range = i % 4 === 3 ? `bytes=${FILE_CHUNK - 7}-${2 * 1024 * 1024}` : null;
    return download(ts.port, i % 2 === 1, range).then((r) => ({ r, range }));
  });
  for (const { r, range } of await Promise.all(jobs)) {
    if (range === null) {
      expect(r.head).toMatch(/^HTTP\/1\.1 200 /);
      expect(r.body.length).toBe(SIZE);
      expect(sha(r.body)).toBe(sha(data));
    } else {
      expect(r.head).toMatch(/^HTTP\/1\.1 206 /);
      expect(sha(r.body)).toBe(sha(data.subarray(FILE_CHUNK - 7, 2 * 1024 * 1024 + 1)));
    }
  }
  expect(fileChunkPoolSize()).toBeGreaterThan(0);
}, 30000);

test('many streams at once: at most MAX_FILE_READS (the thread pool\'s size) reads in flight, the others wait without a buffer; every byte right', async () => {
  const file = path.join(dir, 'f.bin');
  const streams = Array.from({ length: 40 }, (_, i) => new FileChunks(fs.openSync(file, 'r'), i * 1000, i * 1000 + 300_000, 16 * 1024));
  let maxInFlight = 0;
  const bodies = streams.map(async (s) => {
    const parts: Buffer[] = [];
    for await (const c of s) {
      maxInFlight = Math.max(maxInFlight, fileChunkReads().inFlight);
      parts.push(Buffer.from(c as Buffer));
      s.chunkWritten();
    }
    return Buffer.concat(parts);
  });
  expect(fileChunkReads().inFlight).toBeLessThanOrEqual(MAX_FILE_READS);
  expect(fileChunkReads().waiting).toBeGreaterThan(0);
  const got = await Promise.all(bodies);
  got.forEach((b, i) => expect(sha(b)).toBe(sha(data.subarray(i * 1000, i * 1000 + 300_001))));
  expect(maxInFlight).toBeLessThanOrEqual(MAX_FILE_READS);
  expect(fileChunkReads()).toEqual({ inFlight: 0, waiting: 0 });
  expect(fileChunkPoolSize(16 * 1024)).toBeGreaterThan(0);
});

test('a stream destroyed while it waits for a read turn leaves the queue and closes its descriptor', async () => {
  const file = path.join(dir, 'f.bin');
  const busy = Array.from({ length: 16 }, () => new FileChunks(fs.openSync(file, 'r'), 0, SIZE - 1));
  busy.forEach((s) => s.resume());
  const fd = fs.openSync(file, 'r');
  const late = new FileChunks(fd, 0, SIZE - 1);
  late.resume();
  await new Promise((r) => setImmediate(r));
  late.destroy();
  await new Promise((r) => late.once('close', r));
  expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
  busy.forEach((s) => s.destroy());
  await Promise.all(busy.map((s) => new Promise((r) => (s.closed ? r(null) : s.once('close', r)))));
  expect(fileChunkReads()).toEqual({ inFlight: 0, waiting: 0 });
});

test('read turns go depth first: a stream whose reader keeps up reads on ahead of streams that wait for their first turn', async () => {
  // 24 streams of 1 MiB (below the 8 MiB run) at once, each read as fast as it comes: with round-robin
  // turns every stream would finish last-ish together; depth first the first ones finish before the
  // last ones get their first chunk (so a reader that stopped shows its stop early: issue 18).
  const file = path.join(dir, 'f.bin');
  const n = 24;
  const streams = Array.from({ length: n }, () => new FileChunks(fs.openSync(file, 'r'), 0, 1024 * 1024 - 1, 16 * 1024));
  const firstChunk: number[] = new Array(n).fill(-1);
  const ended: number[] = new Array(n).fill(-1);
  let tick = 0;
  await Promise.all(streams.map(async (s, i) => {
    for await (const _c of s) {
      if (firstChunk[i] === -1) firstChunk[i] = tick++;
      s.chunkWritten();
    }
    ended[i] = tick++;
  }));
  const lastFirst = Math.max(...firstChunk);
  const firstEnd = Math.min(...ended);
  expect(firstEnd).toBeLessThan(lastFirst);
  expect(fileChunkReads()).toEqual({ inFlight: 0, waiting: 0 });
});
