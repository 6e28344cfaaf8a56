import { constants as osConstants } from 'node:os';
import { getSystemErrorName } from 'node:util';

/*
 * The Node internals a HandleSocket (handle-socket.ts) drives a TCP handle with: the stream binding's
 * request classes and shared state array, the handle's methods, libuv codes. Feature-detected once:
 * `binding` is null where they are missing or shaped differently, and accepted connections then keep
 * their net.Socket.
 */

/** A write or shutdown request (Node's WriteWrap / ShutdownWrap), with what its completion needs. */
export interface Req {
  handle: unknown;
  oncomplete: ((status: number) => void) | null;
  owner: object | null;
  bytes: number;
  buffer: unknown;
  cb: ((err?: Error | null) => void) | null;
}

/** The libuv TCP handle as Node's tcp_wrap exposes it (the members used). */
export interface TcpHandle {
  /** Node asserts a function here: a closed or handed-over handle gets `noRead`. */
  onread: (this: TcpHandle) => Buffer | undefined;
  readStart(): number;
  readStop(): number;
  useUserBuffer(b: Uint8Array): void;
  writeBuffer(req: Req, b: Uint8Array): number;
  writev(req: Req, chunks: Uint8Array[], allBuffers: boolean): number;
  /** 0: queued, 1: done at once, < 0: a libuv error. */
  shutdown(req: Req): number;
  close(cb: () => void): void;
  setNoDelay(on: boolean): number;
  getsockname(out: Record<string, unknown>): number;
  /** libuv's queued bytes (not yet taken by the kernel), direct writes included. */
  readonly writeQueueSize: number;
  /** Bytes handed to the handle, direct writes included. */
  readonly bytesWritten: number;
}

interface Binding {
  WriteWrap: new () => Req;
  ShutdownWrap: new () => Req;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

export const binding: Binding | null = (() => {
  try {
    // `process.binding` is deprecated (DEP0111) but kept, and warns only under --pending-deprecation.
    const b = (process as unknown as { binding(n: string): Binding }).binding('stream_wrap');
    if (typeof b.WriteWrap !== 'function' || typeof b.ShutdownWrap !== 'function' || !ArrayBuffer.isView(b.streamBaseState)
      || typeof b.kReadBytesOrError !== 'number' || typeof b.kLastWriteWasAsync !== 'number') return null;
    return b;
  } catch {
    return null;
  }
})();

/** True when `h` has every method a HandleSocket calls. */
export function isTcpHandle(h: unknown): h is TcpHandle {
  const t = h as TcpHandle | null | undefined;
  return !!t && typeof t.readStart === 'function' && typeof t.useUserBuffer === 'function' && typeof t.writeBuffer === 'function'
    && typeof t.writev === 'function' && typeof t.shutdown === 'function' && typeof t.close === 'function';
}

/** libuv's end-of-stream code (the same on every platform). */
export const UV_EOF = -4095;
/** libuv's "not connected" (the platform's errno, negated). */
export const UV_ENOTCONN = -(osConstants.errno.ENOTCONN ?? 107);

let ownerSymbol: symbol | null | undefined;
/**
 * Node's `owner_symbol`, under which a handle names its owner (found on the first handle; null when
 * this Node has none). A HandleSocket takes that place: the net.Socket it replaces is not kept alive
 * by its handle, and the shared read function finds its socket there without a new property per handle.
 */
export function ownerSymbolOf(h: object): symbol | null {
  if (ownerSymbol === undefined) ownerSymbol = Object.getOwnPropertySymbols(h).find((x) => x.description === 'owner_symbol') ?? null;
  return ownerSymbol !== null && Object.prototype.hasOwnProperty.call(h, ownerSymbol) ? ownerSymbol : null;
}

/** An Error as Node makes one from a libuv code (`read ECONNRESET`, code, errno, syscall). */
export function uvError(status: number, syscall: string): Error {
  let name = 'UNKNOWN';
  try { name = getSystemErrorName(status); } catch { /* not an errno */ }
  return Object.assign(new Error(`${syscall} ${name}`), { errno: status, code: name, syscall });
}

/** A closed or handed-over handle's reads. */
export function noRead(): undefined { return undefined; }
