/**
 * The atomic writer: nothing a user stored is ever lost or torn. An upload streams into a temp file in the
 * target's own folder (same file system: the rename is atomic), is fsync'ed, then renamed over the target
 * and the folder fsync'ed (the rename itself survives a power cut). Any failure before the rename — the
 * client left, the body passed its limit or timed out, the disk is full — removes the temp file: the old
 * file is intact. Two uploads of one path each write their own temp file; the last rename wins, whole.
 * Temp files are dotfiles (`.<name>.mws-<pid>-<random>.part`), never listed or served, and those of a
 * process that died are removed at the next start ({@link removeStaleTemps}).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, type Stats } from 'node:fs';
import * as path from 'node:path';
import type { BodySource } from './body-source';

/** An error that answers with `status` (413, 507, 412). */
export class WriteRefused extends Error {
  constructor(readonly status: number, message: string) { super(message); this.name = 'WriteRefused'; }
}

/** What the writer checks while it writes and at the rename. */
export interface WritePlan {
  /** Most bytes of the file (more → 413). */
  maxBytes: number;
  /** Asked before each chunk is written: false → 507 (the base's quota). */
  take(n: number): boolean;
  /** Checked just before the rename, against what is at the target then (If-Match): a status refuses it (412). */
  precondition(file: string): Promise<number>;
  /** The file must not exist (If-None-Match: *): the temp file is linked in place, EEXIST → 412. */
  createOnly: boolean;
}

/** What a stored upload reports. */
export interface Stored { size: number; replaced: boolean; replacedSize: number }

const TEMP = /^\..+\.mws-(\d+)-[0-9a-f]{12}\.part$/;

/** The temp file of an upload to `file` (same folder, a dotfile; the name cut to stay under 255 bytes). */
export function tempNameFor(file: string): string {
  const base = Buffer.from(path.basename(file)).subarray(0, 180).toString().replace(/\uFFFD+$/, '');
  return path.join(path.dirname(file), `.${base}.mws-${process.pid}-${randomBytes(6).toString('hex')}.part`);
}

/** Commits on one path run one at a time in this process (the precondition and the rename belong together). */
const commits = new Map<string, Promise<unknown>>();

async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = commits.get(key) ?? Promise.resolve();
  const mine = before.then(fn, fn);
  const tail = mine.then(() => {}, () => {});
  commits.set(key, tail);
  try { return await mine; } finally { if (commits.get(key) === tail) commits.delete(key); }
}

async function statOrNull(p: string): Promise<Stats | null> {
  try { return await fsp.stat(p); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** fsync of a folder: makes a rename in it durable (Linux; elsewhere opening a folder may fail: skipped). */
async function syncDir(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // not supported here (Windows): the rename is still atomic, only its durability is the OS's
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** A file-system error as the status it answers: a full disk or quota → 507, a file too large → 413. */
export function statusOfFsError(err: unknown): number | null {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 507;
  if (code === 'EFBIG') return 413;
  return null;
}

/**
 * Streams `source` into `file` atomically under `plan`. Resolves with the stored size; rejects with a
 * {@link WriteRefused} (413, 507, 412), the source's error (abort, timeout) or an fs error — in every
 * rejection the temp file is gone and `file` is as it was.
 */
export async function writeAtomic(file: string, source: BodySource, plan: WritePlan): Promise<Stored> {
  const tmp = tempNameFor(file);
  let fh: fsp.FileHandle | null = await fsp.open(tmp, 'wx');
  try {
    let size = 0;
    for await (const chunk of source.chunks) {
      if (source.signal.aborted) throw source.signal.reason ?? new Error('upload aborted');
      size += chunk.length;
      if (size > plan.maxBytes) throw new WriteRefused(413, `the file passes maxFileBytes (${plan.maxBytes})`);
      if (!plan.take(chunk.length)) throw new WriteRefused(507, 'the folder passes maxTotalBytes');
      for (let off = 0; off < chunk.length;) {
        const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
        off += bytesWritten;
      }
    }
    if (source.signal.aborted) throw source.signal.reason ?? new Error('upload aborted');
    await fh.sync();
    await fh.close();
    fh = null;
    return await serialized(file, async () => {
      const refused = await plan.precondition(file);
      const existing = await statOrNull(file);
      if (refused !== 0) throw new WriteRefused(refused, 'precondition failed');
      if (plan.createOnly) {
        // link() fails with EEXIST if anything took the name meanwhile, even another process.
        try { await fsp.link(tmp, file); } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new WriteRefused(412, 'the file exists (If-None-Match: *)');
          throw err;
        }
        await fsp.unlink(tmp);
      } else {
        await fsp.rename(tmp, file);
      }
      await syncDir(path.dirname(file));
      return { size, replaced: existing !== null, replacedSize: existing?.size ?? 0 };
    });
  } catch (err) {
    const status = statusOfFsError(err);
    if (status !== null) throw new WriteRefused(status, (err as Error).message);
    throw err;
  } finally {
    if (fh !== null) await fh.close().catch(() => {});
    await fsp.unlink(tmp).catch(() => {}); // gone already after a rename or a link + unlink
  }
}

/** True when `name` is the temp file of an upload of this process (its bytes are that upload's: it gives them back if it fails). */
export function isOwnTemp(name: string): boolean {
  const m = TEMP.exec(name);
  return m !== null && Number(m[1]) === process.pid;
}

/** True when `pid` is a running process (signal 0 probes without sending anything). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Walks `dir` (not following symlinks): removes the temp files of processes that are not running any
 * more (a crash mid-upload) and returns the bytes of the other regular files (the base's usage).
 */
export async function removeStaleTemps(dir: string, removed: string[] = []): Promise<{ bytes: number; removed: string[] }> {
  let bytes = 0;
  let entries: import('node:fs').Dirent[];
  try { entries = await fsp.readdir(dir, { withFileTypes: true }); } catch { return { bytes, removed }; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { bytes += (await removeStaleTemps(p, removed)).bytes; continue; }
    if (!e.isFile()) continue;
    const m = TEMP.exec(e.name);
    if (m !== null && !alive(Number(m[1]))) {
      await fsp.unlink(p).then(() => removed.push(p), () => {});
      continue;
    }
    try { bytes += (await fsp.stat(p)).size; } catch { /* gone meanwhile */ }
  }
  return { bytes, removed };
}
