import * as tls from 'node:tls';
import { XClosedReason } from './closed-reason';
import { assertSeconds, XAsyncError } from './errors';
import type { XAsyncTCPClient } from './tcp-client';

/** Options of `startSSL`. Key material is PEM (string or Buffer), as `tls.createSecureContext` takes it. */
export interface XSSLOptions {
  /** Server side of the handshake (default: true for accepted connections, false for outgoing ones). */
  serverSide?: boolean;
  key?: string | Buffer;
  cert?: string | Buffer;
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client side: the name to send (SNI) and to verify the certificate against. */
  servername?: string;
  /** Client side: verify the server's certificate (default true). */
  rejectUnauthorized?: boolean;
  /** Server side: ask the client for a certificate (default false). */
  requestCert?: boolean;
  /** ALPN protocols to offer or accept. */
  ALPNProtocols?: string[];
  /** Seconds the handshake may take (default 10): a silent peer cannot hold the connection. */
  handshakeTimeoutSec?: number;
}

/**
 * Starts TLS over a connected XAsyncTCPClient. Node's TLS runs the handshake on the event loop, so a
 * slow or silent peer delays nobody else (the original ran it synchronously and stalled every client).
 */
export function startTls(c: XAsyncTCPClient, o: XSSLOptions, context: tls.SecureContext | null): Promise<void> {
  if (c._tls !== null) return Promise.reject(new XAsyncError('ERR_XAS_TLS', 'startSSL: TLS is already started on this connection'));
  if (c.isClosing || c.isClosed) return Promise.reject(new XAsyncError('ERR_XAS_CLOSED', 'startSSL: the connection is closed or closing'));
  const serverSide = o.serverSide ?? c.slot !== null;
  const timeoutMs = assertSeconds('handshakeTimeoutSec', o.handshakeTimeoutSec ?? 10) * 1000;
  let ctx: tls.SecureContext;
  try {
    ctx = context ?? tls.createSecureContext({ key: o.key, cert: o.cert, ca: o.ca });
  } catch (err) {
    return Promise.reject(new XAsyncError('ERR_XAS_TLS', `startSSL: invalid key material: ${(err as Error).message}`, { cause: err }));
  }
  if (serverSide && !context && (!o.key || !o.cert)) {
    return Promise.reject(new XAsyncError('ERR_XAS_INVALID_ARG', 'startSSL: the server side needs options.key and options.cert'));
  }
  return new Promise<void>((resolve, reject) => {
    const plain = c._sock;
    // Bytes received before the upgrade (none in a correct protocol) are not part of the TLS stream.
    c.consume(c.recvPending);
    let t: tls.TLSSocket;
    if (serverSide) {
      t = new tls.TLSSocket(plain, { isServer: true, secureContext: ctx, requestCert: o.requestCert ?? false, rejectUnauthorized: false, ALPNProtocols: o.ALPNProtocols });
    } else {
      t = tls.connect({ socket: plain, secureContext: ctx, servername: o.servername ?? (c.remoteAddress.host || undefined), rejectUnauthorized: o.rejectUnauthorized ?? true, ALPNProtocols: o.ALPNProtocols });
    }
    c._tlsFail = (err) => {
      c._tlsFail = null;
      c._timers.disarmMisc();
      reject(new XAsyncError('ERR_XAS_TLS', `TLS handshake failed: ${err.message}`, { cause: err }));
      c._fail(c.closedReason ?? XClosedReason.Error, err);
    };
    c._switchToTls(t);
    c._timers.armMisc('tls', timeoutMs);
    t.once(serverSide ? 'secure' : 'secureConnect', () => {
      c._timers.disarmMisc();
      c._tlsFail = null;
      resolve();
    });
  });
}
