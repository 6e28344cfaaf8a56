/**
 * A declared Content-Length is a promise, not bytes: the server must not allocate the declared size
 * before the bytes arrive (600 slow uploads declaring 1 MB each used to cost 600 MB at once, issue 18).
 * A streamed body costs its slot and a batch, whatever its size (issue 14).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { sleep, startServer, stopAll } from '../__tests__/server-harness';

afterEach(stopAll);

test('200 uploads that declare 1 MB and send 10 bytes cost far less than 200 MB of buffers', async () => {
  const ts = await startServer((srv) => {
    srv.bodyTimeoutSec = 30;
    srv.registerRoute((_s, req) => `${req.content.length}`, 'POST', '/up');
  });
  global.gc?.();
  const before = process.memoryUsage().arrayBuffers;
  const socks: net.Socket[] = [];
  for (let i = 0; i < 200; i++) {
    const s = net.connect(ts.port, '127.0.0.1');
    s.on('error', () => {});
    socks.push(s);
    s.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n0123456789');
  }
  for (let i = 0; i < 200 && ts.srv.stats.connections < 200; i++) await sleep(10);
  await sleep(100);
  const grown = process.memoryUsage().arrayBuffers - before;
  for (const s of socks) s.destroy();
  expect(ts.srv.stats.connections).toBe(200);
  // Each connection holds at most the first 16 KiB buffer (and its slot, allocated up front).
  expect(grown).toBeLessThan(20 * 1024 * 1024);
});

test('a body that arrives in many pieces is assembled intact (the buffer grows as it fills)', async () => {
  const ts = await startServer((srv) => {
    srv.registerRoute((_s, req) => createHash('sha1').update(req.content).digest('hex'), 'POST', '/up');
  });
  const body = Buffer.alloc(700_001);
  for (let i = 0; i < body.length; i++) body[i] = (i * 13) & 0xff;
  const s = net.connect(ts.port, '127.0.0.1');
  let got = '';
  s.setEncoding('latin1');
  s.on('data', (d: string) => { got += d; });
  await new Promise((r) => s.once('connect', r));
  // Listened for before the last piece: the answer and the close may come within the last sleep.
  const closed = new Promise((r) => s.once('close', r));
  s.write(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
  for (let off = 0; off < body.length; off += 50_000) { s.write(body.subarray(off, off + 50_000)); await sleep(2); }
  await closed;
  expect(got).toMatch(/^HTTP\/1\.1 200 /);
  expect(got.endsWith(createHash('sha1').update(body).digest('hex'))).toBe(true);
});

test('a 256 MiB streamed upload on the Light preset grows RSS by a few MiB, not by the body (issue 14)', async () => {
  const ts = await startServer((srv) => {
    srv.setLightConfig(); // 1 KiB slots
    srv.bindAddress = ['127.0.0.1', 0];
    srv.registerRoute(async (_s, req) => `${await req.pipeTo(fs.createWriteStream('/dev/null'))}`, 'PUT', '/up', { body: 'stream' });
  });
  const total = 256 * 1024 * 1024;
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
  // The client is another process (its buffers are not ours), generating the body as it goes.
  const child = spawn(process.execPath, ['-e', `
    const s = require('net').connect(${ts.port}, '127.0.0.1');
    const piece = Buffer.alloc(65536, 120); let sent = 0;
    s.write('PUT /up HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: ${total}\\r\\n\\r\\n');
    (function pump() { while (sent < ${total}) { sent += piece.length; if (!s.write(piece)) return s.once('drain', pump); } })();
    let got = ''; s.on('data', (d) => { got += d; if (got.endsWith('${total}')) { process.stdout.write(got); s.end(); } });
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  await new Promise((r) => child.on('exit', r));
  clearInterval(sampler);
  expect(out).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\n268435456$/);
  // The body went through 1 KiB slots and 64 KiB batches used again: memory does not follow its size.
  expect(peak - before).toBeLessThan(24 * 1024 * 1024);
}, 60000);
