/**
 * Conformance of message framing (RFC 9112 §6 and §7): Content-Length, Transfer-Encoding, chunked
 * decoding with extensions and trailers, and the body limit.
 */
import { HttpErrors, type HttpErrorCode } from './errors';
import { R, runCases, type Case } from './__tests__/harness';

const statusOf = (code: HttpErrorCode): number => HttpErrors[code].status;
const H = 'Host: h';
const post = (fields: string[], body: string): string => R(['POST /p HTTP/1.1', H, ...fields], body);
const chunked = (body: string, extra: string[] = []): string => post(['Transfer-Encoding: chunked', ...extra], body);

const contentLength: Case[] = [
  { name: 'body of Content-Length bytes', raw: post(['Content-Length: 5'], 'hello'), head: { contentLength: 5 }, body: 'hello' },
  { name: 'Content-Length: 0', raw: post(['Content-Length: 0'], ''), head: { contentLength: 0 }, body: '' },
  { name: 'leading zeros', raw: post(['Content-Length: 007'], 'abcdefg'), head: { contentLength: 7 }, body: 'abcdefg' },
  { name: 'OWS around the value', raw: post(['Content-Length: \t 3 \t'], 'abc'), head: { contentLength: 3 }, body: 'abc' },
  { name: 'GET with a body', raw: R(['GET / HTTP/1.1', H, 'Content-Length: 2'], 'ab'), head: { method: 'GET' }, body: 'ab' },
  { name: 'no CL and no TE: empty body, the next bytes are a new request', raw: R(['POST / HTTP/1.1', H]) + R(['GET /2 HTTP/1.1', H]), messages: 2, body: '' },
  { name: 'body bytes that look like a request stay body', raw: post(['Content-Length: 27'], R(['GET /x HTTP/1.1', H]).slice(0, 27)), body: R(['GET /x HTTP/1.1', H]).slice(0, 27) },
  { name: 'empty value', raw: post(['Content-Length:'], ''), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'plus sign', raw: post(['Content-Length: +5'], 'hello'), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'negative', raw: post(['Content-Length: -1'], ''), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'exponent', raw: post(['Content-Length: 1e3'], ''), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'hex', raw: post(['Content-Length: 0x5'], ''), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'numeric separator', raw: post(['Content-Length: 1_0'], ''), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'space inside', raw: post(['Content-Length: 5 5'], ''), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'decimal point', raw: post(['Content-Length: 5.0'], ''), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'repeated identical field (strict)', raw: post(['Content-Length: 5', 'Content-Length: 5'], 'hello'), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'comma-listed identical values (strict)', raw: post(['Content-Length: 5, 5'], 'hello'), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'differing values', raw: post(['Content-Length: 5', 'Content-Length: 6'], 'hello'), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'past MAX_SAFE_INTEGER', raw: post(['Content-Length: 9007199254740992'], ''), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'huge digit string', raw: post(['Content-Length: ' + '9'.repeat(400)], ''), error: 'ERR_MWS_BAD_CONTENT_LENGTH' },
  { name: 'MAX_SAFE_INTEGER is valid but too large', raw: post(['Content-Length: 9007199254740991'], ''), error: 'ERR_MWS_BODY_TOO_LARGE' },
  { name: 'one byte over maxBodyBytes', raw: post(['Content-Length: 11'], 'x'.repeat(11)), limits: { maxBodyBytes: 10 }, error: 'ERR_MWS_BODY_TOO_LARGE' },
  { name: 'exactly maxBodyBytes', raw: post(['Content-Length: 10'], 'x'.repeat(10)), limits: { maxBodyBytes: 10 }, body: 'x'.repeat(10) },
  { name: 'body larger than the slot', raw: post(['Content-Length: 3000'], 'b'.repeat(3000)), limits: { maxHeadBytes: 128, maxBodyBytes: 4096 }, body: 'b'.repeat(3000) },
  { name: 'incomplete body', raw: post(['Content-Length: 10'], 'abc'), incomplete: true },
];

