/**
 * Conformance of the request head (RFC 9112 §2–§5, §9.3; RFC 9110 §7.6.1, §7.8, §10.1.1) and the
 * parser's contract with its caller (consumption, pause, errors, limits).
 */
import { HttpErrors, type HttpErrorCode } from './errors';
import { headerValue } from './head';
import { HttpRequestParser, ParserState, type ParserHandler } from './parser';
import { R, bytes, feedWhole, recordingParser, runCases, type Case } from './__tests__/harness';

const statusOf = (code: HttpErrorCode): number => HttpErrors[code].status;
const H = 'Host: h';

const requestLine: Case[] = [
  { name: 'simple GET', raw: R(['GET / HTTP/1.1', H]), head: { method: 'GET', target: '/', path: '/', queryString: '', versionMinor: 1, host: 'h', headers: ['host', 'h'], contentLength: -1, chunked: false } },
  { name: 'query string', raw: R(['GET /a/b?x=1&y=2 HTTP/1.1', H]), head: { target: '/a/b?x=1&y=2', path: '/a/b', queryString: 'x=1&y=2' } },
  { name: 'query split at the first ?', raw: R(['GET /a?b?c HTTP/1.1', H]), head: { path: '/a', queryString: 'b?c' } },
  { name: 'empty query', raw: R(['GET /a? HTTP/1.1', H]), head: { path: '/a', queryString: '' } },
  { name: 'HTTP/1.0 without Host', raw: R(['GET /x HTTP/1.0']), head: { versionMinor: 0, host: '', keepAlive: false } },
  { name: 'method is case-sensitive and kept', raw: R(['get / HTTP/1.1', H]), head: { method: 'get' } },
  { name: 'asterisk-form with an extension method', raw: R(['M-SEARCH * HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'token method with origin-form', raw: R(['PROPFIND /d HTTP/1.1', H]), head: { method: 'PROPFIND' } },
  { name: 'unencoded quotes and braces in the query are tolerated', raw: R(['GET /s?q={"a":1}|x HTTP/1.1', H]), head: { queryString: 'q={"a":1}|x' } },
  { name: 'two SPs after method', raw: R(['GET  / HTTP/1.1', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'two SPs before version', raw: R(['GET /  HTTP/1.1', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'SP after version', raw: R(['GET / HTTP/1.1 ', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'HTAB as separator', raw: R(['GET\t/ HTTP/1.1', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'no version (HTTP/0.9 simple request)', raw: R(['GET /', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'three words in target position', raw: R(['GET / x HTTP/1.1', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'method with a non-token char', raw: R(['GE(T / HTTP/1.1', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'empty method', raw: R([' / HTTP/1.1', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'CTL in target', raw: R(['GET /a\x01b HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'DEL in target', raw: R(['GET /a\x7fb HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'fragment in target', raw: R(['GET /a#f HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'non-ASCII byte in target', raw: R(['GET /caf\xe9 HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'asterisk-form with OPTIONS', raw: R(['OPTIONS * HTTP/1.1', H]), head: { method: 'OPTIONS', target: '*', path: '*' } },
  { name: 'asterisk-form with GET', raw: R(['GET * HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'absolute-form: authority replaces Host', raw: R(['GET http://example.com/p?q=1 HTTP/1.1', 'Host: other']), head: { host: 'example.com', path: '/p', queryString: 'q=1', target: 'http://example.com/p?q=1' } },
  { name: 'absolute-form without path', raw: R(['GET http://example.com HTTP/1.1', H]), head: { host: 'example.com', path: '/' } },
  { name: 'absolute-form, query without path', raw: R(['GET http://e.com?a=b HTTP/1.1', H]), head: { host: 'e.com', path: '/', queryString: 'a=b' } },
  { name: 'absolute-form https, scheme case-insensitive', raw: R(['GET HTTPS://Example.com:8443/x HTTP/1.1', H]), head: { host: 'Example.com:8443', path: '/x' } },
  { name: 'absolute-form with userinfo', raw: R(['GET http://u@h/ HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'absolute-form with another scheme', raw: R(['GET ftp://h/ HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'absolute-form with an empty host', raw: R(['GET http:///p HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'relative target', raw: R(['GET a/b HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'authority-form with CONNECT', raw: R(['CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443']), head: { method: 'CONNECT', path: 'example.com:443', host: 'example.com:443' } },
  { name: 'CONNECT without port', raw: R(['CONNECT example.com HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'CONNECT with origin-form', raw: R(['CONNECT /x HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
  { name: 'authority-form with GET', raw: R(['GET example.com:80 HTTP/1.1', H]), error: 'ERR_MWS_BAD_TARGET' },
];

const versions: Case[] = [
  { name: 'HTTP/2.0', raw: R(['GET / HTTP/2.0', H]), error: 'ERR_MWS_VERSION' },
  { name: 'HTTP/0.9', raw: R(['GET / HTTP/0.9', H]), error: 'ERR_MWS_VERSION' },
  { name: 'HTTP/1.2', raw: R(['GET / HTTP/1.2', H]), error: 'ERR_MWS_VERSION' },
  { name: 'HTTP/3.0', raw: R(['GET / HTTP/3.0', H]), error: 'ERR_MWS_VERSION' },
  { name: 'HTTP/1', raw: R(['GET / HTTP/1', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'HTTP/1.1x', raw: R(['GET / HTTP/1.1x', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'HTTP/1.10', raw: R(['GET / HTTP/1.10', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'lower-case http/1.1', raw: R(['GET / http/1.1', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'HTTP/1.a', raw: R(['GET / HTTP/1.a', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'HTTP/11', raw: R(['GET / HTTP/11', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
];

const lines: Case[] = [
  { name: 'leading empty lines are ignored', raw: '\r\n\r\n' + R(['GET / HTTP/1.1', H]), head: { path: '/' } },
  { name: 'more than 8 leading empty lines', raw: '\r\n'.repeat(9) + R(['GET / HTTP/1.1', H]), error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'leading bare LF', raw: '\n' + R(['GET / HTTP/1.1', H]), error: 'ERR_MWS_BARE_LF' },
  { name: 'request line ends in bare LF', raw: 'GET / HTTP/1.1\nHost: h\r\n\r\n', error: 'ERR_MWS_BARE_LF' },
  { name: 'field line ends in bare LF', raw: 'GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n', error: 'ERR_MWS_BARE_LF' },
  { name: 'head of bare LFs only (no CRLFCRLF ever)', raw: 'GET / HTTP/1.1\nHost: h\n\n', error: 'ERR_MWS_BARE_LF' },
  { name: 'bare LF wins over an earlier violation', raw: 'GET / HTTP/9.9\r\nHost: h\nX: y\r\n\r\n', error: 'ERR_MWS_BARE_LF' },
  { name: 'bare CR inside a value', raw: R(['GET / HTTP/1.1', 'Host: h', 'X: a\rb']), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'CR CR LF after the version', raw: 'GET / HTTP/1.1\r\r\nHost: h\r\n\r\n', error: 'ERR_MWS_BAD_REQUEST_LINE' },
  { name: 'stray CR before the request line', raw: '\rGET / HTTP/1.1\r\nHost: h\r\n\r\n', error: 'ERR_MWS_BAD_REQUEST_LINE' },
];

const fields: Case[] = [
  { name: 'obs-fold', raw: R(['GET / HTTP/1.1', H, 'X: a', ' b']), error: 'ERR_MWS_OBS_FOLD' },
  { name: 'whitespace line after the request line', raw: R(['GET / HTTP/1.1', ' X: a', H]), error: 'ERR_MWS_OBS_FOLD' },
  { name: 'SP before colon', raw: R(['GET / HTTP/1.1', H, 'X : a']), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'HTAB before colon', raw: R(['GET / HTTP/1.1', H, 'X\t: a']), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'line without colon', raw: R(['GET / HTTP/1.1', H, 'Xa']), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'empty field name', raw: R(['GET / HTTP/1.1', H, ': a']), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'non-token char in name', raw: R(['GET / HTTP/1.1', H, 'X@Y: a']), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'NUL in value', raw: R(['GET / HTTP/1.1', H, 'X: a\x00b']), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'DEL in value', raw: R(['GET / HTTP/1.1', H, 'X: a\x7fb']), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'ESC in value', raw: R(['GET / HTTP/1.1', H, 'X: a\x1bb']), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'OWS trimmed, inner HTAB kept', raw: R(['GET / HTTP/1.1', H, 'X: \t a \t b \t ']), head: { headers: ['host', 'h', 'x', 'a \t b'] } },
  { name: 'empty value', raw: R(['GET / HTTP/1.1', H, 'X:', 'Y:   ']), head: { headers: ['host', 'h', 'x', '', 'y', ''] } },
  { name: 'obs-text in value', raw: R(['GET / HTTP/1.1', H, 'X: caf\xe9']), head: { headers: ['host', 'h', 'x', 'caf\xe9'] } },
  { name: 'names lower-cased, order and repeats kept', raw: R(['GET / HTTP/1.1', 'X-A: 1', 'HOST: h', 'x-a: 2', "T!#$%&'*+-.^_`|~9: t"]), head: { host: 'h', headers: ['x-a', '1', 'host', 'h', 'x-a', '2', "t!#$%&'*+-.^_`|~9", 't'] } },
  { name: 'more fields than maxHeaders', raw: R(['GET / HTTP/1.1', H, 'A: 1', 'B: 2', 'C: 3']), limits: { maxHeaders: 3 }, error: 'ERR_MWS_TOO_MANY_HEADERS' },
  { name: 'exactly maxHeaders fields', raw: R(['GET / HTTP/1.1', H, 'A: 1', 'B: 2']), limits: { maxHeaders: 3 }, head: { headers: ['host', 'h', 'a', '1', 'b', '2'] } },
];

const host: Case[] = [
  { name: 'HTTP/1.1 without Host', raw: R(['GET / HTTP/1.1', 'X: y']), error: 'ERR_MWS_HOST_MISSING' },
  { name: 'two Host fields', raw: R(['GET / HTTP/1.1', H, H]), error: 'ERR_MWS_HOST_DUPLICATE' },
  { name: 'two Host fields in HTTP/1.0', raw: R(['GET / HTTP/1.0', H, 'Host: i']), error: 'ERR_MWS_HOST_DUPLICATE' },
  { name: 'Host with SP', raw: R(['GET / HTTP/1.1', 'Host: a b']), error: 'ERR_MWS_HOST_INVALID' },
  { name: 'Host with a path', raw: R(['GET / HTTP/1.1', 'Host: a/b']), error: 'ERR_MWS_HOST_INVALID' },
  { name: 'Host with userinfo', raw: R(['GET / HTTP/1.1', 'Host: u@h']), error: 'ERR_MWS_HOST_INVALID' },
  { name: 'Host as IPv6 literal with port', raw: R(['GET / HTTP/1.1', 'Host: [::1]:8080']), head: { host: '[::1]:8080' } },
  { name: 'Host with unclosed IP literal', raw: R(['GET / HTTP/1.1', 'Host: [::1']), error: 'ERR_MWS_HOST_INVALID' },
  { name: 'Host with a non-digit port', raw: R(['GET / HTTP/1.1', 'Host: h:8o']), error: 'ERR_MWS_HOST_INVALID' },
  { name: 'Host with two ports', raw: R(['GET / HTTP/1.1', 'Host: h:80:81']), error: 'ERR_MWS_HOST_INVALID' },
  { name: 'empty Host is valid (RFC 9112 §3.2)', raw: R(['GET / HTTP/1.1', 'Host:']), head: { host: '' } },
  { name: 'Host with pct-encoding', raw: R(['GET / HTTP/1.1', 'Host: a%41b.example']), head: { host: 'a%41b.example' } },
  { name: 'Host with truncated pct-encoding', raw: R(['GET / HTTP/1.1', 'Host: a%4']), error: 'ERR_MWS_HOST_INVALID' },
  { name: 'Host as IPv4 with port', raw: R(['GET / HTTP/1.1', 'Host: 127.0.0.1:80']), head: { host: '127.0.0.1:80' } },
];

const connection: Case[] = [
  { name: '1.1 is persistent by default', raw: R(['GET / HTTP/1.1', H]), head: { keepAlive: true } },
  { name: '1.1 with Connection: close', raw: R(['GET / HTTP/1.1', H, 'Connection: close']), head: { keepAlive: false } },
  { name: 'close wins in a token list, any case', raw: R(['GET / HTTP/1.1', H, 'Connection: keep-alive, CLOSE']), head: { keepAlive: false } },
  { name: '1.0 is not persistent by default', raw: R(['GET / HTTP/1.0']), head: { keepAlive: false } },
  { name: '1.0 with keep-alive', raw: R(['GET / HTTP/1.0', 'Connection: Keep-Alive']), head: { keepAlive: true } },
  { name: 'Connection tokens across field lines', raw: R(['GET / HTTP/1.1', H, 'Connection: foo,', 'Connection: ,close']), head: { keepAlive: false } },
  { name: 'upgrade request', raw: R(['GET /ws HTTP/1.1', H, 'Connection: keep-alive, Upgrade', 'Upgrade: websocket']), head: { upgrade: true } },
  { name: 'Upgrade without the connection option', raw: R(['GET / HTTP/1.1', H, 'Upgrade: websocket']), head: { upgrade: false } },
  { name: 'upgrade option without Upgrade', raw: R(['GET / HTTP/1.1', H, 'Connection: upgrade']), head: { upgrade: false } },
  { name: 'upgrade ignored in HTTP/1.0', raw: R(['GET / HTTP/1.0', 'Connection: upgrade', 'Upgrade: websocket']), head: { upgrade: false } },
  { name: 'Expect: 100-continue', raw: R(['POST / HTTP/1.1', H, 'Expect: 100-continue', 'Content-Length: 1'], 'x'), head: { expectContinue: true }, body: 'x' },
  { name: 'Expect is case-insensitive', raw: R(['GET / HTTP/1.1', H, 'Expect: 100-Continue']), head: { expectContinue: true } },
  { name: 'other expectation', raw: R(['GET / HTTP/1.1', H, 'Expect: 200-ok']), error: 'ERR_MWS_EXPECTATION_FAILED' },
  { name: 'Expect ignored in HTTP/1.0', raw: R(['GET / HTTP/1.0', 'Expect: 100-continue']), head: { expectContinue: false } },
];

const limitsAndPipelining: Case[] = [
  { name: 'head of exactly maxHeadBytes', raw: R(['GET / HTTP/1.1', H, 'X: ' + 'a'.repeat(64 - 32)]), limits: { maxHeadBytes: 64 }, head: { path: '/' } },
  { name: 'head one byte over maxHeadBytes', raw: R(['GET / HTTP/1.1', H, 'X: ' + 'a'.repeat(64 - 31)]), limits: { maxHeadBytes: 64 }, error: 'ERR_MWS_HEADERS_TOO_LARGE' },
  { name: 'request line longer than maxHeadBytes', raw: R(['GET /' + 'a'.repeat(100) + ' HTTP/1.1', H]), limits: { maxHeadBytes: 64 }, error: 'ERR_MWS_URI_TOO_LONG' },
  { name: 'head larger than the first 1 KiB slice', raw: R(['GET / HTTP/1.1', H, 'X: ' + 'a'.repeat(2000)]), limits: { maxHeadBytes: 4096 }, head: { headers: ['host', 'h', 'x', 'a'.repeat(2000)] } },
  { name: 'CRLFCRLF across the 1 KiB slice boundary', raw: R(['GET / HTTP/1.1', H, 'X: ' + 'a'.repeat(994)]) + R(['GET /2 HTTP/1.1', H]), limits: { maxHeadBytes: 4096 }, messages: 2, head: { headers: ['host', 'h', 'x', 'a'.repeat(994)] } },
  { name: 'incomplete head', raw: 'GET / HTTP/1.1\r\nHost: h\r\n', incomplete: true },
  { name: 'incomplete request line', raw: 'GET /inde', incomplete: true },
  { name: 'three pipelined GETs', raw: R(['GET /1 HTTP/1.1', H]) + R(['GET /2 HTTP/1.1', H]) + R(['GET /3 HTTP/1.1', H]), messages: 3, head: { path: '/1' } },
  { name: 'error in the second pipelined request', raw: R(['GET /1 HTTP/1.1', H]) + R(['GET /2 HTTP/1.1']), messages: 1, error: 'ERR_MWS_HOST_MISSING' },
  { name: 'complete request then a partial one', raw: R(['GET /1 HTTP/1.1', H]) + 'GET /2 HT', incomplete: true, messages: 1, head: { path: '/1' } },
];

describe('request line', () => runCases(requestLine, statusOf));
describe('HTTP-version', () => runCases(versions, statusOf));
describe('line endings', () => runCases(lines, statusOf));
describe('field lines', () => runCases(fields, statusOf));
describe('Host', () => runCases(host, statusOf));
describe('Connection, Upgrade, Expect', () => runCases(connection, statusOf));
describe('limits and pipelining', () => runCases(limitsAndPipelining, statusOf));

describe('contract with the caller', () => {
  const limits = { maxHeadBytes: 256, maxBodyBytes: 256 };
  const two = bytes(R(['POST /a HTTP/1.1', H, 'Content-Length: 2'], 'xy') + R(['GET /b HTTP/1.1', H]));
  const firstLen = two.indexOf('GET /b');

  test('consumes nothing of an incomplete head, then all of it', () => {
    const { parser, outcome } = recordingParser(limits);
    const head = bytes(R(['GET / HTTP/1.1', H]));
    for (let n = 1; n < head.length; n++) expect(parser.execute(head, 0, n)).toBe(0);
    expect(outcome.messages).toHaveLength(0);
    expect(parser.execute(head, 0, head.length)).toBe(head.length);
    expect(outcome.messages[0]?.complete).toBe(true);
  });

  test('never reads past end (stale CRLFCRLF after end)', () => {
    const { parser, outcome } = recordingParser(limits);
    const buf = bytes('GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n');
    expect(parser.execute(buf, 0, 20)).toBe(0);
    expect(outcome.messages).toHaveLength(0);
    expect(outcome.error).toBeNull();
  });

  test('pause in onMessageComplete stops before the next pipelined request', () => {
    let parser!: HttpRequestParser;
    const paths: string[] = [];
    const handler: ParserHandler = {
      onHead: (h) => paths.push(h.path), onBody: () => {}, onError: (e) => { throw e; },
      onMessageComplete: () => parser.pause(),
    };
    parser = new HttpRequestParser(handler, limits);
    expect(parser.execute(two, 0, two.length)).toBe(firstLen);
    expect(parser.execute(two, firstLen, two.length)).toBe(0);
    expect(paths).toEqual(['/a']);
    parser.resume();
    expect(parser.execute(two, firstLen, two.length)).toBe(two.length - firstLen);
    expect(paths).toEqual(['/a', '/b']);
  });

  test('pause in onHead of a bodyless request defers onMessageComplete to the next execute', () => {
    let parser!: HttpRequestParser;
    let completes = 0;
    parser = new HttpRequestParser({ onHead: () => parser.pause(), onBody: () => {}, onError: (e) => { throw e; }, onMessageComplete: () => completes++ }, limits);
    const get = bytes(R(['GET / HTTP/1.1', H]));
    expect(parser.execute(get, 0, get.length)).toBe(get.length);
    expect(parser.state).toBe(ParserState.COMPLETE);
    expect(completes).toBe(0);
    parser.resume();
    expect(parser.execute(get, get.length, get.length)).toBe(0);
    expect(completes).toBe(1);
    expect(parser.state).toBe(ParserState.HEAD);
  });

  test('pause in onBody keeps the rest of the body', () => {
    let parser!: HttpRequestParser;
    const chunks: string[] = [];
    parser = new HttpRequestParser({
      onHead: () => {}, onError: (e) => { throw e; }, onMessageComplete: () => chunks.push('|'),
      onBody: (b, s, e) => { chunks.push(b.toString('latin1', s, e)); parser.pause(); },
    }, limits);
    const post = bytes(R(['POST / HTTP/1.1', H, 'Transfer-Encoding: chunked'], '1\r\na\r\n1\r\nb\r\n0\r\n\r\n'));
    let pos = 0;
    for (let i = 0; i < 5 && pos < post.length; i++) {
      pos += parser.execute(post, pos, post.length);
      parser.resume();
    }
    expect(chunks).toEqual(['a', 'b', '|']);
    expect(pos).toBe(post.length);
  });

  test('an upgrade request pauses the parser after it; the rest is left', () => {
    const { parser, outcome } = recordingParser(limits);
    const up = bytes(R(['GET /ws HTTP/1.1', H, 'Connection: upgrade', 'Upgrade: websocket']) + '\x81\x80frame');
    const n = parser.execute(up, 0, up.length);
    expect(n).toBe(up.length - 7);
    expect(parser.paused).toBe(true);
    expect(outcome.messages[0]?.complete).toBe(true);
  });

  test('after onError nothing more is consumed until reset()', () => {
    const { parser, outcome } = recordingParser(limits);
    const bad = bytes('BAD\r\n\r\n' + R(['GET / HTTP/1.1', H]));
    parser.execute(bad, 0, bad.length);
    expect(outcome.error?.code).toBe('ERR_MWS_BAD_REQUEST_LINE');
    expect(parser.state).toBe(ParserState.DEAD);
    expect(parser.execute(bad, 7, bad.length)).toBe(0);
    expect(outcome.messages).toHaveLength(0);
    parser.reset();
    outcome.error = null;
    expect(parser.execute(bad, 7, bad.length)).toBe(bad.length - 7);
    expect(outcome.messages).toHaveLength(1);
  });

  test('headerValue finds the first value of a lower-case name', () => {
    const o = feedWhole(bytes(R(['GET / HTTP/1.1', H, 'X-A: 1', 'x-a: 2'])), limits);
    const headers = o.messages[0]!.head.headers;
    expect(headerValue(headers, 'x-a')).toBe('1');
    expect(headerValue(headers, 'host')).toBe('h');
    expect(headerValue(headers, 'x-b')).toBeUndefined();
  });

  test('a pipelined head that outgrows the slot after a complete request: 431', () => {
    const big = bytes(R(['GET /1 HTTP/1.1', H]) + 'GET /2 HTTP/1.1\r\nX: ' + 'a'.repeat(300));
    const o = feedWhole(big, limits);
    expect(o.messages).toHaveLength(1);
    expect(o.error?.code).toBe('ERR_MWS_HEADERS_TOO_LARGE');
  });

  test('413 from Content-Length before any body byte', () => {
    const o = feedWhole(bytes(R(['POST / HTTP/1.1', H, 'Content-Length: 257'])), { maxHeadBytes: 256, maxBodyBytes: 256 });
    expect(o.error?.status).toBe(413);
    expect(o.messages).toHaveLength(0);
  });

  test('currentHead is the message in progress', () => {
    const { parser } = recordingParser(limits);
    expect(parser.execute(two, 0, firstLen - 1)).toBe(firstLen - 1);
    expect(parser.currentHead?.path).toBe('/a');
    parser.execute(two, firstLen - 1, firstLen);
    expect(parser.currentHead).toBeNull();
  });

  test.each([
    ['maxHeadBytes', { maxHeadBytes: 8, maxBodyBytes: 1 }],
    ['maxBodyBytes', { maxHeadBytes: 64, maxBodyBytes: -1 }],
    ['maxHeaders', { maxHeadBytes: 64, maxBodyBytes: 1, maxHeaders: 1.5 }],
    ['maxTrailerBytes', { maxHeadBytes: 64, maxBodyBytes: 1, maxTrailerBytes: 65 }],
  ])('a bad %s throws a RangeError naming it', (name, l) => {
    const noop: ParserHandler = { onHead() {}, onBody() {}, onMessageComplete() {}, onError() {} };
    expect(() => new HttpRequestParser(noop, l)).toThrow(new RegExp(`ParserLimits\\.${name}`));
  });
});
