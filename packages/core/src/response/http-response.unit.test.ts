/** HttpResponse without a server: literal defaults and a recording sink. */
import { Readable } from 'node:stream';
import { makeRequest } from '../__tests__/recording-sink';

const GET = (target: string, fields = '', v = '1.1'): string => `GET ${target} HTTP/${v}\r\nHost: x\r\n${fields}\r\n`;

test('returnOk: one head with the defaults\' Server and keep-alive lines, then the body', () => {
  const { req, sink } = makeRequest(GET('/'), { serverLine: 'Server: Test\r\n', keepAliveLine: 'Keep-Alive: timeout=7\r\n\r\n' });
  req.response.returnOk('héllo');
  expect(sink.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(sink.head).toContain('Server: Test\r\n');
  expect(sink.head).toContain('Content-Type: text/html; charset=UTF-8\r\n');
  expect(sink.head).toContain('Content-Length: 6\r\n');
  expect(sink.head).toMatch(/Keep-Alive: timeout=7\r\n\r\n$/);
  expect(Buffer.from(sink.body, 'latin1').toString('utf8')).toBe('héllo');
  expect(sink.finished).toEqual({ close: false });
  expect(req.response.bodyBytes).toBe(6);
});

test('a sink that cannot keep the connection: Connection: close, and finish(close)', () => {
  const { req, sink } = makeRequest(GET('/'));
  sink.keepAlive = false;
  req.response.returnOkJSON({ a: 1 });
  expect(sink.head).toMatch(/Connection: close\r\n\r\n$/);
  expect(sink.body).toBe('{"a":1}');
  expect(sink.finished).toEqual({ close: true });
});

test('HEAD and 304 carry no body; HTTP/1.0 gets its keep-alive line', () => {
  const head = makeRequest('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
  head.req.response.returnOk('abc');
  expect(head.sink.head).toContain('Content-Length: 3\r\n');
  expect(head.sink.body).toBe('');
  const nm = makeRequest(GET('/'));
  nm.req.response.returnNotModified();
  expect(nm.sink.head).not.toContain('Content-Length');
  const old = makeRequest(GET('/', 'Connection: keep-alive\r\n', '1.0'), { keepAliveLine10: 'Connection: keep-alive\r\nKeep-Alive: timeout=3\r\n\r\n' });
  old.req.response.returnOk('x');
  expect(old.sink.head).toMatch(/Connection: keep-alive\r\nKeep-Alive: timeout=3\r\n\r\n$/);
});

test('CORS from the defaults: an echoed origin varies by Origin', () => {
  const { req, sink } = makeRequest(GET('/', 'Origin: https://a.test\r\n'), { allowAllOrigins: true });
  req.response.returnOk();
  expect(sink.head).toContain('Access-Control-Allow-Origin: https://a.test\r\nVary: Origin\r\n');
});

test('returnNotFound redirects to the defaults\' notFoundURL, never to itself', () => {
  const a = makeRequest(GET('/missing'), { notFoundURL: '/404.html' });
  a.req.response.returnNotFound();
  expect(a.sink.head).toMatch(/^HTTP\/1\.1 307 /);
  expect(a.sink.head).toContain('Location: /404.html\r\n');
  const b = makeRequest(GET('/404.html'), { notFoundURL: '/404.html' });
  b.req.response.returnNotFound();
  expect(b.sink.head).toMatch(/^HTTP\/1\.1 404 /);
});

test('headers: Set-Cookie repeats, other names replace, CR/LF refused, nothing after the head', () => {
  const { req, sink } = makeRequest(GET('/'));
  const r = req.response;
  r.setHeader('X-A', '1');
  r.setHeader('x-a', '2');
  r.setHeader('Set-Cookie', 'a=1');
  r.setHeader('Set-Cookie', 'b=2');
  expect(() => r.setHeader('X-B', 'v\r\nInjected: 1')).toThrow(/setHeader value/);
  r.returnOk();
  expect(sink.head.match(/X-A: /g)).toHaveLength(1);
  expect(sink.head).toContain('x-a: 2\r\n'.replace('x-a', 'X-A'));
  expect(sink.head).toContain('Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n');
  expect(() => r.setHeader('X-C', '1')).toThrow(/already sent/);
  expect(() => r.returnOk()).toThrow(/already sent/);
});

test('returnStream: chunked for HTTP/1.1 with an unknown length, finished after the last chunk', async () => {
  const { req, sink } = makeRequest(GET('/'));
  req.response.returnStream(200, Readable.from([Buffer.from('ab'), Buffer.from('cde')]));
  for (let i = 0; i < 50 && sink.finished === null; i++) await new Promise((r) => setImmediate(r));
  expect(sink.head).toContain('Transfer-Encoding: chunked\r\n');
  expect(sink.body).toBe('2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n');
  expect(sink.finished).toEqual({ close: false });
  expect(req.response.bodyBytes).toBe(5);
});

test('returnStream shorter than its declared length aborts the connection', async () => {
  const { req, sink } = makeRequest(GET('/'));
  req.response.returnStream(200, Readable.from([Buffer.from('ab')]), 10);
  for (let i = 0; i < 50 && sink.aborted === null; i++) await new Promise((r) => setImmediate(r));
  expect(sink.aborted?.message).toMatch(/after 2 of the declared 10 bytes/);
});

test('openStream: chunks as written; the server\'s stop runs onStop and ends it; destroy aborts', () => {
  const { req, sink } = makeRequest(GET('/'));
  const s = req.response.openStream(200, { contentType: 'text/event-stream', onStop: (st) => st.write('bye') });
  s.write('hi');
  expect(sink.head).toContain('Transfer-Encoding: chunked\r\n');
  sink.serverStops();
  expect(sink.body).toBe('2\r\nhi\r\n3\r\nbye\r\n0\r\n\r\n');
  expect(s.closed).toBe(true);
  expect(sink.finished).toEqual({ close: false });
  const other = makeRequest(GET('/'));
  other.req.response.openStream();
  other.req.response.destroy(new Error('gone'));
  expect(other.sink.aborted?.message).toBe('gone');
});

test('switchingProtocols: a 101 head, then the sink hears the upgrade', () => {
  const { req, sink } = makeRequest(GET('/', 'Connection: Upgrade\r\nUpgrade: echo\r\n'));
  req.response.switchingProtocols('echo');
  expect(sink.head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*Connection: Upgrade\r\nUpgrade: echo\r\n\r\n$/);
  expect(sink.upgradedTo).toBe(req.response);
});
