/**
 * Test harness: drives an HttpRequestParser the way the engine does, through a fixed slot whose
 * unconsumed bytes are kept and appended to, and records what the parser reported.
 */
import type { HttpError, HttpErrorCode } from '../errors';
import { HttpRequestParser, ParserState, type ParserLimits, type RequestHead } from '../parser';

/** One message as the handler saw it. */
export interface Message {
  head: RequestHead;
  body: string;
  trailers: string[] | null;
  complete: boolean;
}

/** Everything the parser reported for one input. */
export interface Outcome {
  messages: Message[];
  error: HttpError | null;
  /** Bytes left unconsumed in the slot at the end. */
  leftover: number;
}

/** Default limits of the conformance cases: a 1 KiB slot. */
export const DEFAULT_LIMITS: ParserLimits = { maxHeadBytes: 1024, maxBodyBytes: 1024, maxHeaders: 100 };

/** A parser whose handler records into an Outcome. */
export function recordingParser(limits: ParserLimits): { parser: HttpRequestParser; outcome: Outcome } {
  const outcome: Outcome = { messages: [], error: null, leftover: 0 };
  let errors = 0;
  const parser = new HttpRequestParser({
    onHead(head) {
      if (outcome.error !== null) throw new Error('onHead after onError');
      outcome.messages.push({ head, body: '', trailers: null, complete: false });
    },
    onBody(buf, start, end) {
      if (end <= start) throw new Error(`empty onBody ${start}..${end}`);
      const m = outcome.messages[outcome.messages.length - 1]!;
      if (m.complete) throw new Error('onBody after onMessageComplete');
      m.body += buf.toString('latin1', start, end);
    },
    onMessageComplete(trailers) {
      const m = outcome.messages[outcome.messages.length - 1]!;
      if (m.complete) throw new Error('onMessageComplete twice');
      m.complete = true;
      m.trailers = trailers;
    },
    onError(err) {
      if (++errors > 1) throw new Error('onError twice');
      outcome.error = err;
    },
  }, limits);
  return { parser, outcome };
}

/**
 * Feeds `input`, cut at `cuts` (sorted offsets), through a slot of `limits.maxHeadBytes` bytes: each
 * piece is appended after the bytes the parser left, execute() runs over the slot's content, consumed
 * bytes are dropped from the front. A pause is resumed at once (as an engine would once the response
 * is sent). The slot starts full of CRLFs so that a read past `end` would show.
 */
export function feed(input: Buffer, cuts: readonly number[], limits: ParserLimits = DEFAULT_LIMITS): Outcome {
  const { parser, outcome } = recordingParser(limits);
  const size = limits.maxHeadBytes;
  const slot = Buffer.alloc(size, '\r\n\r\n', 'latin1');
  let len = 0;
  const drive = (): void => {
    for (;;) {
      const consumed = parser.execute(slot, 0, len);
      if (consumed < 0 || consumed > len) throw new Error(`execute returned ${consumed} for ${len} bytes`);
      if (consumed > 0) {
        slot.copy(slot, 0, consumed, len);
        len -= consumed;
      }
      if (!parser.paused) return;
      parser.resume();
    }
  };
  const bounds = [...cuts.filter((c) => c > 0 && c < input.length), input.length];
  let from = 0;
  for (const to of bounds) {
    let p = from;
    while (p < to && parser.state !== ParserState.DEAD) {
      const n = Math.min(to - p, size - len);
      if (n === 0) throw new Error('slot full and nothing consumed: the parser stalled');
      input.copy(slot, len, p, p + n);
      len += n;
      p += n;
      drive();
    }
    from = to;
  }
  outcome.leftover = len;
  return outcome;
}

/** Feeds the whole input as one read. */
export function feedWhole(input: Buffer, limits?: ParserLimits): Outcome {
  return feed(input, [], limits);
}

/** Feeds the input one byte per read. */
export function feedBytewise(input: Buffer, limits?: ParserLimits): Outcome {
  return feed(input, Array.from({ length: input.length }, (_, i) => i), limits);
}

