/**
 * Socket-level HTTP/1.1 conformance cases (RFC 9112 / RFC 9110), run over plain TCP and over TLS by
 * conformance.test.ts against a server with the routes of __tests__/server.ts, a 4 KiB slot (Normal
 * preset) and maxRequestContentLength = 1024.
 */

/** What one response must be. */
export interface ExpectedResponse {
  /** The status, or the statuses the RFCs leave to the server's choice. */
  status: number | number[];
  /** The exact body (de-chunked). */
  body?: string;
  /** Field values: a string is exact, a RegExp must match, null means absent. */
  headers?: Record<string, string | RegExp | null>;
  /** How the body must be delimited. */
  framing?: 'none' | 'length' | 'chunked' | 'close';
}

export interface ConformanceCase {
  name: string;
  /** The section that requires the behaviour (RFC 9112 unless another RFC is named). */
  rfc: string;
  /** Bytes to send (latin1); an array is sent piece by piece with short pauses. */
  send: string | string[];
  /** The responses, in order (1xx included). */
  expect: ExpectedResponse[];
  /** The server closed the connection after the last response. */
  closed: boolean;
  /** Methods of the requests answered, in order, when one is HEAD (default GET: bodies are read). */
  methods?: string[];
  /** Set on a case that currently fails because of an engine bug (runs as test.failing). */
  bug?: string;
}

/** The slot size of the server (Normal preset): a head that does not fit is refused. */
export const SLOT_SIZE = 4096;
/** maxRequestContentLength of the server. */
export const MAX_BODY = 1024;

