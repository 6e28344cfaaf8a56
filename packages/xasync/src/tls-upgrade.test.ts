import * as net from 'node:net';
import * as tls from 'node:tls';
import { XBufferSlots } from './buffer-slots';
import { XClosedReason } from './closed-reason';
import { XAsyncSocketsPool } from './pool';
import { XAsyncTCPClient } from './tcp-client';
import { XAsyncTCPServer } from './tcp-server';
import { TLS_CERT, TLS_KEY, waitFor } from './__tests__/helpers';

describe('TLS (startSSL / startSSLContext)', () => {
  let pool: XAsyncSocketsPool;
  let srv: XAsyncTCPServer;
  const ctx = tls.createSecureContext({ key: TLS_KEY, cert: TLS_CERT });
  beforeEach(async () => {
    pool = new XAsyncSocketsPool({ timerResolutionMs: 20 });
    srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 64, new XBufferSlots(8, 1024));
    srv.onClientAccepted = (_s, c) => {
      c.startSSLContext(ctx, true, { handshakeTimeoutSec: 0.5 }).then(() => {
        const echo = (cl: XAsyncTCPClient, line: string) => { cl.asyncSendData(`tls:${line}\n`); cl.asyncRecvLine(echo); };
        c.asyncRecvLine(echo);
      }, () => undefined);
    };
  });
  afterEach(() => pool.stop({ graceSec: 0.2 }));

  test('server and client handshake over xasync on both sides, and echo', async () => {
    const client = await XAsyncTCPClient.connect(pool, ['127.0.0.1', srv.address.port]);
    await client.startSSL({ ca: TLS_CERT, servername: 'localhost' });
    expect(client.isSSL).toBe(true);
    client.asyncSendData('one\n');
    expect(await client.recvLine(2)).toBe('tls:one');
    client.asyncSendData('two\n');
    expect(await client.recvLine(2)).toBe('tls:two');
  });

  test('a large message through TLS arrives whole (chunks bigger than the slot are held back, not lost)', async () => {
    const client = await XAsyncTCPClient.connect(pool, ['127.0.0.1', srv.address.port]);
    await client.startSSL({ ca: TLS_CERT, servername: 'localhost' });
    const line = 'z'.repeat(900);
    let all = '';
    for (let i = 0; i < 50; i++) all += line + '\n';
    client.asyncSendData(all);
    for (let i = 0; i < 50; i++) expect(await client.recvLine(2)).toBe('tls:' + line);
  });

  test('the client side verifies the certificate: an unknown CA fails the handshake with Error', async () => {
    const client = await XAsyncTCPClient.connect(pool, ['127.0.0.1', srv.address.port]);
    await expect(client.startSSL({ servername: 'localhost' })).rejects.toMatchObject({ code: 'ERR_XAS_TLS' });
    expect(await client.whenClosed()).toBe(XClosedReason.Error);
  });

  test('a silent TLS client does not delay another, and is closed by the handshake timeout', async () => {
    const silent = net.connect(srv.address.port, '127.0.0.1');
    silent.on('error', () => undefined);
    const silentClosed = new Promise<void>((r) => silent.once('close', () => r()));
    await new Promise((r) => silent.once('connect', r));
    const t0 = Date.now();
    const good = tls.connect({ port: srv.address.port, host: '127.0.0.1', ca: TLS_CERT, servername: 'localhost' });
    await new Promise((r) => good.once('secureConnect', r));
    good.write('hi\n');
    const reply = await new Promise<string>((r) => good.once('data', (d) => r(d.toString())));
    expect(reply).toBe('tls:hi\n');
    // The good client finished while the silent one still holds its connection (the original stalled
    // every HTTPS client for ~10 s behind one silent peer).
    expect(silent.destroyed).toBe(false);
    expect(Date.now() - t0).toBeLessThan(500);
    good.destroy();
    await silentClosed; // handshake timeout (0.5 s) closed it
    await waitFor(() => srv.stats.active === 0);
  });
});
