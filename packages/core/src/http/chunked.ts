/**
 * Incremental decoder of the chunked transfer coding's framing (RFC 9112 §7.1): chunk-size lines,
 * extensions, the CRLF after each chunk's data. It walks bytes one at a time, so any split of the input
 * works and nothing is kept from one read to the next but a few numbers. The parser delivers the data
 * bytes itself (state DATA) and reads the trailer section (state TRAILERS).
 */
import { TCHAR, hexValue } from './chars';
import type { HttpErrorCode } from './errors';

/** States of {@link ChunkedDecoder}. */
export const ChunkState = {
  /** Reading the chunk-size hex digits. */
  SIZE: 0,
  /** BWS after the size: only ';' may follow (RFC 9112 §7.1.1). */
  SIZE_WS: 1,
  /** After ';': BWS, then a chunk-ext-name must start (RFC 9112 §7.1.1). */
  EXT: 2,
  /** Expecting the LF of the chunk-size line. */
  SIZE_LF: 3,
  /** `remaining` data bytes are due; the parser hands them to onBody. */
  DATA: 4,
  /** Expecting the CR after a chunk's data. */
  DATA_CR: 5,
  /** Expecting the LF after a chunk's data. */
  DATA_LF: 6,
  /** last-chunk read: the trailer section follows. */
  TRAILERS: 7,
  /** Inside a chunk-ext-name (a token). */
  EXT_NAME: 8,
  /** BWS after a name: '=', ';' or the line's CR may follow. */
  EXT_AFTER_NAME: 9,
  /** After '=': BWS, then a token or a quoted-string. */
  EXT_VALUE: 10,
  /** Inside a token value. */
  EXT_TOKEN: 11,
  /** Inside a quoted-string value. */
  EXT_QUOTED: 12,
  /** After a backslash inside a quoted-string (quoted-pair). */
  EXT_QUOTED_PAIR: 13,
  /** BWS after a value: ';' or the line's CR may follow. */
  EXT_AFTER_VALUE: 14,
} as const;

/** A value of {@link ChunkState}. */
export type ChunkStateValue = (typeof ChunkState)[keyof typeof ChunkState];

/** 16 hex digits cover any safe size; more (leading zeros included) is refused as malformed. */
const MAX_SIZE_DIGITS = 16;

/** Decoder of chunked framing; one per parser, reset per message. */
export class ChunkedDecoder {
  /** Current state, see {@link ChunkState}. */
  state: ChunkStateValue = ChunkState.SIZE;
  /** Data bytes of the current chunk still to deliver (state DATA). */
  remaining = 0;
  /** The reason framing failed, or null. Once set, the decoder is dead until reset. */
  error: HttpErrorCode | null = null;
  private size = 0;
  private digits = 0;
  private extBytes = 0;
  private budget = 0;
  private maxExtBytes = 0;

  /** Prepares for a new message whose decoded body may have at most `maxBodyBytes` bytes. */
  reset(maxBodyBytes: number, maxExtBytes: number): void {
    this.state = ChunkState.SIZE;
    this.remaining = 0;
    this.error = null;
    this.size = 0;
    this.digits = 0;
    this.extBytes = 0;
    this.budget = maxBodyBytes;
    this.maxExtBytes = maxExtBytes;
  }

