/**
 * The shared output batch under TLS (output-batch.ts, connection-output.ts `_flush`): a read's responses
 * are written as a view of the batch's Buffer; when the write is not taken at once the batch must hand
 * that Buffer over, or the next read's responses overwrite bytes still queued. Under TLS the queue is the
 * TLS socket's (the plain socket under it queues nothing in JavaScript), which `sendPending` once missed.
 * A pipelining client that stops reading for a while over TLS must still get every response intact.
 */
import * as tls from 'node:tls';
import { TEST_CERT, TEST_KEY, startServer, stopAll } from '../__tests__/server-harness';

afterAll(stopAll);

test('TLS, 1,500 pipelined requests read late: every response intact and in order', async () => {
  const body = (n: number): string => `#${n}:`.padEnd(3000, String.fromCharCode(97 + (n % 26)));
  const ts = await startServer((srv) => {
    srv.enableSSL({ certFile: TEST_CERT, keyFile: TEST_KEY });
    srv.registerRoute((_s, req) => { req.response.returnOk(body(Number(req.queryParams.n))); }, 'GET', '/r');
  });
  const N = 1500;
  const sock = tls.connect({ port: ts.port, host: '127.0.0.1', rejectUnauthorized: false });
  try {
    await new Promise<void>((r) => sock.once('secureConnect', () => r()));
    sock.pause(); // read nothing for a while: the server's TLS socket queues, reads after reads
    let reqs = '';
    for (let n = 0; n < N; n++) reqs += `GET /r?n=${n} HTTP/1.1\r\nHost: x\r\n\r\n`;
    sock.write(reqs);
    await new Promise((r) => setTimeout(r, 400));
    const chunks: Buffer[] = [];
    let got = 0;
    const want = N * (3000 + 60); // at least the bodies and a head each
    await new Promise<void>((resolve, reject) => {
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        got += d.length;
        const text = Buffer.concat(chunks).toString('latin1');
        if (got >= want && text.split('HTTP/1.1 200 ').length - 1 === N && text.endsWith(body(N - 1))) resolve();
      });
      sock.on('error', reject);
      sock.resume();
    });
    const text = Buffer.concat(chunks).toString('latin1');
    const parts = text.split('HTTP/1.1 200 ').slice(1);
    expect(parts).toHaveLength(N);
    parts.forEach((p, n) => expect(p.slice(p.indexOf('\r\n\r\n') + 4)).toBe(body(n)));
  } finally {
    sock.destroy();
  }
}, 30000);
