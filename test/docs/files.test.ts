import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { SpawnedServer } from '../support/spawn-server';
import { raw, useExample } from './doc-example';

// docs/files.md: its example (a file manager at /fs/ with an ACL, quotas and uhttpd's upload endpoint)
// does what the page says, with the requests the page shows.

describe('docs/examples/files.js', () => {
  let base = '';
  let folder = '';
  const auth = { authorization: 'Basic ' + Buffer.from('admin:s3cret').toString('base64') };
  useExample('files.md', 'files.js', (s: SpawnedServer) => {
    base = s.urls[0].replace(/\/fs\/$/, '');
    folder = /^(\S+) on http:\/\//m.exec(s.output())![1]; // the example prints '<folder> on <url>'
  });
  afterAll(() => { if (folder.includes('files-')) rmSync(folder, { recursive: true, force: true }); });

  test('reads are open, writes need the credentials (401 with the Basic challenge), /public/ is read-only', async () => {
    expect(existsSync(path.join(folder, 'public'))).toBe(true);
    const list = await fetch(`${base}/fs/`);
    expect(await list.json()).toMatchObject({ path: '/', list: [{ path: 'public', type: 'directory', size: 0 }] });
    const anon = await fetch(`${base}/fs/notes.txt`, { method: 'PUT', body: 'hello' });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="files"');
    const put = await fetch(`${base}/fs/notes.txt`, { method: 'PUT', body: 'hello', headers: auth });
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({ path: '/notes.txt', size: 5 });
    expect(await (await fetch(`${base}/fs/notes.txt`)).text()).toBe('hello');
    expect((await fetch(`${base}/fs/public/x.txt`, { method: 'PUT', body: 'x', headers: auth })).status).toBe(403);
  });

  test('the page\'s requests: If-None-Match, a folder, a form, the upload endpoint, DELETE', async () => {
    expect((await fetch(`${base}/fs/notes.txt`, { method: 'PUT', body: 'again', headers: { ...auth, 'if-none-match': '*' } })).status).toBe(412);
    expect((await fetch(`${base}/fs/photos/`, { method: 'PUT', headers: auth })).status).toBe(201);
    const form = new FormData();
    form.append('file', new Blob(['png bytes']), 'cat.png');
    const posted = await fetch(`${base}/fs/photos/`, { method: 'POST', body: form, headers: auth });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toEqual({ path: '/photos/', files: [{ path: '/photos/cat.png', size: 9 }] });
    const ep = await fetch(`${base}/upload`, { method: 'POST', body: 'a report', headers: { ...auth, 'content-disposition': 'attachment; filename="/reports/2026.txt"' } });
    expect(ep.status).toBe(201);
    expect(readFileSync(path.join(folder, 'reports/2026.txt'), 'utf8')).toBe('a report');
    expect((await fetch(`${base}/fs/photos/`, { method: 'DELETE', headers: auth })).status).toBe(409);
    expect((await fetch(`${base}/fs/photos/?force=1`, { method: 'DELETE', headers: auth })).status).toBe(204);
    expect(readdirSync(folder).sort()).toEqual(['notes.txt', 'public', 'reports']);
    // Traversal never leaves the folder.
    expect(await raw(base, 'PUT /fs/..%2fescape.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx')).toMatch(/^HTTP\/1\.1 400 /);
  });
});
