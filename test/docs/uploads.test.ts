import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SpawnedServer } from '../support/spawn-server';
import { raw, useExample } from './doc-example';

// docs/uploads.md: its example (a PUT streamed to a file, a POST read piece by piece with 100-continue,
// a multipart form with limits) does what the page says.

describe('docs/examples/uploads.js', () => {
  let base = '';
  let srv: SpawnedServer;
  useExample('uploads.md', 'uploads.js', (s) => { srv = s; base = s.urls[0]; });
  const dir = (): string => /stored in (\S+)\)/.exec(srv.output())![1];

  test('PUT /files/<name>: 201 with the size; the file holds the body; a client leaving mid-upload leaves nothing', async () => {
    const body = Buffer.alloc(5 * 1024 * 1024, 'abc');
    const r = await fetch(`${base}/files/big.bin`, { method: 'PUT', body });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ name: 'big.bin', bytes: body.length });
    expect(fs.readFileSync(path.join(dir(), 'big.bin')).equals(body)).toBe(true);
    // Declares 1 MB, sends 10 bytes, leaves: no file, no temp file.
    const u = new URL(base);
    await new Promise<void>((resolve) => {
      const s = require('node:net').connect(Number(u.port), u.hostname, () => {
        s.write('PUT /files/half.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n0123456789');
        setTimeout(() => { s.destroy(); resolve(); }, 200);
      });
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.readdirSync(dir()).sort()).toEqual(['big.bin']);
    expect((await fetch(`${base}/files/.hidden`, { method: 'PUT', body: 'x' })).status).toBe(400);
  });

  test('POST /hash: 100 Continue, then the hash of the body read piece by piece', async () => {
    const got = await raw(base, 'POST /hash HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nhello world');
    expect(got.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
    expect(JSON.parse(got.slice(got.lastIndexOf('\r\n\r\n') + 4))).toEqual({ bytes: 11, sha256: createHash('sha256').update('hello world').digest('hex') });
  });

  test('POST /form: fields and files part by part; a third file → 413 with the message', async () => {
    const fd = new FormData();
    fd.append('title', 'report');
    fd.append('doc', new Blob([Buffer.alloc(300_000)], { type: 'application/pdf' }), 'report.pdf');
    const r = await fetch(`${base}/form`, { method: 'POST', body: fd });
    expect(await r.json()).toEqual([{ field: 'title', value: 'report' }, { file: 'doc', filename: 'report.pdf', type: 'application/pdf', bytes: 300_000 }]);
    const three = new FormData();
    for (const n of ['a', 'b', 'c']) three.append(n, new Blob(['x']), `${n}.txt`);
    const r2 = await fetch(`${base}/form`, { method: 'POST', body: three });
    expect(r2.status).toBe(413);
    expect(await r2.text()).toContain('more than limits.files (2) files');
  });

  afterAll(() => { try { fs.rmSync(dir(), { recursive: true, force: true }); } catch { /* not started */ } });
});
