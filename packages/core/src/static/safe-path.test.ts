/**
 * Path safety: the request path never leads to a file outside the root, to a dotfile, or through a
 * second decoding. A unit table for parseStaticPath, then a conformance table of traversal attempts
 * sent byte-exact over raw sockets (fetch and curl normalise paths), then curl --path-as-is.
 */
import * as path from 'node:path';
import { curl, get, RawClient, type TestServer } from '../__tests__/server-harness';
import { DOT_SECRET, HELLO, request, SECRET, type Fixture, useStaticServer } from './__tests__/static-harness';
import { hasDotComponent, isInside, parseStaticPath } from './safe-path';

describe('parseStaticPath', () => {
  test.each([
    ['/', [], true],
    ['/a/b.txt', ['a', 'b.txt'], false],
    ['/a//b/', ['a', 'b'], true],
    ['//etc/passwd', ['etc', 'passwd'], false],
    ['/caf%C3%A9.txt', ['café.txt'], false],
    ['/%252e%252e/x', ['%2e%2e', 'x'], false],
    ['/file%2etxt', ['file.txt'], false],
  ])('%s → segments %j', (raw, segments, dirSlash) => {
    expect(parseStaticPath(raw, false)).toEqual({ ok: true, segments, dirSlash });
  });

  test.each([
    ['/../x', 400], ['/a/%2e%2e/x', 400], ['/%2E%2E/x', 400], ['/.%2e/x', 400], ['/%2e./x', 400], ['/./x', 400],
    ['/a%2fb', 400], ['/a%2Fb', 400], ['/a%5cb', 400], ['/a\\b', 400], ['/%', 400], ['/%zz', 400], ['/%c0%ae', 400],
    ['/%e0%80%ae', 400], ['/%ed%a0%80', 400], ['/a%00.txt', 400], ['/a%0d%0a', 400], ['/a%7f', 400], ['/%u002e', 400],
    ['/.env', 404], ['/%2eenv', 404], ['/a/.git/config', 404], ['/x.txt.', 404], ['/x.txt%20', 404], ['/...', 404], ['*', 404],
  ])('%s → %i', (raw, status) => {
    const r = parseStaticPath(raw, false);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(status);
  });

  test('serveDotFiles lets dotfiles through but never dot-segments', () => {
    expect(parseStaticPath('/.well-known/x', true)).toEqual({ ok: true, segments: ['.well-known', 'x'], dirSlash: false });
    expect(parseStaticPath('/.well-known/x', false)).toMatchObject({ ok: false, status: 404 });
    expect(parseStaticPath('/a/../b', true)).toMatchObject({ ok: false, status: 400 });
  });

  test('isInside compares whole components; hasDotComponent looks below the root only', () => {
    const root = path.join(path.sep, 'srv', 'www');
    expect(isInside(root, root)).toBe(true);
    expect(isInside(root, path.join(root, 'a', 'b'))).toBe(true);
    expect(isInside(root, root + '-evil')).toBe(false);
    expect(isInside(root, path.join(path.sep, 'srv'))).toBe(false);
    expect(isInside(path.sep, path.join(path.sep, 'etc'))).toBe(true);
    expect(hasDotComponent(path.join(path.sep, 'home', '.cfg', 'www'), path.join(path.sep, 'home', '.cfg', 'www', 'a.txt'))).toBe(false);
    expect(hasDotComponent(root, path.join(root, '.git', 'config'))).toBe(true);
  });
});

