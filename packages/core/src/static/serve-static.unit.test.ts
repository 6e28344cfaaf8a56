/** Static files without a server: a literal StaticSite over a temp folder, answered into a recording sink. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogLevelName } from '../base/logger';
import { makeRequest } from '../__tests__/recording-sink';
import { defaultStaticOptions } from './options';
import { serveStaticFile } from './serve-static';
import type { StaticSite } from './site';

let tmp = '';
const site = (root: string, over: Partial<StaticSite> = {}): StaticSite & { logs: string[] } => {
  const logs: string[] = [];
  return {
    rootPath: root,
    staticOptions: defaultStaticOptions(),
    getMimeTypeFromFilename: (n) => (n.endsWith('.txt') ? 'text/plain' : n.endsWith('.html') ? 'text/html' : null),
    log: (msg: string, type?: LogLevelName) => { logs.push(`${type} ${msg}`); },
    logs,
    ...over,
  };
};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'static-unit-'));
  for (const d of ['a', 'b']) {
    fs.mkdirSync(path.join(tmp, d));
    fs.writeFileSync(path.join(tmp, d, 'same.txt'), `site ${d}`);
    fs.writeFileSync(path.join(tmp, d, 'index.html'), `<p>${d}</p>`);
  }
  fs.writeFileSync(path.join(tmp, 'a', '.secret.txt'), 'no');
  fs.writeFileSync(path.join(tmp, 'a', 'data.bin'), 'x');
  fs.writeFileSync(path.join(tmp, 'outside.txt'), 'outside the root');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const serve = async (s: StaticSite, target: string, fields = ''): Promise<{ served: boolean; head: string; body: string }> => {
  const { req, sink } = makeRequest(`GET ${target} HTTP/1.1\r\nHost: x\r\n${fields}\r\n`);
  const served = await serveStaticFile(s, req, req.rawPath);
  return { served, head: sink.head, body: sink.body };
};

test('a file: 200 with its type, validators and bytes; then a 304 for its ETag', async () => {
  const a = site(path.join(tmp, 'a'));
  const r = await serve(a, '/same.txt');
  expect(r.served).toBe(true);
  expect(r.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(r.head).toContain('Content-Type: text/plain; charset=UTF-8\r\n');
  expect(r.body).toBe('site a');
  const etag = /ETag: ("[^"]+")/.exec(r.head)![1];
  const again = await serve(a, '/same.txt', `If-None-Match: ${etag}\r\n`);
  expect(again.head).toMatch(/^HTTP\/1\.1 304 /);
  expect(again.body).toBe('');
});

test('two sites with the same paths never share what their caches know', async () => {
  const a = site(path.join(tmp, 'a'));
  const b = site(path.join(tmp, 'b'));
  for (let i = 0; i < 2; i++) {
    expect((await serve(a, '/same.txt')).body).toBe('site a');
    expect((await serve(b, '/same.txt')).body).toBe('site b');
    expect((await serve(a, '/')).body).toBe('<p>a</p>');
    expect((await serve(b, '/')).body).toBe('<p>b</p>');
  }
});

test('nothing outside the root, no dotfiles: refused (400) or not served (the pipeline then answers 404)', async () => {
  const a = site(path.join(tmp, 'a'));
  for (const target of ['/../outside.txt', '/%2e%2e/outside.txt', '/a/..%2f..%2foutside.txt', '/..%5coutside.txt']) {
    const r = await serve(a, target);
    if (r.served) expect(r.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.body).not.toContain('outside the root');
  }
  expect((await serve(a, '/.secret.txt')).served).toBe(false);
  expect((await serve(a, '/nothing.txt')).served).toBe(false);
});

test('a type the site refuses: 403, and the site logs why', async () => {
  const a = site(path.join(tmp, 'a'));
  const r = await serve(a, '/data.bin');
  expect(r.head).toMatch(/^HTTP\/1\.1 403 /);
  expect(a.logs.some((l) => l.startsWith('DEBUG') && l.includes('data.bin'))).toBe(true);
});
