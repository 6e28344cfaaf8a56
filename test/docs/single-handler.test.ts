import * as net from 'node:net';
import { useExample } from './doc-example';

// docs/routes.md, "One handler for every request (picohttp)": the example does what the page says.

let base = '';

useExample('routes.md', 'single-handler.js', (s) => { base = s.urls[0].replace(/\/$/, ''); });

test('GET /api/notes: the handler with its extra arguments and the picohttp view (segments, query)', async () => {
  expect(await (await fetch(base + '/api/notes?q=x')).json()).toEqual({ app: 'notes', notes: ['buy milk'], q: 'x' });
});

test('POST /api/notes saves the body (201); an empty one is a 400 tuple; PUT → 405 Allow: GET, POST', async () => {
  const saved = await fetch(base + '/api/notes', { method: 'POST', body: 'call Ada' });
  expect([saved.status, await saved.text()]).toEqual([201, 'saved\n']);
  expect((await (await fetch(base + '/api/notes')).json() as { notes: string[] }).notes).toEqual(['buy milk', 'call Ada']);
  expect((await fetch(base + '/api/notes', { method: 'POST', body: ' ' })).status).toBe(400);
  const put = await fetch(base + '/api/notes', { method: 'PUT', body: 'x' });
  expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST']);
});

test('files by staticResource: / is www/index.html with an ETag and a 304; nothing outside staticBase', async () => {
  const home = await fetch(base + '/');
  expect(home.status).toBe(200);
  expect(home.headers.get('content-type')).toBe('text/html; charset=UTF-8');
  expect(await home.text()).toContain('<');
  expect((await fetch(base + '/', { headers: { 'If-None-Match': home.headers.get('etag')! } })).status).toBe(304);
  // As `curl --path-as-is` sends it (fetch would normalise the dots away, a raw socket does not).
  const u = new URL(base);
  const raw = await new Promise<string>((resolve, reject) => {
    const c = net.connect(Number(u.port), u.hostname, () => c.write('GET /../single-handler.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let got = '';
    c.on('data', (d) => { got += d.toString('latin1'); });
    c.on('error', reject);
    c.on('close', () => resolve(got));
  });
  expect(raw).toMatch(/^HTTP\/1\.1 400 /);
  expect(raw).not.toContain('staticResource');
});

test('the route answers /health before the handler', async () => {
  expect(await (await fetch(base + '/health')).json()).toEqual({ status: 'up' });
});
