import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MicroWebSrv } from '@microwebsrv/core';
import { TemplatePages } from '@microwebsrv/mods-template';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { DOCS, example, expectPageShowsExample } from './doc-example';

// docs/templates.md: its example (pages served from rootPath, a route with returnTemplate, includes,
// globals, a native Eta page, the debug page) does what the page says.

let srv: SpawnedServer;
let base = '';

const get = async (p: string): Promise<{ status: number; type: string | null; html: string }> => {
  const r = await fetch(base + p, { redirect: 'manual' });
  return { status: r.status, type: r.headers.get('content-type'), html: await r.text() };
};

beforeAll(async () => {
  srv = await spawnServer(example('templates.js'));
  base = srv.urls[0];
});

afterAll(async () => {
  await srv.stop();
});

test('docs/templates.md shows the example and its pages verbatim', () => {
  expectPageShowsExample('templates.md', 'templates.js');
  for (const page of ['hello.jshtml', 'todos.jshtml', '_header.jshtml']) expectPageShowsExample('templates.md', `templates/${page}`);
});

test('a page under rootPath renders on GET: js block, if/else, escaping, raw, include, globals, request', async () => {
  const { status, type, html } = await get('/hello.jshtml?name=%3Cb%3EAda');
  expect([status, type]).toEqual([200, 'text/html; charset=UTF-8']);
  expect(html).toContain('<p>Hello &lt;b&gt;Ada, or rather &lt;B&gt;ADA!</p>');       // {{ js }} function, escaped
  expect(html).not.toContain('stranger');                                                  // {{ else }} branch not taken
  expect(html).toContain('Escaped by default: &lt;i&gt;not italic&lt;/i&gt;; raw, for trusted HTML only: <i>italic</i>');
  expect(html).toContain('GET /hello.jshtml, 1 + 2 = 3, null prints [].');
  expect(html).toContain('<h1>Hello</h1>');                                                // include with extra variables
  expect(html).toMatch(/— Template example, up since \d{4}-\d\d-\d\dT/);                   // globals, in the include
  expect((await get('/hello.jshtml')).html).toContain('Hello, stranger');
});

test('HEAD of a page: the same head, no body', async () => {
  const r = await fetch(base + '/hello.jshtml', { method: 'HEAD' });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/html; charset=UTF-8');
  expect(await r.text()).toBe('');
});

test('returnTemplate: the route renders todos.jshtml with its variables (for…of, if/elif/else, for…in)', async () => {
  const all = (await get('/todos')).html;
  expect(all).toContain('<h1>Todos (all)</h1>');
  expect(all).toContain('<li>[x] Write the docs</li>');
  expect(all).toContain('<li>[ ] Escape &lt;b&gt;user input&lt;/b&gt;</li>');
  expect(all).toContain('Show <a href="?filter=done">done</a>');
  expect(all).toContain('<p>done: 1; open: 1; </p>');
  const open = (await get('/todos?filter=open')).html;
  expect(open).not.toContain('Write the docs');
  expect(open).toContain('<a href="/todos">Show all.</a>');
  expect((await get('/todos?filter=other')).html).toContain('Nothing to show.');
});

test('showDebug: a page that fails answers a 500 naming the error, the page and the line', async () => {
  const { status, html } = await get('/todos.jshtml');
  expect(status).toBe(500);
  expect(html).toContain('ReferenceError: todos is not defined');
  expect(html).toContain('/todos.jshtml, line 1');
  await srv.waitForOutput(/ERROR +template error in .*todos\.jshtml:1:1: ReferenceError: todos is not defined/);
});

test('a native .eta page is served with the same variables as `it`; / redirects to the hello page', async () => {
  const { status, html } = await get('/about.eta');
  expect(status).toBe(200);
  expect(html).toContain('<p>Template example: a native Eta page');
  expect(html).toContain('Asked with GET /about.eta.');
  const root = await fetch(base + '/', { redirect: 'manual' });
  expect([root.status, root.headers.get('location')]).toEqual([307, '/hello.jshtml']);
  await root.text();
  expect((await get('/nothing.jshtml')).status).toBe(404);
});

test('caching: a page saved again is recompiled on its next render', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'docs-templates-'));
  try {
    cpSync(path.join(DOCS, 'examples', 'templates'), dir, { recursive: true });
    const s = new MicroWebSrv();
    s.rootPath = dir;
    const pages = s.loadModule(TemplatePages, { globals: { appName: 'A', startedAt: 'now' } });
    expect(await pages.render('/todos.jshtml', { todos: [], filter: 'all' })).toContain('Nothing to show.');
    writeFileSync(path.join(dir, 'todos.jshtml'), '{{ todos.length }} todos, filter {{ filter }}');
    expect(await pages.render('/todos.jshtml', { todos: [], filter: 'all' })).toBe('0 todos, filter all');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a partial ('_' or '.' first) can be included but not requested", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'docs-templates-'));
  const s = new MicroWebSrv();
  try {
    writeFileSync(path.join(dir, 'page.jshtml'), '<p>{{ include ".part" }}</p>');
    writeFileSync(path.join(dir, '.part.jshtml'), 'partial {{ 1 + 1 }}');
    writeFileSync(path.join(dir, 'under.jshtml'), '<p>{{ include "_part" }}</p>');
    writeFileSync(path.join(dir, '_part.jshtml'), 'underscored {{ 2 + 2 }}');
    s.rootPath = dir;
    s.bindAddress = ['127.0.0.1', 0];
    s.logLevel = 'ERROR';
    s.loadModule(TemplatePages);
    await s.startManaged();
    const url = `http://127.0.0.1:${s.address[1]}`;
    expect(await (await fetch(url + '/page.jshtml')).text()).toBe('<p>partial 2</p>');
    expect((await fetch(url + '/.part.jshtml')).status).toBe(404);
    expect(await (await fetch(url + '/under.jshtml')).text()).toBe('<p>underscored 4</p>');
    const direct = await fetch(url + '/_part.jshtml');
    expect(direct.status).toBe(404);
    expect(await direct.text()).not.toContain('underscored');
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C stops the server with exit code 0', async () => {
  expect(await srv.stop()).toBe(0);
  expect(srv.output()).toContain('stopped');
});
