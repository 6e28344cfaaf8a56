/**
 * Uploads against a real server: fetch for the plain cases, raw sockets for what fetch cannot do (abort
 * mid-body, chunked bodies, 100-continue, pipelining, two uploads racing on one path).
 */
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanup, Raw, sleep, startFiles, statuses, tempDir, tempsUnder, until } from './__tests__/helpers';

afterEach(cleanup);

const put = (url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> => fetch(url, { method: 'PUT', body, headers });

describe('raw uploads (PUT / POST <prefix>/path)', () => {
  test('201 for a new file with its stored size and ETag, 200 for a replaced one; parents created; bytes exact', async () => {
    const t = await startFiles();
    const data = randomBytes(1024 * 1024 + 17);
    const r = await put(`${t.url}/fs/a/b/c.bin`, data);
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ path: '/a/b/c.bin', size: data.length });
    expect(readFileSync(path.join(t.base, 'a/b/c.bin')).equals(data)).toBe(true);
    const etag = r.headers.get('etag');
    expect((await fetch(`${t.url}/fs/a/b/c.bin`, { method: 'HEAD' })).headers.get('etag')).toBe(etag);
    const again = await fetch(`${t.url}/fs/a/b/c.bin`, { method: 'POST', body: 'short' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ path: '/a/b/c.bin', size: 5 });
    expect(readFileSync(path.join(t.base, 'a/b/c.bin'), 'utf8')).toBe('short');
    const empty = await put(`${t.url}/fs/empty.txt`, '');
    expect(empty.status).toBe(201);
    expect(readFileSync(path.join(t.base, 'empty.txt'), 'utf8')).toBe('');
    expect(tempsUnder(t.base)).toEqual([]);
  });

  test('If-None-Match: * stores only a new file; If-Match only over the version seen (412 otherwise, old file intact)', async () => {
    const t = await startFiles();
    const first = await put(`${t.url}/fs/doc.txt`, 'v1', { 'if-none-match': '*' });
    expect(first.status).toBe(201);
    expect((await put(`${t.url}/fs/doc.txt`, 'v1b', { 'if-none-match': '*' })).status).toBe(412);
    const etag1 = first.headers.get('etag')!;
    const second = await put(`${t.url}/fs/doc.txt`, 'v2', { 'if-match': etag1 });
    expect(second.status).toBe(200);
    const stale = await put(`${t.url}/fs/doc.txt`, 'v3 lost update', { 'if-match': etag1 });
    expect(stale.status).toBe(412);
    expect(readFileSync(path.join(t.base, 'doc.txt'), 'utf8')).toBe('v2');
    expect((await put(`${t.url}/fs/new.txt`, 'x', { 'if-match': '*' })).status).toBe(412);
    expect(existsSync(path.join(t.base, 'new.txt'))).toBe(false);
    expect(tempsUnder(t.base)).toEqual([]);
  });

  test('If-Unmodified-Since (RFC 9110 §13.1.4): a file changed after the date → 412 for a write and a read, old file intact', async () => {
    const t = await startFiles();
    const created = await put(`${t.url}/fs/doc.txt`, 'v1');
    expect(created.status).toBe(201);
    const past = 'Sat, 01 Jan 2000 00:00:00 GMT';
    const future = new Date(Date.now() + 3600_000).toUTCString();
    const refusedWrite = await put(`${t.url}/fs/doc.txt`, 'v2 over a newer file', { 'if-unmodified-since': past });
    expect(refusedWrite.status).toBe(412);
    expect(readFileSync(path.join(t.base, 'doc.txt'), 'utf8')).toBe('v1');
    expect((await fetch(`${t.url}/fs/doc.txt`, { headers: { 'if-unmodified-since': past } })).status).toBe(412);
    // Not changed since the date: the write goes on.
    expect((await put(`${t.url}/fs/doc.txt`, 'v2', { 'if-unmodified-since': future })).status).toBe(200);
    expect(readFileSync(path.join(t.base, 'doc.txt'), 'utf8')).toBe('v2');
    // With If-Match the date is not looked at (§13.2.2 step 2); an invalid date is ignored (§13.1.4).
    const etag = (await fetch(`${t.url}/fs/doc.txt`, { method: 'HEAD' })).headers.get('etag')!;
    expect((await put(`${t.url}/fs/doc.txt`, 'v3', { 'if-match': etag, 'if-unmodified-since': past })).status).toBe(200);
    expect((await put(`${t.url}/fs/doc.txt`, 'v4', { 'if-unmodified-since': 'yesterday' })).status).toBe(200);
    // A file that does not exist has no date to compare: stored.
    expect((await put(`${t.url}/fs/new.txt`, 'x', { 'if-unmodified-since': past })).status).toBe(201);
    expect(readFileSync(path.join(t.base, 'doc.txt'), 'utf8')).toBe('v4');
    expect(tempsUnder(t.base)).toEqual([]);
  });

  test('quotas: maxFileBytes → 413 (declared, before reading), maxTotalBytes → 507, extensions / types → 415', async () => {
    const t = await startFiles({ maxFileBytes: 1000, maxTotalBytes: 2500, allowedExtensions: ['txt', '.BIN'], allowedTypes: ['text/*', 'application/octet-stream'] });
    writeFileSync(path.join(t.base, 'old.txt'), 'old');
    expect((await put(`${t.url}/fs/old.txt`, 'x'.repeat(1001))).status).toBe(413);
    expect(readFileSync(path.join(t.base, 'old.txt'), 'utf8')).toBe('old');
    expect((await put(`${t.url}/fs/a.txt`, 'x'.repeat(1000))).status).toBe(201);
    expect((await put(`${t.url}/fs/b.bin`, 'x'.repeat(1000))).status).toBe(201);
    const full = await put(`${t.url}/fs/c.txt`, 'x'.repeat(600));
    expect(full.status).toBe(507);
    expect(existsSync(path.join(t.base, 'c.txt'))).toBe(false);
    // Replacing a file frees its size: 1000 → 900 fits.
    expect((await put(`${t.url}/fs/a.txt`, 'y'.repeat(900))).status).toBe(200);
    expect((await fetch(`${t.url}/fs/b.bin`, { method: 'DELETE' })).status).toBe(204);
    expect((await put(`${t.url}/fs/c.txt`, 'x'.repeat(600))).status).toBe(201);
    const ext = await put(`${t.url}/fs/page.html`, '<p>');
    expect(ext.status).toBe(415);
    expect(await ext.json()).toMatchObject({ error: expect.stringContaining("'html'") });
    expect((await put(`${t.url}/fs/noext`, 'x')).status).toBe(415);
    expect(tempsUnder(t.base)).toEqual([]);
  });

  test('traversal attempts on PUT: 400 and nothing written anywhere', async () => {
    const t = await startFiles();
    const outside = path.dirname(t.base);
    const before = readdirSync(outside).length;
    const raw = new Raw(t.port);
    const paths = ['/fs/%2e%2e/evil.txt', '/fs/a%2f..%2f..%2fevil.txt', '/fs/a%5c..%5cevil.txt', '/fs/evil%00.txt', '/fs/.hidden', '/fs/%c0%ae%c0%ae/evil.txt'];
    for (const p of paths) await raw.write(`PUT ${p} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nevil`);
    await raw.write('GET /fs/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await raw.waitClosed();
    expect(statuses(raw.data)).toEqual([400, 400, 400, 400, 404, 400, 200]);
    expect(raw.data.endsWith('{"path":"/","list":[]}')).toBe(true);
    expect(readdirSync(t.base)).toEqual([]);
    expect(readdirSync(outside).length).toBe(before);
  });

  test('a symlinked folder leading out of the base is refused for writes (403)', async () => {
    const t = await startFiles();
    const outside = tempDir();
    execFileSync('ln', ['-s', outside, path.join(t.base, 'out')]);
    expect((await put(`${t.url}/fs/out/x.txt`, 'x')).status).toBe(403);
    expect((await put(`${t.url}/fs/out/sub/x.txt`, 'x')).status).toBe(403);
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('uploads on the wire', () => {
  test('a client that leaves mid-upload: the old file is intact and no temp file is left', async () => {
    const t = await startFiles();
    writeFileSync(path.join(t.base, 'big.bin'), 'the old content');
    const raw = new Raw(t.port);
    await raw.write('PUT /fs/big.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n');
    await raw.write(randomBytes(300_000));
    await until(() => tempsUnder(t.base).length === 1, 5000, 'the temp file');
    raw.destroy();
    await until(() => tempsUnder(t.base).length === 0, 5000, 'the temp file removed');
    expect(readFileSync(path.join(t.base, 'big.bin'), 'utf8')).toBe('the old content');
    // The server goes on.
    expect((await fetch(`${t.url}/fs/big.bin`)).status).toBe(200);
  });

  test('a body that stalls: 408 after the body timeout, old file intact, no temp', async () => {
    const t = await startFiles({}, (srv) => { srv.bodyTimeoutSec = 0.5; });
    writeFileSync(path.join(t.base, 'f.txt'), 'old');
    const raw = new Raw(t.port);
    await raw.write('PUT /fs/f.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part');
    await raw.waitFor(/HTTP\/1\.1 408 /, 8000);
    await until(() => tempsUnder(t.base).length === 0, 5000, 'no temp');
    expect(readFileSync(path.join(t.base, 'f.txt'), 'utf8')).toBe('old');
  });

  test('a chunked upload passing maxFileBytes mid-stream: 413 and close, old file intact, no temp', async () => {
    const t = await startFiles({ maxFileBytes: 100_000 });
    writeFileSync(path.join(t.base, 'f.bin'), 'old');
    const raw = new Raw(t.port);
    await raw.write('PUT /fs/f.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = randomBytes(30_000);
    for (let i = 0; i < 5 && !raw.closed; i++) {
      await raw.write(`${chunk.length.toString(16)}\r\n`);
      await raw.write(chunk);
      await raw.write('\r\n');
      await sleep(20);
    }
    await raw.waitFor(/HTTP\/1\.1 413 /);
    await raw.waitClosed();
    await until(() => tempsUnder(t.base).length === 0, 5000, 'no temp');
    expect(readFileSync(path.join(t.base, 'f.bin'), 'utf8')).toBe('old');
  });

  test('chunked upload, 100-continue, and a pipelined request after the body', async () => {
    const t = await startFiles();
    const raw = new Raw(t.port);
    await raw.write('PUT /fs/c.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n');
    await raw.waitFor(/HTTP\/1\.1 201 [\s\S]*"size":12\}/);
    expect(readFileSync(path.join(t.base, 'c.txt'), 'utf8')).toBe('hello, world');
    raw.data = '';
    await raw.write('PUT /fs/e.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\nExpect: 100-continue\r\n\r\n');
    await raw.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    await raw.write('expected');
    await raw.waitFor(/HTTP\/1\.1 201 /);
    expect(readFileSync(path.join(t.base, 'e.txt'), 'utf8')).toBe('expected');
    raw.data = '';
    // Body and the next request in one write: the upload is answered, then the GET sees the new file.
    await raw.write('PUT /fs/p.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\npipelinedGET /fs/p.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await raw.waitClosed();
    expect(statuses(raw.data)).toEqual([201, 200]);
    expect(raw.data.endsWith('\r\n\r\npipelined')).toBe(true);
  });

  test('two uploads of one path at once, interleaved: the file is one of them, whole', async () => {
    const t = await startFiles();
    const a = Buffer.alloc(2_000_000, 'a');
    const b = Buffer.alloc(2_000_000, 'b');
    const ra = new Raw(t.port);
    const rb = new Raw(t.port);
    await ra.write(`PUT /fs/race.bin HTTP/1.1\r\nHost: x\r\nContent-Length: ${a.length}\r\nConnection: close\r\n\r\n`);
    await rb.write(`PUT /fs/race.bin HTTP/1.1\r\nHost: x\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n`);
    for (let off = 0; off < a.length; off += 100_000) {
      await ra.write(a.subarray(off, off + 100_000));
      await rb.write(b.subarray(off, off + 100_000));
    }
    await ra.waitClosed();
    await rb.waitClosed();
    expect(statuses(ra.data + rb.data).sort()).toEqual([200, 201]);
    const got = readFileSync(path.join(t.base, 'race.bin'));
    expect(got.length).toBe(a.length);
    expect(got.equals(a) || got.equals(b)).toBe(true);
    expect(tempsUnder(t.base)).toEqual([]);
  });

  test('a request refused before its body is read never gets 100 Continue, and nothing is stored', async () => {
    const t = await startFiles({ maxFileBytes: 1000, acl: (p) => (p.startsWith('/locked') ? 'ro' : 'rw') });
    const a = new Raw(t.port);
    await a.write('PUT /fs/locked.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n');
    await a.waitFor(/HTTP\/1\.1 403 /);
    const b = new Raw(t.port);
    await b.write('PUT /fs/big.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n');
    await b.waitFor(/HTTP\/1\.1 413 /);
    expect(a.data + b.data).not.toContain('100 Continue');
    expect(readdirSync(t.base)).toEqual([]);
  });

  test("a request refused by the server's onAccessCheck stores nothing (the access stage runs before the module's)", async () => {
    const t = await startFiles({}, (srv) => {
      srv.onAccessCheck = (_s, req) => {
        if (req.getHeader('x-key') === 'ok') return true;
        req.response.returnForbidden();
        return false;
      };
    });
    writeFileSync(path.join(t.base, 'f.txt'), 'old');
    expect((await put(`${t.url}/fs/f.txt`, 'new')).status).toBe(403);
    await sleep(50);
    expect(readFileSync(path.join(t.base, 'f.txt'), 'utf8')).toBe('old');
    expect((await put(`${t.url}/fs/f.txt`, 'new', { 'x-key': 'ok' })).status).toBe(200);
    expect(readFileSync(path.join(t.base, 'f.txt'), 'utf8')).toBe('new');
  });
});

describe("uhttpd's fixed endpoint (Content-Disposition: attachment; filename=\"/path\")", () => {
  test('stores at the named path; a missing or traversing name → 400', async () => {
    const t = await startFiles({ uploadEndpoint: '/upload' });
    const r = await fetch(`${t.url}/upload`, { method: 'POST', body: 'via endpoint', headers: { 'content-disposition': 'attachement; filename="/in/dir/a.txt"' } });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ path: '/in/dir/a.txt', size: 12 });
    expect(readFileSync(path.join(t.base, 'in/dir/a.txt'), 'utf8')).toBe('via endpoint');
    const utf = await fetch(`${t.url}/upload`, { method: 'PUT', body: 'é', headers: { 'content-disposition': "attachment; filename=\"x.txt\"; filename*=UTF-8''caf%C3%A9.txt" } });
    expect(utf.status).toBe(201);
    expect(readFileSync(path.join(t.base, 'café.txt'), 'utf8')).toBe('é');
    for (const cd of [undefined, 'inline; filename="/a.txt"', 'attachment; filename="/../evil.txt"', 'attachment; filename="a\\\\..\\\\evil.txt"', "attachment; filename*=UTF-8''%2Fa%2F%00.txt"]) {
      const res = await fetch(`${t.url}/upload`, { method: 'POST', body: 'evil', headers: cd === undefined ? {} : { 'content-disposition': cd } });
      expect(res.status).toBe(400);
    }
    expect((await fetch(`${t.url}/upload`)).status).toBe(405);
    expect(readdirSync(path.dirname(t.base)).some((n) => n === 'evil.txt')).toBe(false);
  });
});

/** Whether this machine lets the tests mount a tmpfs (root with the capability): else the ENOSPC test is reported skipped. */
function canMountTmpfs(): boolean {
  const probe = mkdtempSync(path.join(os.tmpdir(), 'mws-files-probe-'));
  try {
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status !== 0) return false;
    spawnSync('umount', [probe]);
    return true;
  } finally {
    rmdirSync(probe);
  }
}

describe('the disk and the process', () => {
  (canMountTmpfs() ? test : test.skip)('a full disk (ENOSPC on a 1 MiB tmpfs) → 507, the old file intact, no temp', async () => {
    const mnt = mkdtempSync(path.join(os.tmpdir(), 'mws-files-tmpfs-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status).toBe(0);
    try {
      mkdirSync(path.join(mnt, 'base'));
      const base = path.join(mnt, 'base');
      writeFileSync(path.join(base, 'keep.bin'), Buffer.alloc(300_000, 1));
      const t = await startFiles({ base });
      const r = await put(`${t.url}/fs/keep.bin`, randomBytes(900_000));
      expect(r.status).toBe(507);
      expect(readFileSync(path.join(base, 'keep.bin')).equals(Buffer.alloc(300_000, 1))).toBe(true);
      expect(tempsUnder(base)).toEqual([]);
      // Space is back for what fits.
      expect((await put(`${t.url}/fs/small.txt`, 'fits')).status).toBe(201);
      await cleanup();
    } finally {
      spawnSync('umount', [mnt]);
    }
    rmdirSync(mnt);
  });

  test("temp files of a process that died mid-upload are removed at start; a live process's are kept", async () => {
    const base = tempDir();
    mkdirSync(path.join(base, 'sub'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const stale = path.join(base, 'sub', `.f.txt.mws-${dead}-0123456789ab.part`);
    const live = path.join(base, `.g.txt.mws-${process.ppid}-0123456789ab.part`);
    writeFileSync(stale, 'torn');
    writeFileSync(live, 'in progress elsewhere');
    const t = await startFiles({ base });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(t.logs.some((l) => l.type === 'WARNING' && /removed 1 temp file/.test(l.msg))).toBe(true);
  });
});
