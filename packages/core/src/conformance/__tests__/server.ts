/**
 * A real MicroWebSrv on 127.0.0.1:0 for the socket-level tests, with the routes the conformance cases
 * use, over plain TCP or TLS (the fixture certificate).
 */
import { Readable } from 'node:stream';
import { MicroWebSrv } from '../../index';
import type { LogLevelName } from '../../server/logging';
import { CERT_FILE, KEY_FILE, type Endpoint, type Transport } from './raw';

export interface TestServer {
  srv: MicroWebSrv;
  ep: Endpoint;
  logs: Array<{ type: LogLevelName; msg: string }>;
}

/** Registers the routes of the conformance cases. */
export function registerTestRoutes(srv: MicroWebSrv): void {
  srv.registerRoute((_s, req) => req.response.returnOk('hello'), 'GET', '/hello');
  // The body of the request, as received (de-chunked), with a text type so that it is easy to read.
  srv.registerRoute((_s, req) => { req.response.contentType = 'text/plain'; req.response.returnOk(req.content); }, 'POST', '/echo');
  // One field of the request, bracketed so that trimming shows: [value] or [] when absent.
  srv.registerRoute((_s, req) => req.response.returnOk(`[${req.getHeader('x-a') ?? ''}]`), 'GET', '/hdr');
  srv.registerRoute((_s, req) => req.response.returnOk(`${req.method} ${req.path} ${req.host}`), 'GET', '/info');
  srv.registerRoute((_s, req) => req.response.return(204, 'x'), 'GET', '/204');
  srv.registerRoute((_s, req) => req.response.returnNotModified(), 'GET', '/304');
  srv.registerRoute((_s, req) => req.response.returnStream(200, Readable.from(['a', 'b'])), 'GET', '/stream');
  // Answered later (an async handler): pipelined requests behind it must wait their turn.
  srv.registerRoute(async (_s, req) => { await new Promise((r) => setTimeout(r, 30)); req.response.returnOk('slow'); }, 'GET', '/slow');
}

/** Starts a server; `configure` runs before start (settings that need a stopped server). */
export async function startTestServer(transport: Transport, configure?: (srv: MicroWebSrv) => void): Promise<TestServer> {
  const srv = new MicroWebSrv();
  const logs: TestServer['logs'] = [];
  srv.bindAddress = ['127.0.0.1', 0];
  srv.logLevel = 'WARNING';
  srv.onLogging = (_s, msg, type) => { logs.push({ type, msg }); };
  srv.stopTimeoutSec = 1;
  if (transport === 'tls') srv.enableSSL({ certFile: CERT_FILE, keyFile: KEY_FILE });
  registerTestRoutes(srv);
  configure?.(srv);
  await srv.startManaged();
  return { srv, ep: { port: srv.address[1], transport }, logs };
}