describe('traversal conformance (raw requests)', () => {
  let fx: Fixture;
  let ts: TestServer;
  useStaticServer((f, t) => { fx = f; ts = t; });

  // Every attempt must neither leak the outside secret nor the dotfile; the status says why it stopped.
  test.each([
    ['raw ../', '/../outside/secret.txt', 400],
    ['raw ../ deeper', '/sub/../../outside/secret.txt', 400],
    ['%2e%2e/', '/%2e%2e/outside/secret.txt', 400],
    ['%2E%2E/ upper case', '/%2E%2E/outside/secret.txt', 400],
    ['%2e./', '/%2e./outside/secret.txt', 400],
    ['.%2e/', '/.%2e/outside/secret.txt', 400],
    ['..%2f', '/..%2foutside%2fsecret.txt', 400],
    ['%2f..%2f', '/%2f..%2foutside/secret.txt', 400],
    ['..\\ raw backslashes', '/..\\outside\\secret.txt', 400],
    ['%5c', '/..%5coutside%5csecret.txt', 400],
    ['/./', '/./hello.txt', 400],
    ['encoded NUL', '/hello.txt%00.html', 400],
    ['overlong UTF-8 dot %c0%ae', '/%c0%ae%c0%ae/outside/secret.txt', 400],
    ['overlong 3-byte dot %e0%80%ae', '/%e0%80%ae%e0%80%ae/outside/secret.txt', 400],
    ['%u escapes', '/%u002e%u002e/outside/secret.txt', 400],
    ['bad escape', '/%zz/hello.txt', 400],
    ['absolute-form with ../', 'http://127.0.0.1/../outside/secret.txt', 400],
    ['//etc/passwd', '//etc/passwd', 404],
    ['absolute path', '/etc/passwd', 404],
    ['Windows drive', '/C:/Windows/win.ini', 404],
    ['double-encoded ../ (decoded once)', '/%252e%252e/outside/secret.txt', 404],
    ['double-encoded / (decoded once)', '/..%252foutside%252fsecret.txt', 404],
    ['symlink to a file outside', '/link-out.txt', 404],
    ['symlinked folder outside', '/linkdir-out/secret.txt', 404],
    ['symlink to a sibling sharing the root prefix', '/prefix-trick.txt', 404],
    ['dotfile', '/.env', 404],
    ['encoded dotfile', '/%2eenv', 404],
    ['file in a dot folder', '/.hidden/file.txt', 404],
    ['symlink to a dotfile', '/link-dot.txt', 404],
    ['trailing dot', '/hello.txt.', 404],
    ['trailing space', '/hello.txt%20', 404],
    ['trailing encoded dot', '/hello.txt%2e', 404],
    ['file as a folder', '/hello.txt/', 404],
    ['NTFS stream', '/hello.txt::$DATA', 404],
  ])('%s: %s → %i', async (_name, target, status) => {
    const res = await request(ts.port, target);
    expect(res.status).toBe(status);
    const body = res.body.toString('latin1');
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain(DOT_SECRET);
  });

  test('a FIFO under the root answers 404 at once (opened non-blocking, never read)', async () => {
    if (!fx.hasFifo) return expect(fx.hasFifo).toBe(false);
    const t0 = Date.now();
    const res = await request(ts.port, '/pipe.txt');
    expect(res.status).toBe(404);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test.each([
    ['symlink inside the root', '/link-in.txt', HELLO],
    ['UTF-8 name', '/caf%C3%A9.txt', 'unicode name'],
    ['encoded space', '/a%20b.txt', 'space in name'],
    ['literal % in a name (%25 decoded once)', '/%2541.txt', 'literal percent name'],
    ['encoded ordinary character', '/hello%2etxt', HELLO],
    ['repeated slashes', '/sub//page.html', '<p>sub page</p>'],
  ])('served: %s (%s)', async (_name, target, content) => {
    const res = await request(ts.port, target);
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe(content);
  });

  test('curl --path-as-is sends ../ unchanged and gets 400; without it, curl normalises to a 404', async () => {
    const asIs = await curl(['--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', ts.url('/sub/../../outside/secret.txt')]);
    expect(asIs.stdout.toString()).toBe('400');
    const normalised = await curl(['-w', '\n%{http_code}', ts.url('/sub/../../outside/secret.txt')]);
    expect(normalised.stdout.toString()).not.toContain(SECRET);
    expect(normalised.stdout.toString().endsWith('\n404')).toBe(true);
  });

  test('refusals keep the connection: 400s and 404s then a file, all on one keep-alive connection', async () => {
    const c = new RawClient(ts.port);
    await c.connected();
    try {
      for (const [target, status] of [['/%2e%2e/outside/secret.txt', 400], ['/link-out.txt', 404], ['/.env', 404], ['/hello.txt', 200]] as const) {
        c.write(get(target));
        const res = await c.readResponse();
        expect(res.status).toBe(status);
      }
      expect(c.ended).toBe(false);
    } finally {
      c.destroy();
    }
  });
});
