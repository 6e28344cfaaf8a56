/**
 * The memoized head with its body (head-memo.ts `withBody`, issue 19): a short ASCII body sent again behind
 * the same head goes out as one pre-encoded copy. Over real connections, pipelined so that the responses
 * of one read share the output batch: every response still carries its own body and length, whatever
 * came before it (the same text, another text of the same length, a HEAD, a non-ASCII text).
 */
import { startServer, stopAll, type TestServer } from '../__tests__/server-harness';
import * as net from 'node:net';

let ts: TestServer;

beforeAll(async () => {
  ts = await startServer((srv) => {
    srv.logLevel = 'WARNING';
    // The body is the query string, decoded: the same route answers any text.
    srv.registerRoute((_s, r) => { r.response.contentType = 'text/plain'; r.response.returnOk(decodeURIComponent(r.queryString)); }, 'GET', '/echo');
  });
});
afterAll(() => stopAll());

/** Responses in order from one connection, each parsed by its Content-Length (HEAD: the head only). */
function exchange(port: number, requests: Array<{ method: string; text: string }>): Promise<Array<{ length: number; body: string }>> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const out: Array<{ length: number; body: string }> = [];
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.toString('latin1', 0, end);
        const length = Number(/content-length: *(\d+)/i.exec(head)![1]);
        const bodyLen = requests[out.length]!.method === 'HEAD' ? 0 : length;
        if (buf.length < end + 4 + bodyLen) return;
        out.push({ length, body: buf.toString('utf8', end + 4, end + 4 + bodyLen) });
        buf = buf.subarray(end + 4 + bodyLen);
        if (out.length === requests.length) { sock.destroy(); resolve(out); return; }
      }
    });
    sock.on('error', reject);
    // One write: the server reads them together and answers them in one batch.
    sock.write(requests.map((r) => `${r.method} /echo?${encodeURIComponent(r.text)} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
  });
}

test('the same short text, another of the same length, a HEAD and a non-ASCII text: each response has its own body', async () => {
  const requests = [
    { method: 'GET', text: 'Hello World!' },
    { method: 'GET', text: 'Hello World!' }, // second use behind this head: sent with it in one copy
    { method: 'GET', text: 'Hello World!' },
    { method: 'GET', text: 'Hello Wxrld!' }, // the same head (same length), another body
    { method: 'GET', text: 'Hello World!' },
    { method: 'HEAD', text: 'Hello World!' }, // the head only, whatever the memo holds
    { method: 'GET', text: 'Hello World!' },
    { method: 'GET', text: 'héllo wörld' }, // not ASCII: its UTF-8 bytes, never the memo's
    { method: 'GET', text: 'Hello World!' },
    { method: 'GET', text: 'Hello Wörld!' }, // as many characters as the memo's, not ASCII: 13 bytes
    { method: 'GET', text: 'Hello World!' },
  ];
  const got = await exchange(ts.port, requests);
  expect(got.map((r) => r.body)).toEqual(requests.map((r) => (r.method === 'HEAD' ? '' : r.text)));
  expect(got.map((r) => r.length)).toEqual(requests.map((r) => Buffer.byteLength(r.text, 'utf8')));
});

test('alternating texts across connections and reads stay each its own', async () => {
  for (let round = 0; round < 3; round++) {
    const texts = ['ok', 'no', 'ok', 'ok', 'yes', 'ok', 'no', 'no'];
    const got = await exchange(ts.port, texts.map((text) => ({ method: 'GET', text })));
    expect(got.map((r) => r.body)).toEqual(texts);
  }
});
