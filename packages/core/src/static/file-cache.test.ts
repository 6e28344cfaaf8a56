/**
 * The one-second caches of the static-file path (resolved paths, file metadata, precompressed siblings) must never
 * serve a file from outside the root, nor stale content, nor hide a deploy: each case changes the tree
 * between two requests well inside the cache's second.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { stopAll, type TestServer } from '../__tests__/server-harness';
import { buildFixture, request, SECRET, startStatic, type Fixture } from './__tests__/static-harness';

let fx: Fixture;
let ts: TestServer;
beforeEach(async () => {
  fx = buildFixture();
  ts = await startStatic(fx.root);
});
afterEach(async () => {
  await stopAll();
  fx.cleanup();
});

const outside = () => path.join(fx.base, 'outside', 'secret.txt');

test('a file replaced by a symlink out of the root right after it was served: 404, not the outside file', async () => {
  fs.mkdirSync(path.join(fx.root, 'up'));
  fs.writeFileSync(path.join(fx.root, 'up', 'a.txt'), 'inside');
  expect((await request(ts.port, '/up/a.txt')).body.toString()).toBe('inside');
  fs.rmSync(path.join(fx.root, 'up', 'a.txt'));
  fs.symlinkSync(outside(), path.join(fx.root, 'up', 'a.txt'));
  const res = await request(ts.port, '/up/a.txt');
  expect(res.status).toBe(404);
  expect(res.body.toString()).not.toContain(SECRET);
});

test('a folder replaced by a symlink to a folder out of the root: 404 for the file and its default page', async () => {
  fs.mkdirSync(path.join(fx.root, 'dir'));
  fs.writeFileSync(path.join(fx.root, 'dir', 'index.html'), 'inside index');
  fs.writeFileSync(path.join(fx.base, 'outside', 'index.html'), SECRET);
  expect((await request(ts.port, '/dir/')).body.toString()).toBe('inside index');
  expect((await request(ts.port, '/dir/index.html')).body.toString()).toBe('inside index');
  fs.rmSync(path.join(fx.root, 'dir'), { recursive: true });
  fs.symlinkSync(path.join(fx.base, 'outside'), path.join(fx.root, 'dir'));
  for (const target of ['/dir/', '/dir/index.html']) {
    const res = await request(ts.port, target);
    expect([target, res.status]).toEqual([target, 404]);
    expect(res.body.toString()).not.toContain(SECRET);
  }
});

test('a precompressed sibling replaced by a symlink out of the root: the plain file is sent', async () => {
  const js = 'let x = 1;\n'.repeat(100);
  fs.writeFileSync(path.join(fx.root, 'b.js'), js);
  fs.writeFileSync(path.join(fx.root, 'b.js.gz'), zlib.gzipSync(js));
  const first = await request(ts.port, '/b.js', { 'Accept-Encoding': 'gzip' });
  expect(first.headers['content-encoding']).toBe('gzip');
  fs.rmSync(path.join(fx.root, 'b.js.gz'));
  fs.symlinkSync(outside(), path.join(fx.root, 'b.js.gz'));
  const res = await request(ts.port, '/b.js', { 'Accept-Encoding': 'gzip' });
  expect(res.status).toBe(200);
  expect(res.headers['content-encoding']).toBeUndefined();
  expect(res.body.toString()).toBe(js);
});

test('a sibling that became older than its file is not served, even from the cache', async () => {
  const js = 'let y = 2;\n'.repeat(100);
  fs.writeFileSync(path.join(fx.root, 'c.js'), js);
  fs.writeFileSync(path.join(fx.root, 'c.js.gz'), zlib.gzipSync(js));
  expect((await request(ts.port, '/c.js', { 'Accept-Encoding': 'gzip' })).headers['content-encoding']).toBe('gzip');
  // The sibling is replaced by an old one (same file mtime, so the sibling list itself stays cached).
  const old = new Date(Date.now() - 3600_000);
  fs.writeFileSync(path.join(fx.root, 'c.js.gz.tmp'), zlib.gzipSync('old content'));
  fs.utimesSync(path.join(fx.root, 'c.js.gz.tmp'), old, old);
  fs.renameSync(path.join(fx.root, 'c.js.gz.tmp'), path.join(fx.root, 'c.js.gz'));
  const res = await request(ts.port, '/c.js', { 'Accept-Encoding': 'gzip' });
  expect(res.headers['content-encoding']).toBeUndefined();
  expect(res.body.toString()).toBe(js);
});

test('a release switch (current → a new folder, the old one deleted) serves the new files at once', async () => {
  for (const rel of ['rel1', 'rel2']) {
    fs.mkdirSync(path.join(fx.root, rel));
    fs.writeFileSync(path.join(fx.root, rel, 'x.txt'), rel);
  }
  fs.symlinkSync('rel1', path.join(fx.root, 'current'));
  expect((await request(ts.port, '/current/x.txt')).body.toString()).toBe('rel1');
  fs.symlinkSync('rel2', path.join(fx.root, 'current.new'));
  fs.renameSync(path.join(fx.root, 'current.new'), path.join(fx.root, 'current'));
  fs.rmSync(path.join(fx.root, 'rel1'), { recursive: true });
  const res = await request(ts.port, '/current/x.txt');
  expect([res.status, res.body.toString()]).toEqual([200, 'rel2']);
});

test('a file replaced in place (new inode by rename) is served new at once, with a new ETag', async () => {
  fs.writeFileSync(path.join(fx.root, 'd.txt'), 'version one');
  const one = await request(ts.port, '/d.txt');
  fs.writeFileSync(path.join(fx.root, 'd.txt.tmp'), 'version two!');
  fs.renameSync(path.join(fx.root, 'd.txt.tmp'), path.join(fx.root, 'd.txt'));
  const two = await request(ts.port, '/d.txt');
  expect(two.body.toString()).toBe('version two!');
  expect(two.headers['etag']).not.toBe(one.headers['etag']);
});

test('a request path kept parsed is kept per serveDotFiles rule: switching it on and off is obeyed at once', async () => {
  fs.writeFileSync(path.join(fx.root, '.well.txt'), 'a dotfile');
  expect((await request(ts.port, '/hello.txt')).status).toBe(200);
  expect((await request(ts.port, '/.well.txt')).status).toBe(404);
  ts.srv.serveDotFiles = true;
  expect((await request(ts.port, '/.well.txt')).body.toString()).toBe('a dotfile');
  ts.srv.serveDotFiles = false;
  expect((await request(ts.port, '/.well.txt')).status).toBe(404);
  // A path that names nothing is not kept: the file created after is served at once.
  expect((await request(ts.port, '/later.txt')).status).toBe(404);
  fs.writeFileSync(path.join(fx.root, 'later.txt'), 'made later');
  expect((await request(ts.port, '/later.txt')).body.toString()).toBe('made later');
});

describe('the file metadata cache (file-meta.ts: one second)', () => {
  test('a file changed in place (same size, same inode) is sent new at once by a 200, with a new ETag', async () => {
    const f = path.join(fx.root, 'm.txt');
    fs.writeFileSync(f, 'version one');
    fs.utimesSync(f, 1_600_000_000, 1_600_000_000);
    const one = await request(ts.port, '/m.txt');
    const ino = fs.statSync(f).ino;
    fs.writeFileSync(f, 'version two'); // same length, same inode
    fs.utimesSync(f, 1_600_000_001, 1_600_000_001);
    expect(fs.statSync(f).ino).toBe(ino);
    const two = await request(ts.port, '/m.txt');
    expect([two.status, two.body.toString()]).toEqual([200, 'version two']);
    expect(two.headers['etag']).not.toBe(one.headers['etag']);
    expect(two.headers['last-modified']).toBe(new Date(1_600_000_001_000).toUTCString());
  });

  test('a revalidation (304) of a file changed since is answered 200 with the new content within the second', async () => {
    const f = path.join(fx.root, 'n.txt');
    fs.writeFileSync(f, 'old');
    const one = await request(ts.port, '/n.txt');
    const etag = one.headers['etag'] as string;
    expect((await request(ts.port, '/n.txt', { 'If-None-Match': etag })).status).toBe(304);
    fs.writeFileSync(f, 'new');
    fs.utimesSync(f, 1_700_000_000, 1_700_000_000);
    // The cache trusts what it saw for at most one second (META_CACHE_MS): after it, the change shows.
    await new Promise((r) => setTimeout(r, 1100));
    const two = await request(ts.port, '/n.txt', { 'If-None-Match': etag });
    expect([two.status, two.body.toString()]).toEqual([200, 'new']);
    expect(two.headers['etag']).not.toBe(etag);
    expect((await request(ts.port, '/n.txt', { 'If-None-Match': two.headers['etag'] as string })).status).toBe(304);
  });

  test('a file deleted is a 404 at once, for a 200 and then for a revalidation', async () => {
    const f = path.join(fx.root, 'gone.txt');
    fs.writeFileSync(f, 'here');
    const one = await request(ts.port, '/gone.txt');
    fs.rmSync(f);
    expect((await request(ts.port, '/gone.txt')).status).toBe(404);
    expect((await request(ts.port, '/gone.txt', { 'If-None-Match': one.headers['etag'] as string })).status).toBe(404);
  });
});
