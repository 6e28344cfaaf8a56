import { MicroWebSrv } from '@microwebsrv/core';
import { XAsyncSocketsPool, XAsyncTCPClient } from '@microwebsrv/xasync';

// Both packages on one pool: an HTTP server and an xasync TCP client speaking HTTP/1.1 to it.
test('an xasync client and a MicroWebSrv share one pool; keep-alive and pipelining seen from the client', async () => {
  const pool = new XAsyncSocketsPool();
  const srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', 0];
  srv.logLevel = 'ERROR';
  srv.registerRoute((_s, _r, args) => `n=${String(args.n)}`, 'GET', '/n/<n:int>');
  await srv.startInPool(pool);
  const c = await XAsyncTCPClient.connect(pool, ['127.0.0.1', srv.address[1]]);
  c.asyncSendData('GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const bodies: string[] = [];
  for (let i = 0; i < 2; i++) {
    expect(await c.recvLine(5)).toBe('HTTP/1.1 200 OK');
    let length = 0;
    for (let line = await c.recvLine(5); line !== ''; line = await c.recvLine(5)) {
      const m = /^content-length: (\d+)$/i.exec(line);
      if (m) length = Number(m[1]);
    }
    bodies.push((await c.recvData(length, 5)).toString());
  }
  expect(bodies).toEqual(['n=1', 'n=2']);
  await c.whenClosed(); // Connection: close on the second request
  await srv.stop();
  await pool.stop();
  expect(pool.stats.open).toBe(0);
});
