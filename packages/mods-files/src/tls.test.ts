/**
 * Uploads over TLS against a real server (core's `enableSSL`, the test certificate): a raw PUT streamed
 * through TLS's decrypted chunks, a multipart POST, a download of what was stored, and a client that
 * leaves mid-upload (old file intact, no temp file).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { cleanup, startFiles, tempsUnder, until } from './__tests__/helpers';

afterEach(cleanup);

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');
const CERT = path.join(FIXTURES, 'localhost-cert.pem');
const KEY = path.join(FIXTURES, 'localhost-key.pem');
const CA = readFileSync(CERT);

/** One HTTPS request: status, body. */
function request(port: number, method: string, urlPath: string, body: Buffer | null, headers: Record<string, string | number> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: urlPath, method, ca: CA, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

describe('uploads over TLS', () => {
  test('a raw PUT and a multipart POST store the exact bytes; the download over TLS gives them back', async () => {
    const t = await startFiles({}, (srv) => srv.enableSSL({ certFile: CERT, keyFile: KEY }));
    const data = randomBytes(3 * 1024 * 1024 + 11);
    const put = await request(t.port, 'PUT', '/fs/dir/big.bin', data, { 'content-length': data.length });
    expect(put.status).toBe(201);
    expect(JSON.parse(put.body.toString())).toEqual({ path: '/dir/big.bin', size: data.length });
    expect(readFileSync(path.join(t.base, 'dir/big.bin')).equals(data)).toBe(true);

    const file = randomBytes(700_000);
    const form = Buffer.concat([
      Buffer.from('--bnd\r\nContent-Disposition: form-data; name="f"; filename="form.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'),
      file,
      Buffer.from('\r\n--bnd--\r\n'),
    ]);
    const post = await request(t.port, 'POST', '/fs/dir/', form, { 'content-type': 'multipart/form-data; boundary=bnd', 'content-length': form.length });
    expect(post.status).toBe(201);
    expect(readFileSync(path.join(t.base, 'dir/form.bin')).equals(file)).toBe(true);

    const get = await request(t.port, 'GET', '/fs/dir/big.bin', null);
    expect(get.status).toBe(200);
    expect(get.body.equals(data)).toBe(true);
    expect(tempsUnder(t.base)).toEqual([]);
  });

  test('a TLS client that leaves mid-upload: the old file is intact and no temp file is left', async () => {
    const t = await startFiles({}, (srv) => srv.enableSSL({ certFile: CERT, keyFile: KEY }));
    writeFileSync(path.join(t.base, 'keep.txt'), 'old contents');
    const sock = tls.connect({ host: '127.0.0.1', port: t.port, ca: CA, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => { sock.once('secureConnect', resolve); sock.once('error', reject); });
    sock.on('error', () => undefined);
    sock.write(`PUT /fs/keep.txt HTTP/1.1\r\nHost: x\r\nContent-Length: ${4 * 1024 * 1024}\r\n\r\n`);
    sock.write(randomBytes(512 * 1024));
    await until(() => tempsUnder(t.base).length === 1, 5000, 'the temp file of the upload');
    sock.destroy();
    await until(() => tempsUnder(t.base).length === 0, 5000, 'the temp file removed');
    expect(readFileSync(path.join(t.base, 'keep.txt'), 'utf8')).toBe('old contents');
    await until(() => t.srv.stats.connections === 0, 5000, 'the connection closed');
  });
});