/** A comparable summary of an outcome (heads as plain data, error as its code). */
export function summary(o: Outcome): { messages: Message[]; error: HttpErrorCode | null } {
  return { messages: o.messages.map((m) => ({ ...m, head: headData(m.head) as RequestHead })), error: o.error?.code ?? null };
}

/** The public fields of a head as plain data (its string and offsets depend on how the bytes were read). */
export function headData(h: RequestHead): Omit<RequestHead, `_${string}` | 'clear'> {
  return {
    method: h.method, target: h.target, path: h.path, queryString: h.queryString, versionMinor: h.versionMinor,
    headers: [...h.headers], contentLength: h.contentLength, chunked: h.chunked, keepAlive: h.keepAlive,
    expectContinue: h.expectContinue, upgrade: h.upgrade, host: h.host,
  };
}

/** latin1 bytes of a string (the tests write raw requests as strings). */
export function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** One conformance case: raw request bytes and what must come of them. */
export interface Case {
  name: string;
  raw: string;
  limits?: Partial<ParserLimits>;
  /** The request must be refused with this code (after `messages` complete ones, default 0). */
  error?: HttpErrorCode;
  /** The bytes end in a valid prefix: no error, `messages` (default 0) complete ones, bytes left. */
  incomplete?: true;
  /** Fields the first head must have. */
  head?: Partial<RequestHead>;
  /** Body of the first message. */
  body?: string;
  /** Trailers of the first message. */
  trailers?: string[] | null;
  /** Number of complete messages (default 1 without error, 0 with). */
  messages?: number;
}

/** A head of CRLF-terminated lines followed by the empty line, then `body`. */
export function R(lines: string[], body = ''): string {
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

/**
 * Runs conformance cases as jest tests: each is fed whole and byte by byte, both outcomes must be the
 * same, and the case's expectations must hold; a valid case fed twice must give its messages twice.
 */
export function runCases(cases: readonly Case[], statusOf: (code: HttpErrorCode) => number): void {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const limits: ParserLimits = { ...DEFAULT_LIMITS, ...c.limits };
    const input = bytes(c.raw);
    const whole = feedWhole(input, limits);
    expect(summary(feedBytewise(input, limits))).toEqual(summary(whole));
    const complete = whole.messages.filter((m) => m.complete);
    if (c.error !== undefined) {
      expect(whole.error?.code).toBe(c.error);
      expect(whole.error?.status).toBe(statusOf(c.error));
      expect(complete).toHaveLength(c.messages ?? 0);
    } else if (c.incomplete) {
      expect(whole.error).toBeNull();
      expect(complete).toHaveLength(c.messages ?? 0);
      // a partial head stays in the slot; a partial body is consumed but its message is unfinished
      expect(whole.leftover > 0 || whole.messages.some((m) => !m.complete)).toBe(true);
    } else {
      expect(whole.error).toBeNull();
      expect(complete).toHaveLength(c.messages ?? 1);
      expect(whole.messages).toHaveLength(complete.length);
      expect(whole.leftover).toBe(0);
    }
    if (c.error === undefined && !c.incomplete) {
      // A parser takes a byte-identical head again without validating it (RepeatedHead in head.ts): the
      // outcome must be the same, the repeat in its own read or pipelined behind the first.
      const twice = Buffer.concat([input, input]);
      const once = summary(whole).messages;
      expect(summary(feed(twice, [input.length], limits))).toEqual({ messages: [...once, ...once], error: null });
      expect(summary(feedWhole(twice, limits))).toEqual({ messages: [...once, ...once], error: null });
    }
    const first = whole.messages[0];
    if (c.head !== undefined) expect(first?.head).toMatchObject(c.head);
    if (c.body !== undefined) expect(first?.body).toBe(c.body);
    if (c.trailers !== undefined) expect(first?.trailers).toEqual(c.trailers);
  });
}