const transferEncoding: Case[] = [
  { name: 'chunked', raw: chunked('5\r\nhello\r\n0\r\n\r\n'), head: { chunked: true, contentLength: -1 }, body: 'hello', trailers: null },
  { name: 'coding name is case-insensitive', raw: post(['Transfer-Encoding: Chunked'], '1\r\na\r\n0\r\n\r\n'), body: 'a' },
  { name: 'CL with TE', raw: post(['Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), error: 'ERR_MWS_CL_TE' },
  { name: 'TE with CL (other order)', raw: post(['Transfer-Encoding: chunked', 'Content-Length: 5'], '0\r\n\r\n'), error: 'ERR_MWS_CL_TE' },
  { name: 'gzip alone: chunked is not final', raw: post(['Transfer-Encoding: gzip'], ''), error: 'ERR_MWS_BAD_TRANSFER_ENCODING' },
  { name: 'gzip, chunked: unsupported coding', raw: post(['Transfer-Encoding: gzip, chunked'], '0\r\n\r\n'), error: 'ERR_MWS_TE_UNSUPPORTED' },
  { name: 'chunked, gzip', raw: post(['Transfer-Encoding: chunked, gzip'], ''), error: 'ERR_MWS_BAD_TRANSFER_ENCODING' },
  { name: 'chunked twice', raw: post(['Transfer-Encoding: chunked, chunked'], '0\r\n\r\n'), error: 'ERR_MWS_BAD_TRANSFER_ENCODING' },
  { name: 'codings across field lines', raw: post(['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), error: 'ERR_MWS_TE_UNSUPPORTED' },
  { name: 'chunked then another field line', raw: post(['Transfer-Encoding: chunked', 'Transfer-Encoding: identity'], ''), error: 'ERR_MWS_BAD_TRANSFER_ENCODING' },
  { name: 'chunked with a parameter is not chunked', raw: post(['Transfer-Encoding: chunked;q=1'], ''), error: 'ERR_MWS_BAD_TRANSFER_ENCODING' },
  { name: 'empty Transfer-Encoding', raw: post(['Transfer-Encoding:'], ''), error: 'ERR_MWS_BAD_TRANSFER_ENCODING' },
  { name: 'TE in HTTP/1.0', raw: R(['POST / HTTP/1.0', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), error: 'ERR_MWS_TE_HTTP10' },
  { name: 'empty list elements are ignored', raw: post(['Transfer-Encoding: , chunked ,'], '0\r\n\r\n'), body: '' },
];

const chunks: Case[] = [
  { name: 'several chunks, hex sizes in both cases', raw: chunked('3\r\nabc\r\nA\r\n0123456789\r\na\r\nABCDEFGHIJ\r\n0\r\n\r\n'), body: 'abc0123456789ABCDEFGHIJ' },
  { name: 'chunk extensions are ignored', raw: chunked('3;name=value;flag\r\nabc\r\n0;last=1\r\n\r\n'), body: 'abc' },
  { name: 'quoted-string extension', raw: chunked('3;a="x; y"\r\nabc\r\n0\r\n\r\n'), body: 'abc' },
  { name: 'BWS before ;', raw: chunked('3 \t;a\r\nabc\r\n0\r\n\r\n'), body: 'abc' },
  { name: 'BWS around ; and =, quoted-pair in a value', raw: chunked('3 ; a = "x\\"y" ;b=c \t\r\nabc\r\n0\r\n\r\n'), body: 'abc' },
  // RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
  { name: "';' with no extension name", raw: chunked('1;\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: "';' and whitespace with no name", raw: chunked('1; \r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'two semicolons', raw: chunked('1;a;;b\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'extension value without name', raw: chunked('1;=v\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: "'=' with no value", raw: chunked('1;a=\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'a name that is not a token', raw: chunked('1;a@b\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'two values', raw: chunked('1;a=b=c\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'two names with only whitespace between', raw: chunked('1;a b\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'unterminated quoted value', raw: chunked('1;a="x\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'text after a quoted value', raw: chunked('1;a="x"y\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'bare LF inside an extension', raw: chunked('1;a\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'empty last-chunk extension', raw: chunked('1\r\na\r\n0;\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK', messages: 0 },
  { name: 'whitespace after the size without ;', raw: chunked('3 \r\nabc\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK', messages: 0 },
  { name: 'whitespace before the size', raw: chunked(' 3\r\nabc\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'non-hex size', raw: chunked('g\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: '0x prefix', raw: chunked('0x3\r\nabc\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'negative size', raw: chunked('-3\r\nabc\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'empty size line', raw: chunked('\r\nabc\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'extension without size', raw: chunked(';a\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'data longer than the size', raw: chunked('3\r\nabcd\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'bare LF after the size', raw: chunked('3\nabc\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'bare LF after the data', raw: chunked('3\r\nabc\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'bare LF in an extension', raw: chunked('3;a\nb\r\nabc\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'CTL in an extension', raw: chunked('3;a\x01\r\nabc\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'one chunk over maxBodyBytes', raw: chunked('b\r\n' + 'x'.repeat(11) + '\r\n0\r\n\r\n'), limits: { maxBodyBytes: 10 }, error: 'ERR_MWS_BODY_TOO_LARGE' },
  { name: 'chunks summing over maxBodyBytes', raw: chunked('6\r\nxxxxxx\r\n5\r\nyyyyy\r\n0\r\n\r\n'), limits: { maxBodyBytes: 10 }, error: 'ERR_MWS_BODY_TOO_LARGE' },
  { name: 'chunks summing to exactly maxBodyBytes', raw: chunked('6\r\nxxxxxx\r\n4\r\nyyyy\r\n0\r\n\r\n'), limits: { maxBodyBytes: 10 }, body: 'xxxxxxyyyy' },
  { name: 'huge size is refused before it overflows', raw: chunked('ffffffffffffffffffff\r\n'), limits: { maxBodyBytes: Number.MAX_SAFE_INTEGER }, error: 'ERR_MWS_BODY_TOO_LARGE' },
  { name: 'more than 16 size digits', raw: chunked('00000000000000001\r\na\r\n0\r\n\r\n'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: '16 size digits', raw: chunked('0000000000000001\r\na\r\n0\r\n\r\n'), body: 'a' },
  { name: 'extensions over maxChunkExtBytes', raw: chunked('1;abcdefgh\r\na\r\n0\r\n\r\n'), limits: { maxChunkExtBytes: 7 }, error: 'ERR_MWS_CHUNK_EXT_TOO_LARGE' },
  { name: 'extension bytes are counted per message', raw: chunked('1;abcd\r\na\r\n1;abcd\r\nb\r\n0\r\n\r\n'), limits: { maxChunkExtBytes: 7 }, error: 'ERR_MWS_CHUNK_EXT_TOO_LARGE' },
  { name: 'extensions within maxChunkExtBytes', raw: chunked('1;abcdefg\r\na\r\n0\r\n\r\n'), limits: { maxChunkExtBytes: 7 }, body: 'a' },
  { name: 'trailers', raw: chunked('1\r\na\r\n0\r\nX-Checksum: abc\r\nExpires:  never \r\n\r\n'), body: 'a', trailers: ['x-checksum', 'abc', 'expires', 'never'] },
  { name: 'malformed trailer field', raw: chunked('0\r\nX y: z\r\n\r\n'), error: 'ERR_MWS_BAD_HEADER' },
  { name: 'obs-fold in trailers', raw: chunked('0\r\nX: y\r\n z\r\n\r\n'), error: 'ERR_MWS_OBS_FOLD' },
  { name: 'bare LF in trailers', raw: chunked('0\r\nX: y\nZ: w\r\n\r\n'), error: 'ERR_MWS_BARE_LF' },
  { name: 'trailers over maxTrailerBytes', raw: chunked('0\r\nX: ' + 'y'.repeat(40) + '\r\n\r\n'), limits: { maxTrailerBytes: 32 }, error: 'ERR_MWS_TRAILERS_TOO_LARGE' },
  { name: 'more trailer fields than maxHeaders', raw: chunked('0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'), limits: { maxHeaders: 2 }, error: 'ERR_MWS_TOO_MANY_HEADERS' },
  { name: 'CR not followed by LF after last-chunk', raw: chunked('0\r\n\rX'), error: 'ERR_MWS_BAD_CHUNK' },
  { name: 'missing final CRLF', raw: chunked('0\r\n'), incomplete: true },
  { name: 'incomplete trailer section', raw: chunked('0\r\nX: 1\r\n'), incomplete: true },
  { name: 'chunked body then a pipelined request', raw: chunked('2\r\nok\r\n0\r\n\r\n') + R(['GET /next HTTP/1.1', H]), messages: 2, body: 'ok' },
  { name: 'chunk larger than the slot', raw: chunked('bb8\r\n' + 'c'.repeat(3000) + '\r\n0\r\n\r\n'), limits: { maxHeadBytes: 128, maxBodyBytes: 4096 }, body: 'c'.repeat(3000) },
];

describe('Content-Length', () => runCases(contentLength, statusOf));
describe('Transfer-Encoding', () => runCases(transferEncoding, statusOf));
describe('chunked', () => runCases(chunks, statusOf));