  /**
   * Consumes framing bytes from buf[pos, end). Returns the position reached: it stops at end, on
   * entering DATA (so the parser can deliver the bytes), on entering TRAILERS, or on error (`error` set).
   */
  framing(buf: Buffer, pos: number, end: number): number {
    while (pos < end) {
      const c = buf[pos]!;
      switch (this.state) {
        case ChunkState.SIZE: {
          // chunk-size = 1*HEXDIG (§7.1): no sign, no "0x", no whitespace before it.
          const d = hexValue(c);
          if (d >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return this.fail(pos, 'ERR_MWS_BAD_CHUNK');
            this.size = this.size * 16 + d;
            // The sum of chunk sizes is bounded by maxBodyBytes, checked as digits arrive so that
            // the number never grows unbounded (RFC 9112 §7.1: guard against overflow).
            if (this.size > this.budget) return this.fail(pos, 'ERR_MWS_BODY_TOO_LARGE');
          } else if (this.digits === 0) {
            return this.fail(pos, 'ERR_MWS_BAD_CHUNK');
          } else if (c === 0x0d) {
            this.state = ChunkState.SIZE_LF;
          } else if (c === 0x3b /* ; */) {
            this.state = ChunkState.EXT;
          } else if (c === 0x20 || c === 0x09) {
            this.state = ChunkState.SIZE_WS;
          } else {
            return this.fail(pos, 'ERR_MWS_BAD_CHUNK');
          }
          break;
        }
        case ChunkState.SIZE_WS:
          // chunk-ext = *( BWS ";" … ) (§7.1.1): whitespace after the size must lead to ';'.
          if (c === 0x3b) this.state = ChunkState.EXT;
          else if (c !== 0x20 && c !== 0x09) return this.fail(pos, 'ERR_MWS_BAD_CHUNK');
          else if (++this.extBytes > this.maxExtBytes) return this.fail(pos, 'ERR_MWS_CHUNK_EXT_TOO_LARGE');
          break;
        case ChunkState.EXT:
        case ChunkState.EXT_NAME:
        case ChunkState.EXT_AFTER_NAME:
        case ChunkState.EXT_VALUE:
        case ChunkState.EXT_TOKEN:
        case ChunkState.EXT_QUOTED:
        case ChunkState.EXT_QUOTED_PAIR:
        case ChunkState.EXT_AFTER_VALUE:
          // Extensions are ignored (§7.1.1) but bounded per message, and must be well formed: a
          // lenient reading here is where request smuggling between parsers starts.
          // The bound counts the extension's bytes, not the CR that ends the line.
          if (c !== 0x0d && ++this.extBytes > this.maxExtBytes) return this.fail(pos, 'ERR_MWS_CHUNK_EXT_TOO_LARGE');
          if (!this.extension(c)) return this.fail(pos, 'ERR_MWS_BAD_CHUNK');
          break;
        case ChunkState.SIZE_LF:
          // §7.1: the chunk-size line ends in CRLF; no bare CR or LF.
          if (c !== 0x0a) return this.fail(pos, 'ERR_MWS_BAD_CHUNK');
          if (this.size === 0) {
            // last-chunk: the trailer section and the final CRLF follow (§7.1.2).
            this.state = ChunkState.TRAILERS;
            return pos + 1;
          }
          this.budget -= this.size;
          this.remaining = this.size;
          this.size = 0;
          this.digits = 0;
          this.state = ChunkState.DATA;
          return pos + 1;
        case ChunkState.DATA_CR:
          // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF (§7.1)
          if (c !== 0x0d) return this.fail(pos, 'ERR_MWS_BAD_CHUNK');
          this.state = ChunkState.DATA_LF;
          break;
        case ChunkState.DATA_LF:
          if (c !== 0x0a) return this.fail(pos, 'ERR_MWS_BAD_CHUNK');
          this.state = ChunkState.SIZE;
          break;
        default:
          // DATA and TRAILERS are handled by the parser.
          return pos;
      }
      pos++;
    }
    return pos;
  }

  /**
   * One byte of the chunk-ext grammar (RFC 9112 §7.1.1, RFC 9110 §5.6.4 for quoted-string):
   *   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
   *   chunk-ext-val = token / quoted-string
   * Returns false on a byte the grammar does not allow: `1;` with no name, `1;=v`, `1;a=`, an
   * unterminated quote, a CTL anywhere, or a bare LF.
   */
  private extension(c: number): boolean {
    const ws = c === 0x20 || c === 0x09;
    switch (this.state) {
      case ChunkState.EXT:
        if (ws) return true;
        if (TCHAR[c] !== 1) return false;
        this.state = ChunkState.EXT_NAME;
        return true;
      case ChunkState.EXT_NAME:
        if (TCHAR[c] === 1) return true;
        this.state = ChunkState.EXT_AFTER_NAME;
        return this.extension(c);
      case ChunkState.EXT_AFTER_NAME:
        if (ws) return true;
        if (c === 0x3d /* = */) this.state = ChunkState.EXT_VALUE;
        else return this.extensionEnd(c);
        return true;
      case ChunkState.EXT_VALUE:
        if (ws) return true;
        if (c === 0x22 /* " */) this.state = ChunkState.EXT_QUOTED;
        else if (TCHAR[c] === 1) this.state = ChunkState.EXT_TOKEN;
        else return false;
        return true;
      case ChunkState.EXT_TOKEN:
        if (TCHAR[c] === 1) return true;
        this.state = ChunkState.EXT_AFTER_VALUE;
        return this.extension(c);
      case ChunkState.EXT_QUOTED:
        // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
        if (c === 0x22) this.state = ChunkState.EXT_AFTER_VALUE;
        else if (c === 0x5c /* \ */) this.state = ChunkState.EXT_QUOTED_PAIR;
        else if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
        return true;
      case ChunkState.EXT_QUOTED_PAIR:
        // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
        if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
        this.state = ChunkState.EXT_QUOTED;
        return true;
      default: // EXT_AFTER_VALUE
        if (ws) return true;
        return this.extensionEnd(c);
    }
  }

  /** After a complete extension: another one (';') or the end of the chunk-size line (CR). */
  private extensionEnd(c: number): boolean {
    if (c === 0x3b) this.state = ChunkState.EXT;
    else if (c === 0x0d) this.state = ChunkState.SIZE_LF;
    else return false;
    return true;
  }

  private fail(pos: number, code: HttpErrorCode): number {
    this.error = code;
    return pos;
  }
}
