import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { example, expectPageShowsExample } from './doc-example';

// docs/modules.md, "Writing a module from scratch": the FileDrop example does what the page says.

let srv: SpawnedServer;
let base = '';
let dir = '';

beforeAll(async () => {
  expectPageShowsExample('modules.md', 'module-from-scratch.js');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drop-test-'));
  srv = await spawnServer(example('module-from-scratch.js'), { env: { DROP_DIR: dir } });
  base = srv.urls[0].replace(/\/drop$/, '');
});

afterAll(async () => {
  await srv.stop('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

function put(urlPath: string, body: Buffer): Promise<{ status: number; text: string }> {
  const u = new URL(base + urlPath);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'PUT', headers: { 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('PUT streams a body far above the Light preset\'s 512 KiB limit to disk, renamed into place', async () => {
  const body = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
  const r = await put('/drop/big.bin', body);
  expect(r.status).toBe(200);
  expect(JSON.parse(r.text)).toEqual({ stored: 'big.bin', bytes: body.length });
  const stored = fs.readFileSync(path.join(dir, 'big.bin'));
  expect(createHash('sha1').update(stored).digest('hex')).toBe(createHash('sha1').update(body).digest('hex'));
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  await srv.waitForOutput(/stored big\.bin/);
});

test('the stage it added lists the files; other paths are untouched', async () => {
  const r = await (await fetch(base + '/drop')).json() as { files: string[]; connections: number };
  expect(r.files).toContain('big.bin');
  expect(r.connections).toBeGreaterThanOrEqual(1);
  expect((await fetch(base + '/nothing')).status).toBe(404);
});

test('the events stream tells of each stored file; a graceful stop ends it with its last line', async () => {
  const u = new URL(base + '/drop/events');
  const lines: string[] = [];
  const ended = new Promise<number>((resolve, reject) => {
    http.get({ host: u.hostname, port: u.port, path: u.pathname }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => lines.push(c));
      res.on('end', () => resolve(res.statusCode!));
    }).on('error', reject);
  });
  for (let i = 0; i < 100 && !srv.output().includes('GET /drop/events'); i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 50));
  expect((await put('/drop/small.txt', Buffer.from('hello'))).status).toBe(200);
  for (let i = 0; i < 100 && !lines.join('').includes('small.txt'); i++) await new Promise((r) => setTimeout(r, 20));
  expect(lines.join('')).toContain('stored small.txt 5\n');
  expect(await srv.stop('SIGTERM')).toBe(0);
  expect(await ended).toBe(200);
  expect(lines.join('')).toMatch(/server stopping\n$/);
});

test('an upload the client abandons leaves no part file behind', async () => {
  // The server above is stopped: start another on the same folder.
  const again = await spawnServer(example('module-from-scratch.js'), { env: { DROP_DIR: dir } });
  try {
    const u = new URL(again.urls[0]);
    const net = await import('node:net');
    const s = net.connect(Number(u.port), u.hostname);
    await new Promise((r) => s.once('connect', r));
    s.write('PUT /drop/cut.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(5000));
    await new Promise((r) => setTimeout(r, 100));
    s.destroy();
    for (let i = 0; i < 100 && fs.readdirSync(dir).some((f) => f.endsWith('.part')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.part') || f === 'cut.bin')).toEqual([]);
  } finally {
    expect(await again.stop('SIGTERM')).toBe(0);
  }
});
