/** POST of multipart/form-data to a folder (browser forms), through core's request.multipart(), against a real server. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cleanup, Raw, startFiles, tempsUnder } from './__tests__/helpers';

afterEach(cleanup);

function form(files: Array<[string, string | Buffer, string?]>, fields: Record<string, string> = {}): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [name, data, type] of files) f.append('file', new Blob([data], { type: type ?? 'application/octet-stream' }), name);
  return f;
}

describe('multipart/form-data to a folder', () => {
  test('each file part is stored under its name in the folder (made if missing); fields ignored; 201 then 200', async () => {
    const t = await startFiles();
    const big = Buffer.alloc(700_000, 'q');
    const r = await fetch(`${t.url}/fs/in/`, { method: 'POST', body: form([['a.txt', 'alpha', 'text/plain'], ['big.bin', big]], { note: 'ignored' }) });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ path: '/in/', files: [{ path: '/in/a.txt', size: 5 }, { path: '/in/big.bin', size: big.length }] });
    expect(readFileSync(path.join(t.base, 'in/a.txt'), 'utf8')).toBe('alpha');
    expect(readFileSync(path.join(t.base, 'in/big.bin')).equals(big)).toBe(true);
    const again = await fetch(`${t.url}/fs/in/`, { method: 'POST', body: form([['a.txt', 'beta']]) });
    expect(again.status).toBe(200);
    expect(readFileSync(path.join(t.base, 'in/a.txt'), 'utf8')).toBe('beta');
    expect(readdirSync(path.join(t.base, 'in')).sort()).toEqual(['a.txt', 'big.bin']);
  });

  test('a file name with directories keeps its base name only; a dotfile name is refused', async () => {
    const t = await startFiles();
    const raw = new Raw(t.port);
    const body = '--b\r\nContent-Disposition: form-data; name="f"; filename="../../etc/evil.txt"\r\n\r\nevil\r\n--b--\r\n';
    await raw.write(`POST /fs/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await raw.waitFor(/HTTP\/1\.1 201 [\s\S]*\{"path":"\/","files":\[\{"path":"\/evil.txt","size":4\}\]\}/);
    expect(readdirSync(t.base)).toEqual(['evil.txt']);
    const dot = await fetch(`${t.url}/fs/`, { method: 'POST', body: form([['.htaccess', 'x']]) });
    expect(dot.status).toBe(403);
    expect(readdirSync(t.base)).toEqual(['evil.txt']);
  });

  test('limits per file: past maxFileBytes → 413 (the files before it stay whole), a refused type → 415, no temp left', async () => {
    const t = await startFiles({ maxFileBytes: 100_000, allowedExtensions: ['txt', 'bin'] });
    writeFileSync(path.join(t.base, 'b.bin'), 'old b');
    const r = await fetch(`${t.url}/fs/`, { method: 'POST', body: form([['a.txt', 'fine'], ['b.bin', Buffer.alloc(300_000, 1)]]) });
    expect(r.status).toBe(413);
    expect(readFileSync(path.join(t.base, 'a.txt'), 'utf8')).toBe('fine');
    expect(readFileSync(path.join(t.base, 'b.bin'), 'utf8')).toBe('old b');
    const typed = await fetch(`${t.url}/fs/`, { method: 'POST', body: form([['page.html', '<p>']]) });
    expect(typed.status).toBe(415);
    expect(await typed.json()).toMatchObject({ path: '/page.html', stored: [] });
    expect(tempsUnder(t.base)).toEqual([]);
  });

  test('a malformed form → 400; a form with no file → 400', async () => {
    const t = await startFiles();
    const bad = await fetch(`${t.url}/fs/`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: '--zz\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\ncut short' });
    expect(bad.status).toBe(400);
    const none = await fetch(`${t.url}/fs/`, { method: 'POST', body: form([], { only: 'a field' }) });
    expect(none.status).toBe(400);
    expect(tempsUnder(t.base)).toEqual([]);
    expect(readdirSync(t.base)).toEqual([]);
  });
});
