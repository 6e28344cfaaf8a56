/**
 * Pre-encoded error responses (in the manner of uWebSockets): for each status the bytes before and after
 * the Date value are built once, the Date of the current second is spliced in, and the whole response is
 * cached until the second changes. Sending a rejection costs one string compare and one write.
 *
 * Every such response closes the connection: it answers a request whose framing is in doubt (RFC 9112
 * §6.3 and §9.6), or a connection refused before any request (408, 503).
 */
import { httpDate } from './date';
import { HttpError } from './errors';

/** Reason phrases of RFC 9110 §15 (and 101/102/103/429 from their RFCs). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  422: 'Unprocessable Content',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/**
 * One status's response, pre-encoded: `HTTP/1.1 <status> <reason>`, Date, `Content-Type: text/plain`,
 * Content-Length, `Connection: close`, and the reason phrase as the body.
 */
export class PreEncodedResponse {
  /** HTTP status code. */
  readonly status: number;
  /** Everything up to and including `Date: ` (latin1). */
  readonly prefix: string;
  /** Everything after the Date value: CRLF, the other fields, the empty line and the body (latin1). */
  readonly suffix: string;
  private date = '';
  private text = '';
  private bytes: Buffer | null = null;

  constructor(status: number, reason: string) {
    this.status = status;
    this.prefix = `HTTP/1.1 ${status} ${reason}\r\nDate: `;
    // 503 is temporary (a budget spent, a pool full): Retry-After tells the client when to try again (RFC 9110 §10.2.3).
    this.suffix = `\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason, 'latin1')}` +
      `${status === 503 ? '\r\nRetry-After: 1' : ''}\r\nConnection: close\r\n\r\n${reason}`;
  }

  /** The full response as a latin1 string (write it with `socket.write(str, 'latin1')`). */
  toString(nowMs?: number): string {
    const date = httpDate(nowMs);
    if (date !== this.date) {
      this.date = date;
      this.text = this.prefix + date + this.suffix;
      this.bytes = null;
    }
    return this.text;
  }

  /** The full response as bytes; the Buffer is shared and must not be modified. */
  toBuffer(nowMs?: number): Buffer {
    const text = this.toString(nowMs);
    let bytes = this.bytes;
    if (bytes === null) this.bytes = bytes = Buffer.from(text, 'latin1');
    return bytes;
  }
}

const byStatus = new Map<number, PreEncodedResponse>();
for (const key of Object.keys(REASON_PHRASES)) {
  const status = Number(key);
  byStatus.set(status, new PreEncodedResponse(status, REASON_PHRASES[status]!));
}

/**
 * The pre-encoded response for `status`.
 * @throws RangeError when `status` has no entry in {@link REASON_PHRASES}.
 */
export function preEncodedResponse(status: number): PreEncodedResponse {
  const r = byStatus.get(status);
  if (r === undefined) {
    throw new RangeError(`status must be one of ${[...byStatus.keys()].join(', ')}, got ${String(status)}`);
  }
  return r;
}

/** The complete error response for `status`, as a latin1 string with the current Date. */
export function errorResponse(status: number, nowMs?: number): string {
  return preEncodedResponse(status).toString(nowMs);
}

/** The complete response that answers a parser rejection. */
export function errorResponseFor(err: HttpError, nowMs?: number): string {
  return preEncodedResponse(err.status).toString(nowMs);
}
