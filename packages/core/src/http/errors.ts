/**
 * Core's catalogue of HTTP rejections: every way the engine refuses a request from the network has a
 * stable `ERR_MWS_…` code, the HTTP status it is answered with and a short reason for logs.
 * Codes never change meaning once released; reasons may be improved.
 *
 * Bad input from the network never throws into user code: the parser reports an {@link HttpError}, the
 * engine answers with the pre-encoded response for its status (see responses.ts) and closes the
 * connection, because after a framing error the position of the next request is unknown.
 */
export const HttpErrors = {
  /** Request line is not `method SP request-target SP HTTP-version CRLF` (RFC 9112 §3). */
  ERR_MWS_BAD_REQUEST_LINE: { status: 400, reason: 'malformed request line' },
  /** Request-target has a forbidden character or is not in a form allowed for the method (RFC 9112 §3.2). */
  ERR_MWS_BAD_TARGET: { status: 400, reason: 'invalid request-target' },
  /** A field line is malformed: no colon, empty or non-token name, whitespace before the colon, CTL in the value (RFC 9112 §5, RFC 9110 §5.5). */
  ERR_MWS_BAD_HEADER: { status: 400, reason: 'malformed header field' },
  /** A line in the head (or trailers) ends in LF without CR (RFC 9112 §2.2: this server does not accept bare LF). */
  ERR_MWS_BARE_LF: { status: 400, reason: 'bare LF in message head' },
  /** Obsolete line folding (RFC 9112 §5.2). */
  ERR_MWS_OBS_FOLD: { status: 400, reason: 'obsolete line folding' },
  /** HTTP/1.1 request without Host (RFC 9112 §3.2). */
  ERR_MWS_HOST_MISSING: { status: 400, reason: 'missing Host header' },
  /** Host value is not `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2). */
  ERR_MWS_HOST_INVALID: { status: 400, reason: 'invalid Host header' },
  /** More than one Host field line (RFC 9112 §3.2). */
  ERR_MWS_HOST_DUPLICATE: { status: 400, reason: 'duplicate Host header' },
  /** Content-Length is not 1*DIGIT, is repeated, or does not fit a safe integer (RFC 9112 §6.3, RFC 9110 §8.6). */
  ERR_MWS_BAD_CONTENT_LENGTH: { status: 400, reason: 'invalid Content-Length' },
  /** Both Content-Length and Transfer-Encoding (RFC 9112 §6.1, §6.3: a smuggling signal). */
  ERR_MWS_CL_TE: { status: 400, reason: 'Content-Length with Transfer-Encoding' },
  /** Transfer-Encoding whose final coding is not chunked, or chunked applied twice (RFC 9112 §6.3, §7). */
  ERR_MWS_BAD_TRANSFER_ENCODING: { status: 400, reason: 'chunked is not the final transfer coding' },
  /** Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1: the framing is faulty). */
  ERR_MWS_TE_HTTP10: { status: 400, reason: 'Transfer-Encoding in an HTTP/1.0 request' },
  /** Malformed chunked framing: size not hex, missing CRLF, bad extension (RFC 9112 §7.1). */
  ERR_MWS_BAD_CHUNK: { status: 400, reason: 'malformed chunked body' },
  /** Chunk extensions of one message passed maxChunkExtBytes (RFC 9112 §7.1.1 lets a server bound them). */
  ERR_MWS_CHUNK_EXT_TOO_LARGE: { status: 400, reason: 'chunk extensions too large' },
  /** Body larger than maxBodyBytes (MaxRequestContentLength), known from Content-Length or while de-chunking. */
  ERR_MWS_BODY_TOO_LARGE: { status: 413, reason: 'request body too large' },
  /** The request line alone does not fit in the buffer slot (RFC 9112 §3: 414 for a long target). */
  ERR_MWS_URI_TOO_LONG: { status: 414, reason: 'request line too long' },
  /** An expectation other than 100-continue (RFC 9110 §10.1.1). */
  ERR_MWS_EXPECTATION_FAILED: { status: 417, reason: 'unsupported expectation' },
  /** The head does not fit in the buffer slot (RFC 6585 §5). */
  ERR_MWS_HEADERS_TOO_LARGE: { status: 431, reason: 'request head too large' },
  /** More field lines than maxHeaders (RFC 6585 §5). */
  ERR_MWS_TOO_MANY_HEADERS: { status: 431, reason: 'too many header fields' },
  /** The trailer section is larger than maxTrailerBytes (RFC 6585 §5). */
  ERR_MWS_TRAILERS_TOO_LARGE: { status: 431, reason: 'trailer section too large' },
  /** A transfer coding other than chunked (RFC 9112 §6.1: 501 for a coding the server does not understand). */
  ERR_MWS_TE_UNSUPPORTED: { status: 501, reason: 'unsupported transfer coding' },
  /** Well-formed HTTP-version other than 1.0 and 1.1 (RFC 9110 §15.6.6). */
  ERR_MWS_VERSION: { status: 505, reason: 'HTTP version not supported' },
  /** The request did not arrive within RequestsTimeoutSec (RFC 9110 §15.5.9). */
  ERR_MWS_TIMEOUT: { status: 408, reason: 'request timeout' },
  /** The server's budget for buffered request bodies (maxBufferedBodyBytes) is spent: retry later (RFC 9110 §15.6.4). */
  ERR_MWS_BODY_BUDGET: { status: 503, reason: 'request bodies memory budget reached' },
  /** No free buffer slot for a new connection (refused cleanly instead of a reset). */
  ERR_MWS_NO_SLOT: { status: 503, reason: 'no free connection slot' },
} as const satisfies Record<string, { status: number; reason: string }>;

/** One of the stable codes of {@link HttpErrors}. */
export type HttpErrorCode = keyof typeof HttpErrors;

/** A request refused for what came from the network; `status` is the HTTP status to answer with. */
export class HttpError extends Error {
  /** Stable code from {@link HttpErrors}. */
  readonly code: HttpErrorCode;
  /** HTTP status the request is answered with. */
  readonly status: number;

  /** @param detail optional precision appended to the catalogue's reason (kept out of the response body). */
  constructor(code: HttpErrorCode, detail?: string) {
    const entry = HttpErrors[code];
    super(detail === undefined ? entry.reason : `${entry.reason}: ${detail}`);
    this.name = 'HttpError';
    this.code = code;
    this.status = entry.status;
  }
}
