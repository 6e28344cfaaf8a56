/** The file manager's reads, listings, new folders, deletes, ACL and options, against a real server with fetch. */
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { MicroWebSrv } from '@microwebsrv/core';
import { FileManager } from './index';
import { cleanup, Raw, startFiles, statuses, tempDir } from './__tests__/helpers';

afterEach(cleanup);

function fill(base: string): void {
  mkdirSync(path.join(base, 'docs/deep'), { recursive: true });
  writeFileSync(path.join(base, 'hello.txt'), 'hello world\n');
  writeFileSync(path.join(base, 'b.bin'), Buffer.alloc(100, 7));
  writeFileSync(path.join(base, 'docs/a.md'), '# a\n');
  writeFileSync(path.join(base, '.secret'), 'hidden');
}

describe('reads', () => {
  test('GET of a folder: uhttpd\'s document with mtime, sorted (.. first, folders, files); HTML for browsers', async () => {
    const t = await startFiles();
    fill(t.base);
    const root = await fetch(`${t.url}/fs/`, { headers: { accept: 'application/json' } });
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = await root.json() as { path: string; list: Array<{ path: string; type: string; size: number; mtime: string }> };
    expect(doc.path).toBe('/');
    expect(doc.list.map((e) => [e.path, e.type, e.size])).toEqual([['docs', 'directory', 0], ['b.bin', 'file', 100], ['hello.txt', 'file', 12]]);
    for (const e of doc.list) expect(Number.isNaN(Date.parse(e.mtime))).toBe(false);
    const sub = await (await fetch(`${t.url}/fs/docs/`)).json() as { path: string; list: Array<{ path: string }> };
    expect(sub).toMatchObject({ path: '/docs/', list: [{ path: '..', type: 'directory', size: 0 }, { path: 'deep', type: 'directory' }, { path: 'a.md', type: 'file', size: 4 }] });
    const html = await fetch(`${t.url}/fs/docs/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await html.text();
    expect(body).toContain('<a href="a.md">a.md</a>');
    expect(body).toContain('<a href="../">../</a>');
    expect(body).not.toContain('.secret');
  });

  test('a file GET resolves its path once (core\'s cached resolution), not once in the module and again in core', async () => {
    const t = await startFiles();
    fill(t.base);
    // The module's own resolution is realInside's fs.promises.realpath (a thread-pool round trip);
    // core's is realpathSync, cached per path. The spy only counts: the real realpath runs. Core resolves
    // its root once per site, on the first request: made before counting.
    expect((await fetch(`${t.url}/fs/hello.txt`, { method: 'HEAD' })).status).toBe(200);
    const spy = jest.spyOn(fs.promises, 'realpath');
    try {
      for (let i = 0; i < 2; i++) {
        const r = await fetch(`${t.url}/fs/docs/a.md`);
        expect(r.status).toBe(200);
        await r.arrayBuffer();
      }
      expect(spy).not.toHaveBeenCalled();
      // A folder is still resolved by the module (it lists it, or redirects under the prefix).
      expect((await fetch(`${t.url}/fs/docs`, { redirect: 'manual' })).headers.get('location')).toBe('/fs/docs/');
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  test('a folder without its slash → 301 under the prefix; a file through core\'s static machinery (ETag, 304, Range, HEAD)', async () => {
    const t = await startFiles();
    fill(t.base);
    const r = await fetch(`${t.url}/fs/docs?x=1`, { redirect: 'manual' });
    expect(r.status).toBe(301);
    expect(r.headers.get('location')).toBe('/fs/docs/?x=1');
    const f = await fetch(`${t.url}/fs/hello.txt`);
    expect(f.status).toBe(200);
    expect(await f.text()).toBe('hello world\n');
    const etag = f.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(f.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${t.url}/fs/hello.txt`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const part = await fetch(`${t.url}/fs/hello.txt`, { headers: { range: 'bytes=0-4' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('hello');
    const head = await fetch(`${t.url}/fs/hello.txt`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('12');
    expect((await fetch(`${t.url}/fs/nope.txt`)).status).toBe(404);
    expect((await fetch(`${t.url}/fs/hello.txt/`)).status).toBe(404);
    // Outside the prefix the module passes: the server's own 404.
    expect((await fetch(`${t.url}/other`)).status).toBe(404);
  });

  test('path safety as core\'s static files: traversal, encoded separators, NUL → 400; dotfiles and symlinks out → 404', async () => {
    const t = await startFiles();
    fill(t.base);
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret.txt'), 'outside');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(t.base, 'link.txt'));
    symlinkSync(outside, path.join(t.base, 'linkdir'));
    symlinkSync(path.join(t.base, 'hello.txt'), path.join(t.base, 'inside.txt'));
    const raw = new Raw(t.port);
    for (const p of ['/fs/../x', '/fs/%2e%2e/x', '/fs/docs%2fa.md', '/fs/docs%5ca.md', '/fs/a%00b', '/fs/%c0%ae%c0%ae/x']) {
      await raw.write(`GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`);
    }
    await raw.write('GET /fs/.secret HTTP/1.1\r\nHost: x\r\n\r\nGET /fs/link.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /fs/linkdir/secret.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /fs/linkdir/ HTTP/1.1\r\nHost: x\r\n\r\nGET /fs/inside.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await raw.waitClosed();
    // '/fs/../x' never reaches the module: core's parser refuses dot-segments? Either way, 400.
    expect(statuses(raw.data)).toEqual([400, 400, 400, 400, 400, 400, 404, 404, 404, 404, 200]);
    expect(raw.data).not.toContain('outside');
    const list = await (await fetch(`${t.url}/fs/`)).json() as { list: Array<{ path: string }> };
    expect(list.list.map((e) => e.path)).toEqual(['docs', 'b.bin', 'hello.txt', 'inside.txt']);
  });
});

describe('folders and deletes', () => {
  test('PUT/POST of a path ending in / makes the folder (201, then 200); DELETE file, empty folder, ?force=1', async () => {
    const t = await startFiles();
    fill(t.base);
    const mk = await fetch(`${t.url}/fs/new/sub/`, { method: 'PUT' });
    expect(mk.status).toBe(201);
    expect(await mk.json()).toEqual({ path: '/new/sub/', type: 'directory' });
    expect(existsSync(path.join(t.base, 'new/sub'))).toBe(true);
    expect((await fetch(`${t.url}/fs/new/sub/`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${t.url}/fs/hello.txt`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(path.join(t.base, 'hello.txt'))).toBe(false);
    expect((await fetch(`${t.url}/fs/hello.txt`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${t.url}/fs/new/sub/`, { method: 'DELETE' })).status).toBe(204);
    const notEmpty = await fetch(`${t.url}/fs/docs/`, { method: 'DELETE' });
    expect(notEmpty.status).toBe(409);
    expect(await notEmpty.json()).toMatchObject({ status: 409, error: expect.stringContaining('force=1') });
    expect((await fetch(`${t.url}/fs/docs`, { method: 'DELETE' })).status).toBe(409); // a folder needs its slash
    expect((await fetch(`${t.url}/fs/b.bin/`, { method: 'DELETE' })).status).toBe(409);
    expect((await fetch(`${t.url}/fs/docs/?force=1`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(path.join(t.base, 'docs'))).toBe(false);
    expect((await fetch(`${t.url}/fs/`, { method: 'DELETE' })).status).toBe(403);
    expect(existsSync(t.base)).toBe(true);
  });

  test('DELETE ?force=1 gives the quota back what the removed tree held, measured while removing (the rest of the base is not recounted)', async () => {
    const t = await startFiles({ maxTotalBytes: 100 });
    const put = (p: string, n: number): Promise<number> => fetch(`${t.url}/fs${p}`, { method: 'PUT', body: Buffer.alloc(n, 1) }).then((r) => r.status);
    expect(await put('/keep.txt', 30)).toBe(201);
    expect(await put('/docs/a.bin', 40)).toBe(201);
    expect(await put('/docs/sub/b.bin', 20)).toBe(201);
    symlinkSync(path.join(t.base, 'keep.txt'), path.join(t.base, 'docs/sub/link')); // removed itself, its target stays
    // A file put there behind the module's back is not its usage until the next start (docs/files.md).
    writeFileSync(path.join(t.base, 'behind.bin'), Buffer.alloc(50, 2));
    expect(await put('/more.bin', 11)).toBe(507); // 30 + 40 + 20 used
    expect((await fetch(`${t.url}/fs/docs/?force=1`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(path.join(t.base, 'docs'))).toBe(false);
    expect(readFileSync(path.join(t.base, 'keep.txt')).length).toBe(30);
    // 30 used: 70 fit exactly (a rescan of the base would have counted behind.bin and answered 507).
    expect(await put('/more.bin', 70)).toBe(201);
    expect(await put('/one-more.bin', 1)).toBe(507);
  });

  test('a DELETE ?force=1 that fails part-way (500) still gives the quota back the files it removed: the quota equals what is left on disk', async () => {
    // A real failure that holds as root too (chmod does not stop root's unlink): a chain of folders whose
    // path passes PATH_MAX, so removing the tree fails with ENAMETOOLONG when it reaches the deep end.
    const t = await startFiles({ maxTotalBytes: 1000 });
    const docs = path.join(t.base, 'docs');
    try {
      const put = (p: string, n: number): Promise<number> => fetch(`${t.url}/fs${p}`, { method: 'PUT', body: Buffer.alloc(n, 1) }).then((r) => r.status);
      expect(await put('/keep.txt', 100)).toBe(201);
      mkdirSync(path.join(docs, 'deep'), { recursive: true });
      execFileSync(process.execPath, ['-e', `const fs = require('fs'); process.chdir(process.argv[1]);
        for (let i = 0; i < 17; i++) { fs.mkdirSync('d'.repeat(250)); process.chdir('d'.repeat(250)); }`, path.join(docs, 'deep')]);
      // Files beside the chain, 10 bytes each. The module removes entries in readdir order, which is sorted
      // (libuv's scandir): a*.bin go before the chain fails, z*.bin stay.
      for (const n of ['a0.bin', 'a1.bin', 'a2.bin', 'z0.bin', 'z1.bin']) expect(await put(`/docs/${n}`, 10)).toBe(201);
      const order = readdirSync(docs);
      expect(order).toEqual(['a0.bin', 'a1.bin', 'a2.bin', 'deep', 'z0.bin', 'z1.bin']);
      const removedFirst = order.slice(0, order.indexOf('deep'));
      const res = await fetch(`${t.url}/fs/docs/?force=1`, { method: 'DELETE' });
      expect(res.status).toBe(500);
      expect(t.logs.some((l) => l.type === 'ERROR' && l.msg.includes('ENAMETOOLONG'))).toBe(true);
      const left = readdirSync(docs).filter((n) => n !== 'deep');
      expect(left).toEqual(order.slice(order.indexOf('deep') + 1));
      for (const n of removedFirst) expect(existsSync(path.join(docs, n))).toBe(false);
      // Used now: keep.txt + the files left; exactly the rest of the 1000 bytes fits, one byte more does not.
      const used = 100 + 10 * left.length;
      expect(await put('/fill.bin', 1000 - used)).toBe(201);
      expect(await put('/one-more.bin', 1)).toBe(507);
    } finally {
      execFileSync('rm', ['-rf', docs]); // Node's rmSync stops at ENAMETOOLONG; rm walks relative to each folder
    }
  });

  test('DELETE never leaves the base: traversal → 400, a symlink out is not followed (only links inside go, themselves)', async () => {
    const t = await startFiles();
    fill(t.base);
    const outside = tempDir();
    writeFileSync(path.join(outside, 'keep.txt'), 'keep');
    symlinkSync(outside, path.join(t.base, 'out'));
    symlinkSync(path.join(t.base, 'docs'), path.join(t.base, 'docs-link'));
    const raw = new Raw(t.port);
    for (const p of ['/fs/%2e%2e/keep.txt', '/fs/docs%2f..%2f..%2fkeep.txt', '/fs/a%00', '/fs/out/keep.txt', '/fs/out/', '/fs/out/?force=1']) {
      await raw.write(`DELETE ${p} HTTP/1.1\r\nHost: x\r\n\r\n`);
    }
    await raw.write('DELETE /fs/docs-link/?force=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await raw.waitClosed();
    expect(statuses(raw.data)).toEqual([400, 400, 400, 403, 404, 404, 204]);
    expect(readFileSync(path.join(outside, 'keep.txt'), 'utf8')).toBe('keep');
    expect(existsSync(path.join(t.base, 'docs/a.md'))).toBe(true); // the link went, not what it pointed to
    expect(existsSync(path.join(t.base, 'docs-link'))).toBe(false);
  });
});

describe('access', () => {
  test('the ACL is asked for every read, write, listing and new folder with the path and access; its answer rules', async () => {
    const asked: string[] = [];
    const t = await startFiles({
      acl: (p, access) => {
        asked.push(`${access} ${p}`);
        if (p.startsWith('/ro/')) return 'ro';
        if (p.startsWith('/wo/')) return 'wo';
        if (p.startsWith('/teapot')) return 418;
        if (p.startsWith('/odd')) return 42;
        if (p.startsWith('/boom')) throw new Error('acl bug');
        return 'rw';
      },
    });
    mkdirSync(path.join(t.base, 'ro'));
    mkdirSync(path.join(t.base, 'wo'));
    writeFileSync(path.join(t.base, 'ro/f.txt'), 'r');
    writeFileSync(path.join(t.base, 'wo/f.txt'), 'w');
    expect((await fetch(`${t.url}/fs/ro/f.txt`)).status).toBe(200);
    expect((await fetch(`${t.url}/fs/ro/f.txt`, { method: 'DELETE' })).status).toBe(403);
    expect((await fetch(`${t.url}/fs/ro/f.txt`, { method: 'PUT', body: 'x' })).status).toBe(403);
    expect(readFileSync(path.join(t.base, 'ro/f.txt'), 'utf8')).toBe('r');
    expect((await fetch(`${t.url}/fs/ro/new/`, { method: 'PUT' })).status).toBe(403);
    expect((await fetch(`${t.url}/fs/wo/f.txt`)).status).toBe(403);
    expect((await fetch(`${t.url}/fs/wo/`)).status).toBe(403);
    expect((await fetch(`${t.url}/fs/wo/g.txt`, { method: 'PUT', body: 'x' })).status).toBe(201);
    expect((await fetch(`${t.url}/fs/teapot.txt`)).status).toBe(418);
    expect((await fetch(`${t.url}/fs/odd.txt`)).status).toBe(403);
    expect((await fetch(`${t.url}/fs/boom.txt`)).status).toBe(403);
    expect(t.logs.some((l) => l.type === 'ERROR' && l.msg.includes('acl bug'))).toBe(true);
    expect(asked).toEqual(expect.arrayContaining(['read /ro/f.txt', 'write /ro/f.txt', 'write /ro/new/', 'read /wo/', 'write /wo/g.txt']));
  });

  test('ACL 401 asks for Basic credentials with the realm; the request is there to check them', async () => {
    const t = await startFiles({ realm: 'my files', acl: (_p, access, req) => (access === 'read' ? 'ro' : req.checkBasicAuth('admin', 'pw') ? 'rw' : 401) });
    const denied = await fetch(`${t.url}/fs/a.txt`, { method: 'PUT', body: 'x' });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Basic realm="my files"');
    const ok = await fetch(`${t.url}/fs/a.txt`, { method: 'PUT', body: 'x', headers: { authorization: 'Basic ' + Buffer.from('admin:pw').toString('base64') } });
    expect(ok.status).toBe(201);
    expect((await fetch(`${t.url}/fs/a.txt`)).status).toBe(200);
  });

  test('readOnly: writes → 405 with Allow; writeOnly: reads → 405', async () => {
    const ro = await startFiles({ readOnly: true });
    writeFileSync(path.join(ro.base, 'f.txt'), 'f');
    const put = await fetch(`${ro.url}/fs/f.txt`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${ro.url}/fs/f.txt`, { method: 'DELETE' })).status).toBe(405);
    expect(readFileSync(path.join(ro.base, 'f.txt'), 'utf8')).toBe('f');
    const wo = await startFiles({ writeOnly: true });
    writeFileSync(path.join(wo.base, 'f.txt'), 'f');
    const get = await fetch(`${wo.url}/fs/f.txt`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('PUT, POST, DELETE');
    expect((await fetch(`${wo.url}/fs/`)).status).toBe(405);
    expect((await fetch(`${wo.url}/fs/g.txt`, { method: 'PUT', body: 'g' })).status).toBe(201);
  });

  test('misuse throws ERR_MWS_INVALID_OPTION naming the option', () => {
    const srv = new MicroWebSrv();
    const base = tempDir();
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ base }, /FileManager prefix must be/],
      [{ prefix: 'fs', base }, /prefix must be a path such as '\/fs'/],
      [{ prefix: '/fs/../x', base }, /prefix must be/],
      [{ prefix: '/fs' }, /base must be a folder path/],
      [{ prefix: '/fs', base: path.join(base, 'missing') }, /base must be an existing folder/],
      [{ prefix: '/fs', base, acl: 'rw' }, /acl must be a function/],
      [{ prefix: '/fs', base, readOnly: true, writeOnly: true }, /readOnly must be false when writeOnly is true/],
      [{ prefix: '/fs', base, maxFileBytes: -1 }, /maxFileBytes must be an integer >= 0/],
      [{ prefix: '/fs', base, allowedExtensions: ['../x'] }, /allowedExtensions must be extensions/],
      [{ prefix: '/fs', base, allowedTypes: ['text'] }, /allowedTypes must be media types/],
      [{ prefix: '/fs', base, uploadEndpoint: '/fs/up' }, /uploadEndpoint must be a path outside the prefix/],
      [{ prefix: '/fs', base, dotfiles: 'yes' }, /dotfiles must be a boolean/],
    ];
    for (const [o, re] of bad) {
      let err: unknown;
      try { srv.loadModule(FileManager, o as never); } catch (e) { err = e; }
      expect(err).toMatchObject({ code: 'ERR_MWS_INVALID_OPTION', message: expect.stringMatching(re) });
    }
  });
});
