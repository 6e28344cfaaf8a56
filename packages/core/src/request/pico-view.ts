import { percentDecode } from './decode';

/**
 * picohttp's request object, for single handlers written in its style (`request.picoView`): the path as
 * a list of decoded segments, the query as a dict, the protocol, the headers and the body.
 */
export interface PicoRequestView {
  /** The method, as sent. */
  readonly method: string;
  /**
   * The path's segments, each percent-decoded on its own (so `%2F` inside a segment stays in it and never
   * splits it): `/` → `[]`, `/a/b%20c` → `['a', 'b c']`, `/a/` → `['a', '']` (a trailing '' marks a
   * folder path, RFC 3986 §3.3). A segment with a malformed escape is kept as sent. Values are request
   * data: a segment may be '..' or contain '/'; never join one into a file path unchecked.
   */
  readonly path: readonly string[];
  /** Query parameters, decoded ('+' is a space); a repeated name keeps its last value. */
  readonly query: Readonly<Record<string, string>>;
  /** 'HTTP/1.0' or 'HTTP/1.1'. */
  readonly protocol: string;
  /** All fields by lower-case name (repeated fields joined, RFC 9110 §5.3). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body (empty when none, or when a module took it as it arrived). */
  readonly data: Buffer;
}

/** The decoded segments of a raw path (see {@link PicoRequestView.path}). */
export function pathSegments(rawPath: string): string[] {
  if (rawPath === '/' || rawPath.length === 0) return [];
  const parts = (rawPath.charCodeAt(0) === 0x2f ? rawPath.slice(1) : rawPath).split('/');
  for (let i = 0; i < parts.length; i++) parts[i] = percentDecode(parts[i]) ?? parts[i];
  return parts;
}

/** Builds the frozen view from the request's values (the request caches it). */
export function picoViewOf(method: string, rawPath: string, query: Record<string, string>, httpVer: string, headers: Record<string, string>, data: Buffer): PicoRequestView {
  return Object.freeze({ method, path: Object.freeze(pathSegments(rawPath)), query, protocol: `HTTP/${httpVer}`, headers, data });
}
