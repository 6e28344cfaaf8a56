import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { XAsyncSocketsPool } from '@microwebsrv/xasync';
import { MicroWebSrv, PRESETS } from '@microwebsrv/core';
import { codeOf, DOCS, example, raw, useExample } from './doc-example';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// docs/server-and-presets.md: its example is run as a user runs it; the claims about settings, errors,
// timeouts and stop() that the example does not show are checked on in-process servers.

test('the example stops gracefully on SIGTERM too (stopOnSignals): "stopped", exit code 0', async () => {
  const srv = await spawnServer(example('server-and-presets.js'));
  expect(await srv.stop('SIGTERM')).toBe(0);
  expect(srv.output()).toContain('stopped');
});

describe('the example', () => {
  let srv: SpawnedServer;
  let base = '';

  useExample('server-and-presets.md', 'server-and-presets.js', (s) => { srv = s; base = s.urls[0]; });

  afterAll(() => {
    expect(srv.output()).toContain('stopped');
  });

  test('the Light preset with a changed body limit; settings visible while running', async () => {
    const r = await fetch(base + '/settings');
    expect(r.status).toBe(200);
    expect(r.headers.get('keep-alive')).toBe('timeout=30');
    const body = await r.json() as { preset: number[]; running: boolean; stats: { connections: number; slots: { count: number; size: number } } };
    expect(body.preset).toEqual([511, 128, 1024, 64 * 1024]);
    expect(body.running).toBe(true);
    expect(body.stats.connections).toBeGreaterThanOrEqual(1);
    expect(body.stats.slots).toMatchObject({ count: 128, size: 1024 });
  });

  test('a preset while running throws ERR_MWS_RUNNING', async () => {
    await srv.waitForOutput('as expected: ERR_MWS_RUNNING');
  });

  test('its logger gets the listening line and one access line per response', async () => {
    await (await fetch(base + '/settings?token=secret')).text();
    const out = srv.output();
    expect(out).toMatch(/\[INFO\] server listening on 127\.0\.0\.1:\d+/);
    expect(out).toMatch(/\[INFO\] From 127\.0\.0\.1:\d+ GET \/settings >> \[200\] OK/);
    expect(out).not.toContain('secret'); // the path only, without the query string
  });

  test('bodies up to maxRequestContentLength are read; a larger one is 413 before it is sent', async () => {
    const ok = await fetch(base + '/upload', { method: 'POST', body: Buffer.alloc(1000, 1) });
    expect(await ok.json()).toEqual({ received: 1000 });
    const tooLarge = await raw(base, 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n');
    expect(tooLarge).toMatch(/^HTTP\/1\.1 413 /);
    await srv.waitForOutput('[413] ERR_MWS_BODY_TOO_LARGE');
  });

  test('a head larger than the 1 KiB slot is 431', async () => {
    const res = await raw(base, `GET /settings HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2000)}\r\n\r\n`);
    expect(res).toMatch(/^HTTP\/1\.1 431 /);
  });
});

describe('what the page says beyond the example', () => {
  test('the preset table is PRESETS, and the setters apply it', () => {
    const md = readFileSync(path.join(DOCS, 'server-and-presets.md'), 'utf8');
    const kib = (s: string) => (s.endsWith('MiB') ? parseInt(s, 10) * 1024 * 1024 : s.endsWith('KiB') ? parseInt(s, 10) * 1024 : Number(s));
    const rows = [...md.matchAll(/^\| `set(\w+)Config\(\)`(?: \(default\))? \| (\S+) \| (\S+) \| (\S+ ?\S*) \| (\S+ ?\S*) \| (\S+ ?\S*) \|$/gm)];
    expect(rows.map((m) => m[1])).toEqual(['Embedded', 'Light', 'Normal', 'Large']);
    const srv = new MicroWebSrv();
    for (const m of rows) {
      const name = m[1] as keyof typeof PRESETS;
      const values = [Number(m[2]), Number(m[3]), kib(m[4]), kib(m[5])];
      const p = PRESETS[name];
      expect(values).toEqual([p.connQueueCapacity, p.bufferSlotsCount, p.bufferSlotSize, p.maxRequestContentLength]);
      expect(kib(m[6])).toBe(p.maxBufferedBodyBytes);
      (srv as unknown as Record<string, () => void>)[`set${name}Config`]();
      expect([srv.connQueueCapacity, srv.bufferSlotsCount, srv.bufferSlotSize, srv.maxRequestContentLength, srv.keepAllocBufferSlots]).toEqual([...values, true]);
    }
  });

  test('the defaults in the settings table', () => {
    const srv = new MicroWebSrv();
    expect([srv.connQueueCapacity, srv.bufferSlotsCount, srv.bufferSlotSize, srv.maxRequestContentLength]).toEqual([511, 512, 4096, 2 * 1024 * 1024]);
    expect(srv.bindAddress).toEqual(['0.0.0.0', 80]);
    expect(srv.rootPath).toBe('www');
    expect([srv.requestsTimeoutSec, srv.headersTimeoutSec, srv.bodyTimeoutSec, srv.keepAliveTimeoutSec, srv.stopTimeoutSec]).toEqual([2, null, null, null, 5]);
    expect([srv.serverName, srv.logLevel, srv.onLogging, srv.notFoundURL, srv.allowAllOrigins, srv.corsAllowAll, srv.onAccessCheck])
      .toEqual(['MicroWebSrv-TS', 'INFO', null, null, false, false, null]);
    expect(srv.isRunning).toBe(false);
  });

  test('misuse throws the documented codes', async () => {
    const srv = new MicroWebSrv();
    expect(codeOf(() => { srv.bindAddress = [8080] as unknown as [string, number]; })).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => { srv.logLevel = 'VERBOSE' as 'INFO'; })).toBe('ERR_MWS_INVALID_OPTION');
    srv.bindAddress = ['127.0.0.1', 0];
    srv.onLogging = () => undefined;
    await srv.startManaged();
    try {
      expect(codeOf(() => srv.setLargeConfig())).toBe('ERR_MWS_RUNNING');
      expect(codeOf(() => { srv.rootPath = 'elsewhere'; })).toBe('ERR_MWS_RUNNING');
      srv.requestsTimeoutSec = 3; // timeouts may change while running
      await expect(srv.startManaged()).rejects.toMatchObject({ code: 'ERR_MWS_STATE' });
      const other = new MicroWebSrv();
      other.bindAddress = ['127.0.0.1', srv.address[1]];
      await expect(other.startManaged()).rejects.toMatchObject({ code: 'ERR_MWS_LISTEN', message: expect.stringContaining('already in use') });
    } finally {
      await srv.stop();
    }
    expect(srv.isRunning).toBe(false);
    await srv.stop(); // on a stopped server: resolves at once
    await srv.startManaged(); // and it can start again
    expect(srv.isRunning).toBe(true);
    await srv.stop();
  });

  test('a head not complete within headersTimeoutSec is answered 408 and closed', async () => {
    const srv = new MicroWebSrv();
    srv.bindAddress = ['127.0.0.1', 0];
    srv.headersTimeoutSec = 0.2;
    srv.onLogging = () => undefined;
    await srv.startManaged();
    try {
      const res = await raw(`http://127.0.0.1:${srv.address[1]}`, 'GET / HTTP/1.1\r\nHost: x\r\n');
      expect(res).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await srv.stop();
    }
  });

  test('stop() lets an in-flight response finish; two servers share one pool with startInPool', async () => {
    const pool = new XAsyncSocketsPool();
    const a = new MicroWebSrv();
    const b = new MicroWebSrv();
    for (const s of [a, b]) { s.bindAddress = ['127.0.0.1', 0]; s.onLogging = () => undefined; }
    a.registerRoute(async () => { await new Promise((r) => setTimeout(r, 300)); return 'late'; }, 'GET', '/late');
    b.registerRoute(() => 'b', 'GET', '/');
    await a.startInPool(pool);
    await b.startInPool(pool);
    expect(await (await fetch(`http://127.0.0.1:${b.address[1]}/`)).text()).toBe('b');
    const late = fetch(`http://127.0.0.1:${a.address[1]}/late`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    await a.stop();
    expect(await late).toBe('late');
    expect(b.isRunning).toBe(true); // stopping one server leaves the pool and the other one alone
    await b.stop();
    await pool.stop();
  });
});
