import type * as net from 'node:net';
import * as tls from 'node:tls';
import { TlsLink, type ClientState } from './client-state';
import type { ClientTimers } from './client-timers';
import { XClosedReason } from './closed-reason';
import { assertSeconds, XAsyncError } from './errors';
import type { ReadFlow } from './read-flow';

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

/** What startTls needs of a connection: its state, read flow and timers, and how its events move to TLS. */
export interface TlsUpgradable {
  readonly state: ClientState;
  readonly flow: ReadFlow;
  readonly timers: ClientTimers;
  /** The side to take when `serverSide` is not given: server for accepted connections. */
  readonly acceptedSide: boolean;
  /** The plain socket as a net.Socket, which TLS wraps (an accepted connection's handle moves to one now). */
  netSocket(): net.Socket;
  /** Moves the connection's reads and socket events to `t` (the client's own listeners); `state.tls` is set already. */
  attach(t: tls.TLSSocket): void;
}

/**
 * Starts TLS over a connected XAsyncTCPClient. Node's TLS runs the handshake on the event loop, so a
 * slow or silent peer delays nobody else (the original ran it synchronously and stalled every client).
 */
export function startTls(u: TlsUpgradable, o: XSSLOptions, context: tls.SecureContext | null): Promise<void> {
  const s = u.state;
  if (s.tls !== null) return Promise.reject(new XAsyncError('ERR_XAS_TLS', 'startSSL: TLS is already started on this connection'));
  if (s.closing) return Promise.reject(new XAsyncError('ERR_XAS_CLOSED', 'startSSL: the connection is closed or closing'));
  const serverSide = o.serverSide ?? u.acceptedSide;
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
    const plain = u.netSocket();
    // Bytes received before the upgrade (none in a correct protocol) are not part of the TLS stream.
    s.reader.consume(s.reader.pending);
    u.flow.roomMade();
    let t: tls.TLSSocket;
    if (serverSide) {
      t = new tls.TLSSocket(plain, { isServer: true, secureContext: ctx, requestCert: o.requestCert ?? false, rejectUnauthorized: false, ALPNProtocols: o.ALPNProtocols });
    } else {
      t = tls.connect({ socket: plain, secureContext: ctx, servername: o.servername ?? (s.remoteHost || undefined), rejectUnauthorized: o.rejectUnauthorized ?? true, ALPNProtocols: o.ALPNProtocols });
    }
    const link = new TlsLink(t, (err) => {
      link.fail = null;
      u.timers.disarmMisc();
      reject(new XAsyncError('ERR_XAS_TLS', `TLS handshake failed: ${err.message}`, { cause: err }));
      s.fail(s.owner.closedReason ?? XClosedReason.Error, err);
    });
    s.tls = link;
    u.attach(t);
    u.timers.armMisc('tls', timeoutMs);
    t.once(serverSide ? 'secure' : 'secureConnect', () => {
      u.timers.disarmMisc();
      link.fail = null;
      resolve();
    });
  });
}
