import { streamHandleOf, type ConnSocket } from './conn-socket';
import { binding } from './handle-binding';

/*
 * Writes straight to the socket's libuv handle, past Node's Writable machinery, when nothing is queued
 * in front of it. Node's `socket.write` costs ~430 B of V8 heap per call (its write request, callback
 * bookkeeping, state updates) even when the kernel takes every byte at once; the handle's own
 * `writeLatin1String` / `writeBuffer` first try a synchronous write (`uv_try_write`) and only bind the
 * request object when the kernel could not take everything. So one request object, reused while writes
 * complete synchronously, makes a small response's write allocation-free.
 *
 * This uses Node internals (`process.binding('stream_wrap')`, found once by handle-binding.ts, and the
 * socket's handle), feature-detected: where they are missing or shaped differently, `directWrite` returns false and the caller uses
 * `socket.write`. Order is kept either way: both paths queue on the same libuv stream.
 */

interface WriteReq { handle: unknown; oncomplete: ((status: number) => void) | null; async: boolean; bytes: number; buffer: unknown; owner: DirectOwner | null }

/**
 * Where a connection records its direct write still in libuv's queue (one at most). `directDone` is
 * called when that write completes (or is cancelled by a close).
 */
export interface DirectOwner { directPending: object | null; directDone(): void }
interface StreamHandle {
  writeLatin1String(req: WriteReq, s: string): number;
  writeBuffer(req: WriteReq, b: Uint8Array): number;
}
/** The request reused for writes that complete synchronously; replaced when one goes asynchronous. */
let spare: WriteReq | null = binding !== null ? newReq() : null;

function newReq(): WriteReq {
  const r = new binding!.WriteWrap() as unknown as WriteReq;
  r.handle = null;
  r.oncomplete = onAsyncDone;
  r.async = false;
  r.bytes = 0;
  r.buffer = null;
  r.owner = null;
  return r;
}

/** An asynchronous direct write finished (or was cancelled by a close): its owner is told (it may uncork). */
function onAsyncDone(this: WriteReq): void {
  const owner = this.owner;
  this.owner = null;
  this.buffer = null;
  this.handle = null;
  if (owner !== null && owner.directPending === this) {
    owner.directPending = null;
    owner.directDone();
  }
}

/**
 * Bytes waiting to be sent on `sock`: Node's queue, plus libuv's while a direct write of `owner` is in
 * it (the kernel did not take it whole). Every send-side guard (the overflow bound, the send timeout,
 * `sendPending`, the rate checks above) reads this, so a direct write is never hidden from them.
 */
export function queuedBytes(sock: ConnSocket, owner: DirectOwner): number {
  if (sock.queueIncludesHandle === true) {
    // A HandleSocket's length counts libuv's queue already, a direct write's remainder included. Its
    // queue holds only its own writes and the owner's direct write: with neither out, it is empty, known
    // without the handle's native getter (looked at several times per read: send, flush, pipelining).
    return owner.directPending === null && sock.ownWritesIdle === true ? 0 : sock.writableLength;
  }
  const n = sock.writableLength;
  if (owner.directPending === null) return n;
  const h = streamHandleOf<{ writeQueueSize?: unknown }>(sock);
  return h !== null && typeof h.writeQueueSize === 'number' ? n + h.writeQueueSize : n;
}

/**
 * Bytes of `sock` the kernel has taken (written less {@link queuedBytes}): what the send-progress guards
 * (the send timeout, core's rate checks through `bytesFlushed`) measure a reader by.
 */
export function flushedBytes(sock: ConnSocket, owner: DirectOwner): number {
  return sock.bytesWritten - queuedBytes(sock, owner);
}

/** True when direct writes are available in this Node. */
export const directWriteAvailable = binding !== null;

/**
 * The socket's handle when a direct write may go now: a plain TCP socket (not TLS: its handle carries
 * ciphertext), connected, nothing queued or corked in Node's stream, not ending, and no earlier direct
 * write of `owner` still waiting in libuv (then Node's stream takes the bytes and does the accounting:
 * at most one direct write per connection is ever outside it).
 */
export function directHandle(sock: ConnSocket, owner: DirectOwner): StreamHandle | null {
  if (binding === null || owner.directPending !== null || queuedBytes(sock, owner) !== 0 || sock.writableCorked !== 0 || sock.writableEnded || sock.connecting) return null;
  const h = streamHandleOf<StreamHandle>(sock);
  return h !== null && typeof h.writeLatin1String === 'function' ? h : null;
}

/**
 * Writes `data` on `h`. Returns false when the handle refused it (an error code): the caller falls back
 * to `socket.write`, which reports the error through the stream as usual.
 */
export function directWrite(h: StreamHandle, data: string | Uint8Array, owner: DirectOwner): boolean {
  const req = spare!;
  req.handle = h;
  const err = typeof data === 'string' ? h.writeLatin1String(req, data) : h.writeBuffer(req, data);
  if (err !== 0) { req.handle = null; return false; }
  if (binding!.streamBaseState[binding!.kLastWriteWasAsync] !== 0) {
    // The kernel took part: libuv holds the request (and the data) until the rest is written.
    req.buffer = data;
    req.owner = owner;
    owner.directPending = req;
    spare = newReq();
  } else req.handle = null;
  return true;
}
