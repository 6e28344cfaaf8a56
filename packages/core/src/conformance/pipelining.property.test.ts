/**
 * Property: however a pipeline of valid requests is split into TCP writes, the server answers every
 * request, in order, with the right body, and keeps the connection (RFC 9112 §9.3.2).
 * Requests: GET /hello, HEAD /hello, GET /stream (chunked response), GET /slow (async handler), POST /echo with Content-Length
 * and POST /echo chunked (random chunk sizes, hex case, extensions), with arbitrary body bytes.
 */
import fc from 'fast-check';
import { RawConn, show, type Transport } from './__tests__/raw';
import { startTestServer, type TestServer } from './__tests__/server';

interface Req {
  bytes: Buffer;
  method: string;
  /** The body the response must carry. */
  body: Buffer;
}

const H = 'Host: x\r\n';
const latin1 = (s: string) => Buffer.from(s, 'latin1');

const getHello = fc.constant<Req>({ bytes: latin1(`GET /hello HTTP/1.1\r\n${H}\r\n`), method: 'GET', body: latin1('hello') });
const headHello = fc.constant<Req>({ bytes: latin1(`HEAD /hello HTTP/1.1\r\n${H}\r\n`), method: 'HEAD', body: Buffer.alloc(0) });
const getStream = fc.constant<Req>({ bytes: latin1(`GET /stream HTTP/1.1\r\n${H}\r\n`), method: 'GET', body: latin1('ab') });
/** Answered after a delay: the requests behind it wait in the slot (parser paused, then resumed). */
const getSlow = fc.constant<Req>({ bytes: latin1(`GET /slow HTTP/1.1\r\n${H}\r\n`), method: 'GET', body: latin1('slow') });
const body = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));

const postLength = body.map<Req>((b) => ({
  bytes: Buffer.concat([latin1(`POST /echo HTTP/1.1\r\n${H}Content-Length: ${b.length}\r\n\r\n`), b]),
  method: 'POST',
  body: b,
}));

const postChunked = fc.tuple(body, fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 10 }), fc.boolean(), fc.boolean())
  .map<Req>(([b, sizes, upper, ext]) => {
    const parts: Buffer[] = [latin1(`POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`)];
    let at = 0;
    let i = 0;
    while (at < b.length) {
      const n = Math.min(sizes[i++ % Math.max(sizes.length, 1)] ?? b.length, b.length - at);
      const hex = upper ? n.toString(16).toUpperCase() : n.toString(16);
      parts.push(latin1(`${hex}${ext ? ';e=1' : ''}\r\n`), b.subarray(at, at + n), latin1('\r\n'));
      at += n;
    }
    parts.push(latin1(ext ? '0;end\r\nX-Trailer: t\r\n\r\n' : '0\r\n\r\n'));
    return { bytes: Buffer.concat(parts), method: 'POST', body: b };
  });

const request = fc.oneof({ arbitrary: getHello, weight: 2 }, headHello, getStream, { arbitrary: getSlow, weight: 1 }, { arbitrary: postLength, weight: 3 }, { arbitrary: postChunked, weight: 3 });

/** A pipeline and the points where it is cut into writes. */
const pipeline = fc.array(request, { minLength: 1, maxLength: 8 }).chain((reqs) => {
  const total = reqs.reduce((n, r) => n + r.bytes.length, 0);
  return fc.tuple(fc.constant(reqs), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, total - 1) }), { maxLength: 12 }));
});

function cut(buf: Buffer, points: number[]): Buffer[] {
  const sorted = [...points].filter((p) => p > 0 && p < buf.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of sorted) { out.push(buf.subarray(at, p)); at = p; }
  out.push(buf.subarray(at));
  return out;
}

describe.each([['tcp', Number(process.env.MWS_PROP_RUNS ?? 30)], ['tls', Number(process.env.MWS_PROP_RUNS ?? 15)]] as Array<[Transport, number]>)('pipelined requests split anywhere, over %s', (transport, numRuns) => {
  let ts: TestServer;

  beforeAll(async () => {
    ts = await startTestServer(transport);
  });

  afterAll(async () => {
    await ts.srv.stop();
  });

  test('every request is answered in order with its body, and the connection persists', async () => {
    await fc.assert(fc.asyncProperty(pipeline, async ([reqs, points]) => {
      const wire = Buffer.concat(reqs.map((r) => r.bytes));
      const methods = reqs.map((r) => r.method);
      const c = await RawConn.open(ts.ep);
      try {
        await c.send(cut(wire, points), 3);
        const x = await c.collect({ expectFinal: reqs.length, methods, settleMs: 40 });
        const why = `sent ${show(wire, 300)}\ngot ${show(x.bytes, 300)}`;
        expect({ why, error: x.error }).toEqual({ why, error: null });
        expect({ why, statuses: x.responses.map((r) => r.status) }).toEqual({ why, statuses: reqs.map(() => 200) });
        x.responses.forEach((r, i) => expect({ why, i, body: r.body.toString('latin1') }).toEqual({ why, i, body: reqs[i]!.body.toString('latin1') }));
        expect(x.rest.length).toBe(0);
        expect(x.closed).toBe(false);
      } finally {
        await c.destroy();
      }
    }), { numRuns });
  }, Math.max(20000, numRuns * 500));

  test('the server ends with no connection left', async () => {
    const deadline = Date.now() + 1500;
    while (ts.srv.stats.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ts.srv.stats.connections).toBe(0);
    expect(ts.srv.stats.requests).toBeGreaterThan(numRuns); // the property did reach the server
  });
});