const H = 'Host: x\r\n';
const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\n${H}${extra}\r\n`;
const post = (body: string, extra = '') => `POST /echo HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\n${extra}\r\n${body}`;
const chunked = (raw: string, extra = '') => `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n${extra}\r\n${raw}`;
/** A GET /hello with one more field line (raw: give its CRLF). */
const withField = (line: string) => `GET /hello HTTP/1.1\r\n${H}${line}\r\n`;

const OK = { status: 200, body: 'hello' };
const BAD = { status: 400, headers: { connection: 'close' } };

export const CASES: ConformanceCase[] = [
  // ---- request line (§3) ---------------------------------------------------------------------
  { name: 'simple GET is served and the connection persists', rfc: '§3, §9.3', send: get('/hello'), expect: [{ ...OK, framing: 'length', headers: { 'content-length': '5', connection: null } }], closed: false },
  { name: 'HTTP/1.0 GET without Host is served, then closed', rfc: '§3.2, §9.3', send: 'GET /hello HTTP/1.0\r\n\r\n', expect: [{ ...OK, headers: { connection: 'close' } }], closed: true },
  { name: 'method with "@" (not a token) is 400', rfc: '§3.1', send: `G@T /hello HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'method with "(" is 400', rfc: '§3.1', send: `GE(T /hello HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'empty method is 400', rfc: '§3', send: ` /hello HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'methods are case-sensitive: "get" is another method (405)', rfc: 'RFC 9110 §9.1', send: `get /hello HTTP/1.1\r\n${H}\r\n`, expect: [{ status: [405, 501], headers: { allow: /GET/ } }], closed: false },
  { name: 'unknown method on a known path is 405 with Allow', rfc: 'RFC 9110 §15.5.6', send: `FOO /hello HTTP/1.1\r\n${H}\r\n`, expect: [{ status: [405, 501] }], closed: false },
  { name: 'two spaces after the method are 400', rfc: '§3', send: `GET  /hello HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'two spaces before the version are 400', rfc: '§3', send: `GET /hello  HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'HTAB as separator is 400', rfc: '§3', send: `GET\t/hello HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'missing version is 400', rfc: '§3', send: `GET /hello\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'trailing space after the version is 400', rfc: '§3', send: `GET /hello HTTP/1.1 \r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'lower-case "http/1.1" is 400 (case-sensitive)', rfc: '§2.3', send: `GET /hello http/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'HTTP/1.10 is 400', rfc: '§2.3', send: `GET /hello HTTP/1.10\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'HTTP/11 is 400', rfc: '§2.3', send: `GET /hello HTTP/11\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'HTTP/2.0 is 505', rfc: 'RFC 9110 §15.6.6', send: `GET /hello HTTP/2.0\r\n${H}\r\n`, expect: [{ status: 505, headers: { connection: 'close' } }], closed: true },
  { name: 'HTTP/1.2 is 505 (documented choice)', rfc: 'RFC 9110 §2.5', send: `GET /hello HTTP/1.2\r\n${H}\r\n`, expect: [{ status: 505 }], closed: true },
  { name: 'HTTP/0.9 version is 505', rfc: 'RFC 9110 §15.6.6', send: `GET /hello HTTP/0.9\r\n${H}\r\n`, expect: [{ status: 505 }], closed: true },
  { name: 'HTTP/0.9-style request line (no version) is 400', rfc: '§3, Appendix C.1', send: 'GET /hello\r\n\r\n', expect: [BAD], closed: true },
  { name: 'absolute-form target is served', rfc: '§3.2.2', send: `GET http://example.com/info HTTP/1.1\r\n${H}\r\n`, expect: [{ status: 200, body: 'GET /info example.com' }], closed: false },
  { name: 'absolute-form https with query and port', rfc: '§3.2.2', send: `GET https://example.com:8443/info?a=1 HTTP/1.1\r\n${H}\r\n`, expect: [{ status: 200, body: 'GET /info example.com:8443' }], closed: false },
  { name: 'absolute-form authority replaces Host', rfc: '§3.2.2', send: `GET http://a.test/info HTTP/1.1\r\nHost: b.test\r\n\r\n`, expect: [{ status: 200, body: 'GET /info a.test' }], closed: false },
  { name: 'absolute-form with a non-http scheme is 400', rfc: '§3.2.2', send: `GET ftp://example.com/hello HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'absolute-form with userinfo is 400', rfc: 'RFC 9110 §4.2.4', send: `GET http://u@example.com/hello HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'asterisk-form OPTIONS is accepted', rfc: '§3.2.4', send: `OPTIONS * HTTP/1.1\r\n${H}\r\n`, expect: [{ status: [200, 204, 404] }], closed: false },
  { name: 'asterisk-form with GET is 400', rfc: '§3.2.4', send: `GET * HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'authority-form with GET is 400', rfc: '§3.2.3', send: `GET example.com:80 HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'space inside the target is 400', rfc: '§3.2', send: `GET /he llo HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'CTL (0x01) inside the target is 400', rfc: '§3.2', send: `GET /he\x01llo HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'DEL inside the target is 400', rfc: '§3.2', send: `GET /he\x7fllo HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'raw byte >= 0x80 inside the target is 400', rfc: 'RFC 3986 §2', send: `GET /h\xe9llo HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'fragment in the target is 400', rfc: 'RFC 9110 §4.2.1', send: `GET /hello#top HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'percent-encoded path is decoded for routing', rfc: 'RFC 9110 §4.2.3', send: get('/h%65llo'), expect: [OK], closed: false },
  { name: 'query string does not change the route', rfc: '§3.2.1', send: get('/hello?a=1&b'), expect: [OK], closed: false },
  { name: 'slot-sized target is 414', rfc: '§3, RFC 9110 §15.5.15', send: `GET /${'a'.repeat(SLOT_SIZE)} HTTP/1.1\r\n${H}\r\n`, expect: [{ status: 414, headers: { connection: 'close' } }], closed: true },
  { name: 'one empty line before the request line is ignored', rfc: '§2.2', send: '\r\n' + get('/hello'), expect: [OK], closed: false },
  { name: 'nine empty lines before the request line are 400 (documented bound: 8)', rfc: '§2.2', send: '\r\n'.repeat(9) + get('/hello'), expect: [BAD], closed: true },
  { name: 'absolute-form still needs Host in HTTP/1.1', rfc: '§3.2', send: 'GET http://example.com/hello HTTP/1.1\r\n\r\n', expect: [BAD], closed: true },
  { name: 'absolute-form with an empty authority is 400', rfc: 'RFC 9110 §4.2.1', send: `GET http:///hello HTTP/1.1\r\n${H}\r\n`, expect: [BAD], closed: true },
  { name: 'CONNECT without a route is answered and the connection goes on as HTTP', rfc: 'RFC 9110 §9.3.6', send: `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n` + get('/hello'), expect: [{ status: [404, 405, 501] }, OK], closed: false },
  { name: 'bare LF line endings are 400', rfc: '§2.2', send: 'GET /hello HTTP/1.1\nHost: x\n\n', expect: [BAD], closed: true },

  // ---- Host (§3.2) ----------------------------------------------------------------------------
  { name: 'HTTP/1.1 without Host is 400', rfc: '§3.2', send: 'GET /hello HTTP/1.1\r\n\r\n', expect: [BAD], closed: true },
  { name: 'two Host fields are 400', rfc: '§3.2', send: `GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'two identical Host fields are 400', rfc: '§3.2', send: `GET /hello HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'HTTP/1.0 with two Host fields is 400', rfc: '§3.2', send: `GET /hello HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'Host with a space is 400', rfc: '§3.2, RFC 3986 §3.2.2', send: 'GET /hello HTTP/1.1\r\nHost: a b\r\n\r\n', expect: [BAD], closed: true },
  { name: 'Host with a slash is 400', rfc: '§3.2', send: 'GET /hello HTTP/1.1\r\nHost: a/b\r\n\r\n', expect: [BAD], closed: true },
  { name: 'Host with userinfo is 400', rfc: '§3.2', send: 'GET /hello HTTP/1.1\r\nHost: u@a\r\n\r\n', expect: [BAD], closed: true },
  { name: 'Host with a non-numeric port is 400', rfc: '§3.2', send: 'GET /hello HTTP/1.1\r\nHost: a:http\r\n\r\n', expect: [BAD], closed: true },
  { name: 'Host with a port is accepted', rfc: '§3.2', send: 'GET /info HTTP/1.1\r\nHost: a.test:8080\r\n\r\n', expect: [{ status: 200, body: 'GET /info a.test:8080' }], closed: false },
  { name: 'Host with an IPv6 literal is accepted', rfc: 'RFC 3986 §3.2.2', send: 'GET /info HTTP/1.1\r\nHost: [::1]:80\r\n\r\n', expect: [{ status: 200, body: 'GET /info [::1]:80' }], closed: false },
  { name: 'empty Host is accepted', rfc: '§3.2', send: 'GET /hello HTTP/1.1\r\nHost:\r\n\r\n', expect: [OK], closed: false },

  // ---- field syntax (§5, RFC 9110 §5) ------------------------------------------------------------
  { name: 'space before the colon (Host) is 400', rfc: '§5.1', send: 'GET /hello HTTP/1.1\r\nHost : x\r\n\r\n', expect: [BAD], closed: true },
  { name: 'space before the colon (other field) is 400', rfc: '§5.1', send: withField('X-A : b\r\n'), expect: [BAD], closed: true },
  { name: 'obs-fold is 400', rfc: '§5.2', send: withField('X-A: b\r\n c\r\n'), expect: [BAD], closed: true },
  { name: 'whitespace line before the first field is 400', rfc: '§2.2', send: `GET /hello HTTP/1.1\r\n ${H}\r\n`, expect: [BAD], closed: true },
  { name: 'bare LF ending a field line is 400', rfc: '§2.2', send: withField('X-A: b\n'), expect: [BAD], closed: true },
  { name: 'bare CR inside a value is 400', rfc: '§2.2', send: withField('X-A: b\rc\r\n'), expect: [BAD], closed: true },
  { name: 'NUL inside a value is 400', rfc: 'RFC 9110 §5.5', send: withField('X-A: b\x00c\r\n'), expect: [BAD], closed: true },
  { name: 'CTL (0x01) inside a value is 400', rfc: 'RFC 9110 §5.5', send: withField('X-A: b\x01c\r\n'), expect: [BAD], closed: true },
  { name: 'DEL inside a value is 400', rfc: 'RFC 9110 §5.5', send: withField('X-A: b\x7fc\r\n'), expect: [BAD], closed: true },
  { name: 'HTAB and obs-text in a value are accepted, OWS trimmed', rfc: 'RFC 9110 §5.5, §5.1', send: get('/hdr', 'X-A: \t b\tc\xe9 \t\r\n'), expect: [{ status: 200, body: '[b\tc\xc3\xa9]' }], closed: false },
  { name: 'empty field value is accepted', rfc: 'RFC 9110 §5.5', send: get('/hdr', 'X-A:\r\n'), expect: [{ status: 200, body: '[]' }], closed: false },
  { name: 'repeated fields are joined with ", "', rfc: 'RFC 9110 §5.3', send: get('/hdr', 'X-A: 1\r\nX-A: 2\r\n'), expect: [{ status: 200, body: '[1, 2]' }], closed: false },
  { name: 'field name made of every tchar is accepted', rfc: 'RFC 9110 §5.1', send: withField("X-!#$%&'*+.^_`|~09az: v\r\n"), expect: [OK], closed: false },
  { name: 'Connection listed on two field lines: close wins', rfc: 'RFC 9110 §7.6.1', send: get('/hello', 'Connection: keep-alive\r\nConnection: close\r\n'), expect: [{ ...OK, headers: { connection: 'close' } }], closed: true },
  { name: 'empty field name is 400', rfc: 'RFC 9110 §5.1', send: withField(': b\r\n'), expect: [BAD], closed: true },
  { name: 'non-token field name "X(A)" is 400', rfc: 'RFC 9110 §5.1', send: withField('X(A): b\r\n'), expect: [BAD], closed: true },
  { name: 'field name with a space is 400', rfc: 'RFC 9110 §5.1', send: withField('X A: b\r\n'), expect: [BAD], closed: true },
  { name: 'field line without a colon is 400', rfc: '§5', send: withField('XA b\r\n'), expect: [BAD], closed: true },
  { name: '100 field lines are accepted', rfc: 'RFC 6585 §5', send: withField(Array.from({ length: 99 }, (_, i) => `X-${i}: v\r\n`).join('')), expect: [OK], closed: false },
  { name: '101 field lines are 431', rfc: 'RFC 6585 §5', send: withField(Array.from({ length: 100 }, (_, i) => `X-${i}: v\r\n`).join('')), expect: [{ status: 431, headers: { connection: 'close' } }], closed: true },
  { name: 'head larger than the slot is 431', rfc: 'RFC 6585 §5', send: withField(Array.from({ length: 8 }, (_, i) => `X-${i}: ${'v'.repeat(600)}\r\n`).join('')), expect: [{ status: 431 }], closed: true },

  // ---- Content-Length (§6.2, §6.3, RFC 9110 §8.6) ---------------------------------------------
  { name: 'Content-Length body is read and echoed', rfc: '§6.2', send: post('hello'), expect: [{ status: 200, body: 'hello' }], closed: false },
  { name: 'Content-Length: 0', rfc: '§6.2', send: post(''), expect: [{ status: 200, body: '' }], closed: false },
  { name: 'POST without Content-Length or TE has no body', rfc: '§6.3 item 7', send: `POST /echo HTTP/1.1\r\n${H}\r\n` + get('/hello'), expect: [{ status: 200, body: '' }, OK], closed: false },
  { name: 'Content-Length with OWS and leading zeros', rfc: 'RFC 9110 §8.6', send: `POST /echo HTTP/1.1\r\n${H}Content-Length:  005 \r\n\r\nhello`, expect: [{ status: 200, body: 'hello' }], closed: false },
  { name: 'Content-Length: +5 is 400', rfc: 'RFC 9110 §8.6', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\nhello`, expect: [BAD], closed: true },
  { name: 'Content-Length: -1 is 400', rfc: 'RFC 9110 §8.6', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'Content-Length: 0x5 is 400', rfc: 'RFC 9110 §8.6', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: 0x5\r\n\r\nhello`, expect: [BAD], closed: true },
  { name: 'Content-Length: 1e3 is 400', rfc: 'RFC 9110 §8.6', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: 1e3\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'empty Content-Length is 400', rfc: 'RFC 9110 §8.6', send: `POST /echo HTTP/1.1\r\n${H}Content-Length:\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'Content-Length: "5, 5" is 400 (documented choice)', rfc: '§6.3 item 5', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello`, expect: [BAD], closed: true },
  { name: 'two Content-Length fields (same value) are 400', rfc: '§6.3 item 5', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, expect: [BAD], closed: true },
  { name: 'two Content-Length fields (different values) are 400', rfc: '§6.3 item 5', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`, expect: [BAD], closed: true },
  { name: 'Content-Length beyond a safe integer is 400/413', rfc: 'RFC 9110 §8.6', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: 99999999999999999999\r\n\r\n`, expect: [{ status: [400, 413] }], closed: true },
  { name: 'Content-Length with Transfer-Encoding is 400', rfc: '§6.1, §6.3 item 3', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'Transfer-Encoding before Content-Length is 400 too', rfc: '§6.1, §6.3 item 3', send: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'a GET body framed by Content-Length is skipped, the next request parses', rfc: '§6.3 item 6', send: get('/hello', 'Content-Length: 3\r\n') + 'abc' + get('/hello'), expect: [OK, OK], closed: false },

  // ---- Transfer-Encoding (§6.1, §7) ---------------------------------------------------------
  { name: 'chunked body is decoded and echoed', rfc: '§7.1', send: chunked('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'), expect: [{ status: 200, body: 'hello world' }], closed: false },
  { name: 'chunked is case-insensitive', rfc: '§7', send: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, expect: [{ status: 200, body: 'hello' }], closed: false },
  { name: 'upper-case hex chunk size and leading zeros', rfc: '§7.1', send: chunked('000A\r\n0123456789\r\n0\r\n\r\n'), expect: [{ status: 200, body: '0123456789' }], closed: false },
  { name: 'chunk extensions are ignored', rfc: '§7.1.1', send: chunked('5;a=b\r\nhello\r\n1 ; q="x y" ; z\r\n!\r\n0;last\r\n\r\n'), expect: [{ status: 200, body: 'hello!' }], closed: false },
  { name: 'trailer fields are accepted', rfc: '§7.1.2', send: chunked('5\r\nhello\r\n0\r\nX-T: 1\r\nX-U: 2\r\n\r\n') + get('/hello'), expect: [{ status: 200, body: 'hello' }, OK], closed: false },
  { name: 'non-hex chunk size is 400', rfc: '§7.1', send: chunked('z\r\nhello\r\n0\r\n\r\n'), expect: [BAD], closed: true },
  { name: 'chunk size overflow is refused', rfc: '§7.1', send: chunked('fffffffffffffffff\r\nhello\r\n0\r\n\r\n'), expect: [{ status: [400, 413] }], closed: true },
  { name: 'chunk data not followed by CRLF is 400', rfc: '§7.1', send: chunked('5\r\nhelloXX\r\n0\r\n\r\n'), expect: [BAD], closed: true },
  { name: 'bare LF after a chunk size is 400', rfc: '§7.1, §2.2', send: chunked('5\nhello\r\n0\r\n\r\n'), expect: [BAD], closed: true },
  { name: "a chunk extension with ';' and no name is 400", rfc: '§7.1.1', send: chunked('1;\r\na\r\n0\r\n\r\n'), expect: [BAD], closed: true },
  { name: 'a malformed chunk extension value is 400', rfc: '§7.1.1', send: chunked('1;a="x\r\na\r\n0\r\n\r\n'), expect: [BAD], closed: true },
  { name: 'chunk extensions beyond the bound are 400', rfc: '§7.1.1', send: chunked(`1;${'e'.repeat(17000)}\r\na\r\n0\r\n\r\n`), expect: [{ status: [400, 431] }], closed: true },
  { name: 'bare LF in the trailer section is 400', rfc: '§7.1.2, §2.2', send: chunked('5\r\nhello\r\n0\r\nX-T: 1\n\r\n'), expect: [BAD], closed: true },
  { name: 'obs-fold in the trailer section is 400', rfc: '§7.1.2, §5.2', send: chunked('5\r\nhello\r\n0\r\nX-T: 1\r\n 2\r\n\r\n'), expect: [BAD], closed: true },
  { name: 'trailer section larger than the slot is 431', rfc: '§7.1.2, RFC 6585 §5', send: chunked(`5\r\nhello\r\n0\r\n${Array.from({ length: 8 }, (_, i) => `X-${i}: ${'t'.repeat(600)}\r\n`).join('')}\r\n`), expect: [{ status: 431 }], closed: true },
  { name: 'Transfer-Encoding: gzip alone is refused', rfc: '§6.3 item 4', send: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n`, expect: [{ status: [400, 501] }], closed: true },
  { name: 'Transfer-Encoding: gzip, chunked is 501', rfc: '§6.1', send: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`, expect: [{ status: 501, headers: { connection: 'close' } }], closed: true },
  { name: 'gzip and chunked on two field lines is 501', rfc: '§6.1', send: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, expect: [{ status: 501 }], closed: true },
  { name: 'chunked not last is 400', rfc: '§6.3 item 4', send: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'chunked twice is 400', rfc: '§7', send: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n`, expect: [BAD], closed: true },
  { name: 'chunked in HTTP/1.0 is 400', rfc: '§6.1', send: `POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, expect: [BAD], closed: true },

  // ---- body limits (RFC 9110 §15.5.14) ---------------------------------------------------------
  { name: 'Content-Length above the limit is 413 before the body is sent', rfc: 'RFC 9110 §15.5.14', send: `POST /echo HTTP/1.1\r\n${H}Content-Length: ${MAX_BODY + 1}\r\n\r\n`, expect: [{ status: 413, headers: { connection: 'close' } }], closed: true },
  { name: 'Content-Length at the limit is served', rfc: 'RFC 9110 §15.5.14', send: post('b'.repeat(MAX_BODY)), expect: [{ status: 200, body: 'b'.repeat(MAX_BODY) }], closed: false },
  { name: 'chunked body growing past the limit is 413', rfc: 'RFC 9110 §15.5.14', send: chunked(`258\r\n${'c'.repeat(600)}\r\n258\r\n${'c'.repeat(600)}\r\n0\r\n\r\n`), expect: [{ status: 413 }], closed: true },

  // ---- Expect (RFC 9110 §10.1.1) ------------------------------------------------------------
  { name: 'Expect: 100-continue gets 100 before the final response', rfc: 'RFC 9110 §10.1.1', send: [`POST /echo HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 5\r\n\r\n`, 'hello'], expect: [{ status: 100 }, { status: 200, body: 'hello' }], closed: false },
  { name: 'Expect: 100-continue with a chunked body', rfc: 'RFC 9110 §10.1.1', send: [chunked('', 'Expect: 100-continue\r\n'), '5\r\nhello\r\n0\r\n\r\n'], expect: [{ status: 100 }, { status: 200, body: 'hello' }], closed: false },
  { name: 'Expect: 100-continue with a body above the limit: 413, no 100', rfc: 'RFC 9110 §10.1.1', send: `POST /echo HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: ${MAX_BODY + 1}\r\n\r\n`, expect: [{ status: 413 }], closed: true },
  { name: 'unsupported expectation is 417', rfc: 'RFC 9110 §10.1.1', send: `POST /echo HTTP/1.1\r\n${H}Expect: teapot\r\nContent-Length: 5\r\n\r\nhello`, expect: [{ status: 417 }], closed: true },
  { name: 'Expect in HTTP/1.0 is ignored (no 100)', rfc: 'RFC 9110 §10.1.1', send: `POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello`, expect: [{ status: 200, body: 'hello' }], closed: true },

  // ---- persistence (§9.3, §9.6) ---------------------------------------------------------------
  { name: 'HTTP/1.1 persists by default: second request on the socket', rfc: '§9.3', send: [get('/hello'), get('/hello')], expect: [OK, OK], closed: false },
  { name: 'Connection: close closes after the response', rfc: '§9.6', send: get('/hello', 'Connection: close\r\n'), expect: [{ ...OK, headers: { connection: 'close', 'keep-alive': null } }], closed: true },
  { name: 'Connection options are case-insensitive', rfc: 'RFC 9110 §7.6.1', send: get('/hello', 'Connection: Keep-Alive, CLOSE\r\n'), expect: [{ ...OK, headers: { connection: 'close' } }], closed: true },
  { name: 'HTTP/1.0 without keep-alive closes', rfc: '§9.3', send: 'GET /hello HTTP/1.0\r\nHost: x\r\n\r\n', expect: [{ ...OK, headers: { connection: 'close' } }], closed: true },
  { name: 'HTTP/1.0 keep-alive persists and says so', rfc: '§9.3, Appendix C.2.2', send: ['GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 'GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], expect: [{ ...OK, headers: { connection: /^keep-alive$/i, 'keep-alive': /timeout=\d+/ } }, { ...OK, headers: { connection: /^keep-alive$/i } }], closed: false },
  { name: 'persistent responses carry Keep-Alive: timeout=N', rfc: 'RFC 2068 §19.7.1.1 (informative)', send: get('/hello'), expect: [{ ...OK, headers: { 'keep-alive': /^timeout=\d+$/ } }], closed: false },
  { name: 'an Upgrade that is not accepted is ignored: the connection goes on as HTTP', rfc: 'RFC 9110 §7.8', send: get('/hello', 'Connection: Upgrade\r\nUpgrade: websocket\r\n') + get('/hello'), expect: [{ ...OK, headers: { upgrade: null } }, OK], closed: false },
  { name: 'POST with Connection: close: echoed, then closed', rfc: '§9.6', send: post('bye', 'Connection: close\r\n'), expect: [{ status: 200, body: 'bye', headers: { connection: 'close' } }], closed: true },
  { name: 'HTTP/1.0 keep-alive 404 keeps the connection', rfc: '§9.3', send: ['GET /nope HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 'GET /hello HTTP/1.0\r\n\r\n'], expect: [{ status: 404, headers: { connection: /^keep-alive$/i } }, { ...OK, headers: { connection: 'close' } }], closed: true },
  { name: 'a 404 keeps the connection', rfc: '§9.3', send: [get('/nope'), get('/hello')], expect: [{ status: 404 }, OK], closed: false },
  { name: 'an error response with a body keeps the connection (405)', rfc: '§9.3', send: [`DELETE /hello HTTP/1.1\r\n${H}\r\n`, get('/hello')], expect: [{ status: 405 }, OK], closed: false },

  // ---- pipelining (§9.3.2) -------------------------------------------------------------------
  { name: 'three pipelined requests are answered in order', rfc: '§9.3.2', send: get('/hello') + post('abc') + get('/nope'), expect: [OK, { status: 200, body: 'abc' }, { status: 404 }], closed: false },
  { name: 'pipelined behind an async handler: order kept', rfc: '§9.3.2', send: get('/slow') + get('/hello') + get('/slow'), expect: [{ status: 200, body: 'slow' }, OK, { status: 200, body: 'slow' }], closed: false },
  { name: 'two good then a malformed request: 200, 200, 400, close', rfc: '§9.3.2, §9.6', send: get('/hello') + get('/hello') + `GET /hello HTTP/1.1\r\nHost : x\r\n\r\n`, expect: [OK, OK, BAD], closed: true },
  { name: 'a pipeline larger than the slot, behind an async handler, is answered in full', rfc: '§9.3.2', send: get('/slow') + get('/hello').repeat(200), expect: [{ status: 200, body: 'slow' }, ...Array.from({ length: 200 }, () => OK)], closed: false },
  { name: 'bodies larger than the slot in all, pipelined behind an async handler', rfc: '§9.3.2', send: get('/slow') + post('p'.repeat(1000)).repeat(6) + get('/hello'), expect: [{ status: 200, body: 'slow' }, ...Array.from({ length: 6 }, () => ({ status: 200, body: 'p'.repeat(1000) })), OK], closed: false },
  { name: 'a malformed request behind an async handler: its 400 comes after the answer', rfc: '§9.3.2, §9.6', send: get('/slow') + 'GET /hello HTTP/1.1\r\n\r\n', expect: [{ status: 200, body: 'slow' }, BAD], closed: true },
  { name: 'Connection: close on an async request: nothing after it is answered', rfc: '§9.6', send: get('/slow', 'Connection: close\r\n') + get('/hello'), expect: [{ status: 200, body: 'slow', headers: { connection: 'close' } }], closed: true },
  { name: 'nothing after Connection: close is answered', rfc: '§9.6', send: get('/hello', 'Connection: close\r\n') + get('/hello'), expect: [OK], closed: true },

  // ---- HEAD, 204, 304 (RFC 9110 §9.3.2, §6.4.1) -------------------------------------------------
  { name: 'HEAD: Content-Length of the GET body, no body, next response parses', rfc: 'RFC 9110 §9.3.2', send: `HEAD /hello HTTP/1.1\r\n${H}\r\n` + get('/hello'), methods: ['HEAD', 'GET'], expect: [{ status: 200, body: '', headers: { 'content-length': '5' } }, OK], closed: false },
  { name: 'HEAD of a stream sends no body', rfc: 'RFC 9110 §9.3.2', send: `HEAD /stream HTTP/1.1\r\n${H}\r\n` + get('/hello'), methods: ['HEAD', 'GET'], expect: [{ status: 200, body: '' }, OK], closed: false },
  { name: 'HEAD of a 404 page: no body, next response parses', rfc: 'RFC 9110 §9.3.2', send: `HEAD /nope HTTP/1.1\r\n${H}\r\n` + get('/hello'), methods: ['HEAD', 'GET'], expect: [{ status: 404, body: '', headers: { 'content-length': /^[1-9]\d*$/ } }, OK], closed: false },
  { name: '204 to HTTP/1.0 has no body and closes', rfc: 'RFC 9110 §6.4.1', send: 'GET /204 HTTP/1.0\r\n\r\n', expect: [{ status: 204, body: '' }], closed: true },
  { name: '204 has no body and no Content-Length', rfc: 'RFC 9110 §6.4.1, §8.6', send: get('/204') + get('/hello'), expect: [{ status: 204, headers: { 'content-length': null, 'transfer-encoding': null } }, OK], closed: false },
  { name: '304 has no body', rfc: 'RFC 9110 §6.4.1, §15.4.5', send: get('/304') + get('/hello'), expect: [{ status: 304, headers: { 'transfer-encoding': null } }, OK], closed: false },

  // ---- status codes for routing (RFC 9110 §15.5) ------------------------------------------------
  { name: '405 carries Allow', rfc: 'RFC 9110 §15.5.6', send: `POST /hello HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`, expect: [{ status: 405, headers: { allow: /^(?=.*\bGET\b)(?=.*\bHEAD\b)/ } }], closed: false },
  { name: '405 Allow lists the registered method', rfc: 'RFC 9110 §15.5.6', send: get('/echo'), expect: [{ status: 405, headers: { allow: /\bPOST\b/ } }], closed: false },
  { name: 'unknown path is 404', rfc: 'RFC 9110 §15.5.5', send: get('/nope'), expect: [{ status: 404 }], closed: false },

  // ---- streamed bodies (§6.3 item 8, §7) --------------------------------------------------------
  { name: 'HTTP/1.1 stream of unknown length is chunked', rfc: '§7.1', send: get('/stream') + get('/hello'), expect: [{ status: 200, body: 'ab', framing: 'chunked' }, OK], closed: false },
  { name: 'HTTP/1.1 stream with Connection: close is delimited and closed', rfc: '§6.3, §9.6', send: get('/stream', 'Connection: close\r\n'), expect: [{ status: 200, body: 'ab', headers: { connection: 'close' } }], closed: true },
  { name: 'HTTP/1.0 stream is close-delimited, never chunked', rfc: '§6.3 item 8, §7', send: 'GET /stream HTTP/1.0\r\n\r\n', expect: [{ status: 200, body: 'ab', framing: 'close', headers: { 'transfer-encoding': null } }], closed: true },
  { name: 'HTTP/1.0 keep-alive stream is close-delimited too', rfc: '§6.3 item 8', send: 'GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', expect: [{ status: 200, body: 'ab', framing: 'close', headers: { 'transfer-encoding': null, 'keep-alive': null } }], closed: true },
];
