/**
 * A plain-TCP client that pipelines far more requests than it reads (request-cycle.ts `_parse`,
 * PIPELINE_HWM): the connection stops reading requests while the responses made wait in its send queue,
 * and reads on once they drain. Without that pause the queue would grow past `maxSendPending` and the
 * connection be closed (checked: without the pause this test fails). The queued count comes from `_flush`
 * when it wrote the shared batch, else from the client (a read that ends mid-request answers nothing):
 * a run pauses through both, so this test does not tell which of the two paused it.
 */
import * as net from 'node:net';
import { startServer, stopAll } from '../__tests__/server-harness';

afterAll(stopAll);

test('plain TCP, 200,000 pipelined requests read late: all answered intact, in order, no close', async () => {
  // Small answers: each read's answers fit the shared output batch (output-batch.ts), written at the end
  // of the read, and the queue they leave grows read after read.
  const body = (n: number): string => `#${n}`;
  const ts = await startServer((srv) => {
    srv.registerRoute((_s, req) => { req.response.returnOk(body(Number(req.queryParams.n))); }, 'GET', '/r');
  });
  // ~30 MB of answers: above the send queue's bound (xasync's maxSendPending, 4 MiB by default) were they
  // all made while the client reads nothing. Requests padded to ~100 bytes: a read holds few enough.
  const N = 200000;
  const pad = 'X-Pad: ' + 'p'.repeat(50) + '\r\n';
  const sock = net.connect(ts.port, '127.0.0.1');
  let closed = false;
  sock.on('close', () => { closed = true; });
  try {
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.pause(); // read nothing for a while
    let reqs = '';
    for (let n = 0; n < N; n++) reqs += `GET /r?n=${n} HTTP/1.1\r\nHost: x\r\n${pad}\r\n`;
    sock.write(reqs);
    await new Promise((r) => setTimeout(r, 400));
    const chunks: Buffer[] = [];
    let got = 0;
    const want = N * 60;
    await new Promise<void>((resolve, reject) => {
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        got += d.length;
        if (got >= want && d.toString('latin1').endsWith(body(N - 1))) resolve();
      });
      sock.on('close', () => reject(new Error(`closed by the server after ${got} bytes`)));
      sock.on('error', reject);
      sock.resume();
    });
    const text = Buffer.concat(chunks).toString('latin1');
    const parts = text.split('HTTP/1.1 200 ').slice(1);
    expect(parts).toHaveLength(N);
    parts.forEach((p, n) => { if (p.slice(p.indexOf('\r\n\r\n') + 4) !== body(n)) throw new Error(`answer ${n} differs`); });
    expect(closed).toBe(false);
  } finally {
    sock.destroy();
  }
}, 30000);
