/** The synchronous file calls of the static path (see serve-static.ts for why they run on the loop's thread). */
import { closeSync, constants as fsConstants, readSync } from 'node:fs';

/** Files up to this size are read at once and leave with their head in one write. */
export const SMALL_FILE = 64 * 1024;
/** O_NONBLOCK: opening a FIFO placed under the root must not block a libuv thread until a writer comes. */
export const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

export const closeQuietly = (fd: number): void => { try { closeSync(fd); } catch { /* already closed: nothing leaks */ } };

/** The `size` bytes of a small file; a file that shrank since its fstat throws (answered 500, logged). */
export function readWhole(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  while (pos < size) {
    const n = readSync(fd, buf, pos, size - pos, pos);
    if (n === 0) throw new Error('the file shrank while it was read');
    pos += n;
  }
  return buf;
}
