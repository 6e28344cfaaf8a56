/**
 * From a request path to a place under the base folder, and nowhere else — core's static path safety
 * (`parseStaticPath`: decoded once; '..', encoded separators, NUL, dotfiles refused; `realInside`: no
 * symlink out of the base) for reads, and the same rules for writes and deletes, where the place may not
 * exist yet: every existing ancestor is resolved and must lie inside the base (a symlinked folder that
 * leads out is refused), missing folders are created one by one under the checked parent.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { hasDotComponent, parseStaticPath, realInside } from '@microwebsrv/core';

/** A checked request path. */
export interface Place {
  /** Decoded names under the base. */
  segments: string[];
  /** The path ended with '/': a folder. */
  dirSlash: boolean;
  /** The path the ACL sees: '/'-rooted, '/' at the end for a folder ('/' is the base itself). */
  aclPath: string;
}

/** A refusal: the status to answer and why (for the log). */
export interface Refusal { status: number; reason: string }

export function isRefusal(x: unknown): x is Refusal { return typeof (x as Refusal).status === 'number'; }

/** Checks `rawSub` (percent-encoded, '/'-rooted, the part after the prefix). */
export function placeOf(rawSub: string, dotfiles: boolean): Place | Refusal {
  const parsed = parseStaticPath(rawSub === '' ? '/' : rawSub, dotfiles);
  if (!parsed.ok) return { status: parsed.status, reason: parsed.reason };
  const { segments } = parsed;
  const dirSlash = parsed.dirSlash || segments.length === 0;
  const aclPath = '/' + segments.join('/') + (dirSlash && segments.length > 0 ? '/' : '');
  return { segments, dirSlash, aclPath };
}

/**
 * The real path of an existing `place` inside `realBase`, or null when it is absent (or a symlink out,
 * or through a dot component unless `dotfiles`).
 */
export function realOf(realBase: string, place: Place, dotfiles: boolean): Promise<string | null> {
  return realInside(realBase, path.join(realBase, ...place.segments), dotfiles);
}

/** The lstat of `p`, or null when absent. */
async function lstatOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try { return await fsp.lstat(p); } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** An existing folder entry `p` resolved: its real path inside the base, or a refusal. */
async function resolveDir(realBase: string, p: string, st: import('node:fs').Stats, dotfiles: boolean): Promise<string | Refusal> {
  if (st.isSymbolicLink()) {
    const real = await realInside(realBase, p, dotfiles);
    if (real === null) return { status: 403, reason: 'a symlink out of the base' };
    if (!(await fsp.stat(real)).isDirectory()) return { status: 409, reason: 'a file is in the way of a folder' };
    return real;
  }
  if (!st.isDirectory()) return { status: 409, reason: 'a file is in the way of a folder' };
  return p;
}

/**
 * Asked before a missing folder is created, with its ACL path ('/a/b/'): 0 allows, else the refusing status.
 * null: nothing is created (a missing folder is a 404).
 */
export type CreateCheck = ((aclPath: string) => Promise<number>) | null;

/**
 * Walks `segments` from `realBase`, every one a folder: existing ones resolved and checked, missing ones
 * created when `create` allows (else a 404). Returns the real folder and whether its last step was created.
 */
export async function folderOf(realBase: string, segments: readonly string[], dotfiles: boolean, create: CreateCheck): Promise<{ dir: string; created: boolean } | Refusal> {
  let dir = realBase;
  let created = false;
  for (let i = 0; i < segments.length; i++) {
    const p = path.join(dir, segments[i]);
    let st = await lstatOrNull(p);
    created = false;
    if (st === null) {
      if (create === null) return { status: 404, reason: 'no such folder' };
      const aclPath = '/' + segments.slice(0, i + 1).join('/') + '/';
      const refusal = await create(aclPath);
      if (refusal !== 0) return { status: refusal, reason: `ACL refuses creating ${aclPath}` };
      try {
        await fsp.mkdir(p);
        created = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      st = await fsp.lstat(p); // made now, or by a concurrent request: checked like any other
    }
    const next = await resolveDir(realBase, p, st, dotfiles);
    if (typeof next !== 'string') return next;
    if (!dotfiles && hasDotComponent(realBase, next)) return { status: 404, reason: 'dotfile' };
    dir = next;
  }
  return { dir, created };
}

/**
 * Where a file `place` is written: its real parent folder (created when `create`), the target's path in
 * it, and what is there now. A target that is a folder → 409; a symlink out of the base → 403 (a rename
 * over a symlink replaces the link, never its target; a link leading out is refused all the same).
 */
export async function fileTarget(realBase: string, place: Place, dotfiles: boolean, create: CreateCheck): Promise<{ dir: string; file: string; existing: import('node:fs').Stats | null } | Refusal> {
  if (place.segments.length === 0) return { status: 409, reason: 'the base folder is not a file' };
  const parent = await folderOf(realBase, place.segments.slice(0, -1), dotfiles, create);
  if (isRefusal(parent)) return parent;
  const file = path.join(parent.dir, place.segments[place.segments.length - 1]);
  let existing = await lstatOrNull(file);
  if (existing !== null && existing.isSymbolicLink()) {
    const real = await realInside(realBase, file, dotfiles);
    if (real === null) return { status: 403, reason: 'a symlink out of the base' };
    existing = await fsp.stat(real);
  }
  if (existing !== null && existing.isDirectory()) return { status: 409, reason: 'a folder is there (end the path with / for folders)' };
  if (existing !== null && !existing.isFile()) return { status: 409, reason: 'not a regular file' };
  return { dir: parent.dir, file, existing };
}
