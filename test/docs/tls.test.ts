import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { MicroWebSrv } from '@microwebsrv/core';
import { DOCS, example, expectPageShowsExample } from './doc-example';
import { isCI } from '../support/ci';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// docs/tls.md: the dual HTTP + HTTPS example run as a user runs it (with the test certificate), the
// certificate recipes of the page (pnpm cert's script and the openssl one-liner), and enableSSL's rules.

const FIXTURES = path.resolve(__dirname, '../fixtures');
const CERT = path.join(FIXTURES, 'localhost-cert.pem');
const KEY = path.join(FIXTURES, 'localhost-key.pem');
const REPO = path.resolve(DOCS, '..');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** GET over HTTPS trusting `ca` only (the self-signed certificate, as the page tells clients to). */
function httpsGet(url: string, ca: Buffer | null): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca: ca ?? undefined, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

describe('the example', () => {
  let srv: SpawnedServer;
  let httpBase = '';
  let httpsBase = '';
  const ca = fs.readFileSync(CERT);

  beforeAll(async () => {
    expectPageShowsExample('tls.md', 'tls.js');
    srv = await spawnServer(example('tls.js'), { env: { TLS_CERT: CERT, TLS_KEY: KEY }, urlCount: 2 });
    [httpBase, httpsBase] = srv.urls;
  });

  afterAll(async () => {
    expect(await srv.stop()).toBe(0); // both servers and the pool stop, and Node exits by itself
    expect(srv.output()).toContain('stopped');
  });

  test('prints both URLs, HTTP first', () => {
    expect(httpBase).toMatch(/^http:\/\/localhost:\d+$/);
    expect(httpsBase).toMatch(/^https:\/\/localhost:\d+$/);
  });

  test('a global route is served by both servers; request.isSSL tells them apart', async () => {
    expect(await (await fetch(httpBase + '/')).json()).toEqual({ secure: false, path: '/' });
    const r = await httpsGet(httpsBase + '/', ca);
    expect([r.status, JSON.parse(r.body)]).toEqual([200, { secure: true, path: '/' }]);
    await srv.waitForOutput(/From 127\.0\.0\.1:\d+ SSL-GET \/ >> \[200\] OK/);
  });

  test('own routes: /login on HTTP redirects to the HTTPS server', async () => {
    const r = await fetch(httpBase + '/login', { redirect: 'manual' });
    expect([r.status, r.headers.get('location')]).toEqual([307, httpsBase + '/login']);
    expect(await httpsGet(httpsBase + '/login', ca)).toEqual({ status: 200, body: 'log in here\n' });
  });

  test('a client that does not trust the self-signed certificate refuses it', async () => {
    await expect(httpsGet(httpsBase + '/', null)).rejects.toThrow(/self[- ]signed/i);
  });

  test('without a readable certificate it says ERR_MWS_SSL, suggests pnpm cert, and exits with 1', async () => {
    const failed = spawnServer(example('tls.js'), { env: { TLS_CERT: path.join(os.tmpdir(), 'no-such-cert.pem'), TLS_KEY: KEY } });
    await expect(failed).rejects.toThrow(/exited \(1\)[\s\S]*ERR_MWS_SSL: enableSSL certFile "[^"]*no-such-cert\.pem" cannot be read[\s\S]*npx -y pnpm@10\.34\.9 cert/);
  });
});

describe('what the page says beyond the example', () => {
  test('enableSSL switches port 80 to 443 and disableSSL back; other ports are left alone', () => {
    const s = new MicroWebSrv();
    expect(s.isSSLEnabled).toBe(false);
    s.enableSSL({ certFile: CERT, keyFile: KEY });
    expect([s.isSSLEnabled, s.bindAddress]).toEqual([true, ['0.0.0.0', 443]]);
    s.disableSSL();
    expect([s.isSSLEnabled, s.bindAddress]).toEqual([false, ['0.0.0.0', 80]]);
    s.bindAddress = ['127.0.0.1', 8443];
    s.enableSSL({ certFile: CERT, keyFile: KEY });
    expect(s.bindAddress).toEqual(['127.0.0.1', 8443]);
    expect(() => s.enableSSL({ certFile: CERT } as never)).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION' }));
  });

  test('files are read at start: a missing file or a key that does not fit rejects with ERR_MWS_SSL', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-docs-tls-'));
    try {
      const otherKey = path.join(tmp, 'other-key.pem');
      fs.writeFileSync(otherKey, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
      for (const files of [{ certFile: path.join(tmp, 'none.pem'), keyFile: KEY }, { certFile: CERT, keyFile: otherKey }]) {
        const s = new MicroWebSrv();
        s.enableSSL(files); // nothing is read yet
        s.bindAddress = ['127.0.0.1', 0];
        await expect(s.startManaged()).rejects.toMatchObject({ code: 'ERR_MWS_SSL' });
        expect(s.isRunning).toBe(false);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  // Without openssl: skipped on a developer's machine, a failure under CI (.ci/run installs it).
  (hasOpenssl || isCI ? test : test.skip)("the page's certificate recipes: pnpm cert's script and the openssl one-liner", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-docs-cert-'));
    try {
      // scripts/make-cert.sh [dir] (what `pnpm cert` runs)
      const made = spawnSync('bash', [path.join(REPO, 'scripts', 'make-cert.sh'), path.join(tmp, 'a')], { encoding: 'utf8' });
      expect(made.status).toBe(0);
      // the one-liner, as the page shows it, run where certs/ is
      const md = fs.readFileSync(path.join(DOCS, 'tls.md'), 'utf8');
      const lines = /^```sh\n(mkdir -p certs\nopenssl req [^\n]+)\n```$/m.exec(md)![1];
      const oneLiner = spawnSync('bash', ['-c', lines], { cwd: tmp, encoding: 'utf8' });
      expect(oneLiner.status).toBe(0);
      for (const dir of [path.join(tmp, 'a'), path.join(tmp, 'certs')]) {
        const certFile = path.join(dir, 'localhost-cert.pem');
        const keyFile = path.join(dir, 'localhost-key.pem');
        const x = new X509Certificate(fs.readFileSync(certFile));
        expect(x.subject).toBe('CN=localhost');
        expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
        const days = (Date.parse(x.validTo) - Date.now()) / 86_400_000;
        expect(days).toBeGreaterThan(363);
        expect(days).toBeLessThan(366);
        // The example serves HTTPS with it, and a client trusting it connects to localhost and 127.0.0.1.
        const srv = await spawnServer(example('tls.js'), { env: { TLS_CERT: certFile, TLS_KEY: keyFile }, urlCount: 2 });
        try {
          const ca = fs.readFileSync(certFile);
          expect(JSON.parse((await httpsGet(srv.urls[1] + '/', ca)).body)).toEqual({ secure: true, path: '/' });
          expect((await httpsGet(srv.urls[1].replace('localhost', '127.0.0.1') + '/', ca)).status).toBe(200);
        } finally {
          expect(await srv.stop()).toBe(0);
        }
      }
      expect(fs.statSync(path.join(tmp, 'a', 'localhost-key.pem')).mode & 0o077).toBe(0); // the key is private
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
