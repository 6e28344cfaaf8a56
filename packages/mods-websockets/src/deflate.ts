/**
 * permessage-deflate (RFC 7692), off by default: negotiation of the client's offer with `ws`'s exported
 * PerMessageDeflate and extension parser; the Sender deflates, the Receiver inflates. Each direction has
 * its own PerMessageDeflate (same parameters; one zlib stream each), so the receiving one can be made
 * when receiving starts, with the socket's message limit as its `maxPayload` constructor option.
 */
import * as wsLib from 'ws';

/** Settings of permessage-deflate (RFC 7692 §7.1), as `ws` names them. */
export interface DeflateOptions {
  /** RFC 7692 §7.1.1.1: the server resets its compression context per message. Default false. */
  serverNoContextTakeover?: boolean;
  /** RFC 7692 §7.1.1.2: ask the client to reset its context per message. Default false. */
  clientNoContextTakeover?: boolean;
  /** RFC 7692 §7.1.2.1: the server's LZ77 window (8–15). */
  serverMaxWindowBits?: number;
  /** RFC 7692 §7.1.2.2: the client's LZ77 window (8–15). */
  clientMaxWindowBits?: number;
  /** With no context takeover, messages below this size are sent uncompressed. Default 1024. */
  threshold?: number;
  /** Concurrent zlib operations (process-wide in ws). Default 10. */
  concurrencyLimit?: number;
}

/** A negotiated extension instance (ws's PerMessageDeflate). */
export interface DeflateExtension {
  readonly params: Record<string, unknown>;
  accept(offers: unknown[]): Record<string, unknown>;
  cleanup(): void;
}

const lib = ((wsLib as unknown as { default?: unknown }).default ?? wsLib) as unknown as {
  PerMessageDeflate: { new (o: Record<string, unknown>): DeflateExtension; extensionName: string };
  extension: { parse(h: string): Record<string, unknown[]>; format(o: Record<string, unknown[]>): string };
};

/** The extension name (RFC 7692 §7). */
export const DEFLATE_NAME = 'permessage-deflate';

/** Makes the Receiver's extensions: the same parameters, `maxPayload` as the inflate limit. */
export type ReceivingExtensions = (maxPayload: number) => Record<string, DeflateExtension>;

/**
 * What negotiation gave: the Sender's extensions (empty when nothing was negotiated), the maker of the
 * Receiver's, and the response header; or a 400.
 */
export type DeflateNegotiation =
  | { ok: true; extensions: Record<string, DeflateExtension>; receiving: ReceivingExtensions; header: string | null }
  | { ok: false; detail: string };

const none = (): DeflateNegotiation => ({ ok: true, extensions: {}, receiving: () => ({}), header: null });

/**
 * Negotiates permessage-deflate against `Sec-WebSocket-Extensions` (RFC 6455 §9.1, RFC 7692 §5). Off
 * (`options` false/null) or not offered: no extension. An offer that cannot be parsed or accepted → 400.
 */
export function negotiateDeflate(header: string | undefined, options: DeflateOptions | boolean | null | undefined, maxPayload: number): DeflateNegotiation {
  if (!options || header === undefined) return none();
  const settings = { ...(options === true ? {} : options), isServer: true };
  const pmd = new lib.PerMessageDeflate({ ...settings, maxPayload });
  try {
    const offer = lib.extension.parse(header)[DEFLATE_NAME];
    if (!offer) return none();
    pmd.accept(offer);
    const receiving = (limit: number): Record<string, DeflateExtension> => {
      // accept() normalizes the offer objects it is given: parse the header again for the second one.
      const rx = new lib.PerMessageDeflate({ ...settings, maxPayload: limit });
      rx.accept(lib.extension.parse(header)[DEFLATE_NAME]!);
      return { [DEFLATE_NAME]: rx };
    };
    return { ok: true, extensions: { [DEFLATE_NAME]: pmd }, receiving, header: lib.extension.format({ [DEFLATE_NAME]: [pmd.params] }) };
  } catch {
    return { ok: false, detail: 'invalid or unacceptable Sec-WebSocket-Extensions' };
  }
}
