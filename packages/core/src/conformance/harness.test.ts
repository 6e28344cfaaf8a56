/**
 * The raw-socket harness itself: the response parser on hand-made bytes, and the socket side against a
 * plain node:net / node:tls server that answers scripted bytes, so that a conformance case cannot pass
 * because the harness misread the wire.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { CERT_FILE, KEY_FILE, exchange, field, parseResponses, type Transport } from './__tests__/raw';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('parseResponses', () => {
  test('Content-Length, chunked with extension and trailer, 1xx, then an incomplete one', () => {
    const wire = 'HTTP/1.1 100 Continue\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' +
      'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort';
    const r = parseResponses(b(wire));
    expect(r.error).toBeNull();
    expect(r.responses.map((x) => x.status)).toEqual([100, 200, 201]);
    expect(r.responses[1]!.body.toString()).toBe('hello');
    expect(r.responses[2]!.body.toString()).toBe('abcde');
    expect(r.responses[2]!.framing).toBe('chunked');
    expect(r.rest.toString()).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  test('HEAD, 204 and 304 responses have no body even with Content-Length', () => {
    const wire = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' + 'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n' +
      'HTTP/1.1 304 Not Modified\r\n\r\n' + 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const r = parseResponses(b(wire), ['HEAD', 'GET', 'GET', 'GET']);
    expect(r.responses.map((x) => [x.status, x.body.toString()])).toEqual([[200, ''], [204, ''], [304, ''], [200, 'ok']]);
    expect(r.rest.length).toBe(0);
  });

  test('a body without framing is complete only once closed', () => {
    const wire = b('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc');
    expect(parseResponses(wire, [], false).responses).toHaveLength(0);
    const closed = parseResponses(wire, [], true);
    expect(closed.responses[0]!.framing).toBe('close');
    expect(closed.responses[0]!.body.toString()).toBe('abc');
    expect(field(closed.responses[0]!, 'Connection')).toBe('close');
  });

  test('garbage and broken chunking are reported', () => {
    expect(parseResponses(b('HTTP/1.1 OK\r\n\r\n')).error).toMatch(/status line/);
    expect(parseResponses(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).error).toMatch(/chunk size/);
    expect(parseResponses(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX')).error).toMatch(/CRLF/);
  });
});

describe.each([['tcp'], ['tls']] as Array<[Transport]>)('RawConn over %s', (transport) => {
  let server: net.Server;
  let port = 0;
  const received: string[] = [];

  beforeAll(async () => {
    // Answers "GET /keep" with one response and keeps the connection; anything else with a
    // close-delimited response and a close.
    const onConn = (s: net.Socket) => {
      let got = '';
      s.on('data', (d) => {
        got += d.toString('latin1');
        if (!got.includes('\r\n\r\n')) return;
        received.push(got);
        if (got.startsWith('GET /keep')) { s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'); got = ''; }
        else s.end('HTTP/1.1 200 OK\r\n\r\nuntil-close');
      });
      s.on('error', () => undefined);
    };
    server = transport === 'tls'
      ? tls.createServer({ cert: fs.readFileSync(CERT_FILE), key: fs.readFileSync(KEY_FILE) }, onConn)
      : net.createServer(onConn);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('pieces arrive in order; an open connection is reported open', async () => {
    const x = await exchange({ port, transport }, ['GET /ke', 'ep HTTP/1.1\r\n', '\r\n'], { expectFinal: 1 });
    expect(x.closed).toBe(false);
    expect(x.responses.map((r) => r.body.toString())).toEqual(['ok']);
    expect(received.pop()).toBe('GET /keep HTTP/1.1\r\n\r\n');
  });

  test('a close by the server is reported, with a close-delimited body', async () => {
    const x = await exchange({ port, transport }, 'GET /bye HTTP/1.1\r\n\r\n');
    expect(x.closed).toBe(true);
    expect(x.responses[0]!.framing).toBe('close');
    expect(x.responses[0]!.body.toString()).toBe('until-close');
  });
});
