/**
 * What a response needs of its server, as data (uWebSockets' way: data apart from behaviour). The server
 * owns one such object and updates it when a setting changes; a response reads it per request. Tests
 * give a literal one (`responseDefaults({...})`) and need no server.
 */
export interface ResponseDefaults {
  /** `Server: …\r\n`, or '' for none. */
  serverLine: string;
  /** End of a persistent HTTP/1.1 head: `Keep-Alive: timeout=N\r\n\r\n`. */
  keepAliveLine: string;
  /** End of a persistent HTTP/1.0 head: `Connection: keep-alive\r\nKeep-Alive: timeout=N\r\n\r\n`. */
  keepAliveLine10: string;
  /** Echo the request's Origin in Access-Control-Allow-Origin (with Vary: Origin). */
  allowAllOrigins: boolean;
  /** CORS allow-all: credentials with echoed origins, `*` otherwise. */
  corsAllowAll: boolean;
  /** Not-found pages redirect here when set. */
  notFoundURL: string | null;
  /** The Content-Type of a file by name, or null when it must be refused (403). */
  mimeTypeOf(filename: string): string | null;
}

/** A defaults object with the server's initial values, `over` applied (for tests and embedders). */
export function responseDefaults(over: Partial<ResponseDefaults> = {}): ResponseDefaults {
  return {
    serverLine: 'Server: MicroWebSrv-TS\r\n',
    keepAliveLine: 'Keep-Alive: timeout=2\r\n\r\n',
    keepAliveLine10: 'Connection: keep-alive\r\nKeep-Alive: timeout=2\r\n\r\n',
    allowAllOrigins: false,
    corsAllowAll: false,
    notFoundURL: null,
    mimeTypeOf: () => 'application/octet-stream',
    ...over,
  };
}
