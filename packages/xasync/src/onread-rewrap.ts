import * as net from 'node:net';
import { streamHandleOf, type ConnSocket } from './conn-socket';

export type OnReadOption = { buffer: () => Buffer; callback: (n: number, buf: Buffer) => boolean };

/**
 * Re-wraps a server-accepted socket so the kernel's bytes land in a caller-owned buffer (Node's
 * `onread` option, which Node only offers for sockets it creates). Uses private fields (`_handle`,
 * `_server`): feature-detected, and null means "use the 'data' + copy path".
 */
export function rewrapWithOnRead(orig: net.Socket, onread: OnReadOption): net.Socket | null {
  // Node's own private members (not ours): the only `_` reads across objects in xasync, feature-detected.
  const o = orig as net.Socket & { _handle?: unknown; _server?: unknown };
  if (!o._handle || typeof (o._handle as { readStart?: unknown }).readStart !== 'function') return null;
  try {
    const s = new net.Socket({ handle: o._handle, readable: true, writable: true, onread } as net.SocketConstructorOpts) as net.Socket & { _server?: unknown };
    // Hand the server's connection accounting over, or server.close() never completes.
    s._server = o._server;
    o._server = null;
    o._handle = null;
    return s;
  } catch {
    return null;
  }
}

/**
 * Points the kernel's next read of an `onread` socket at `buf` now, instead of at the buffer the last
 * `onread.buffer()` call returned (Node re-asks that callback only after a read). Uses Node's private
 * `_handle.useUserBuffer` (what Node itself calls when it sets the socket up): feature-detected, and false
 * means "not possible: wait for the next read".
 */
export function retargetRead(sock: ConnSocket, buf: Buffer): boolean {
  const h = streamHandleOf<{ useUserBuffer?: (b: Uint8Array) => void }>(sock);
  if (!h || typeof h.useUserBuffer !== 'function') return false;
  try {
    h.useUserBuffer(buf);
    return true;
  } catch {
    return false;
  }
}
