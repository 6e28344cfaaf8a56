/**
 * The access decision: readOnly / writeOnly first, then uhttpd's ACL callback (`file_acl`). uhttpd's rule
 * for the callback's answer: ACL_RO / ACL_RW / ACL_WO, or an HTTP status >= 400; anything else is a 403.
 */
import type { HttpRequest } from '@microwebsrv/core';
import type { Access, AclResult, FileAcl } from './options';

/** 0: allowed; else the status that refuses it. */
export type Decision = number;

/** True when the ACL value `v` grants `access`. */
function grants(v: AclResult, access: Access): boolean {
  return v === 'rw' || (access === 'read' ? v === 'ro' : v === 'wo');
}

/** Maps the callback's answer to a decision (a status 400–599 answers as such; anything else not granting → 403). */
export function decisionOf(v: unknown, access: Access): Decision {
  if (v === 'rw' || v === 'ro' || v === 'wo') return grants(v, access) ? 0 : 403;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 400 && v <= 599) return v;
  return 403;
}

/**
 * Asks `acl` about `path` (under the base, '/'-rooted, '/' at the end for a folder). A callback that
 * throws or rejects refuses (403) and is logged by the caller through `onError`.
 */
export async function decide(acl: FileAcl | null, path: string, access: Access, request: HttpRequest, onError: (err: unknown) => void): Promise<Decision> {
  if (acl === null) return 0;
  try {
    return decisionOf(await acl(path, access, request), access);
  } catch (err) {
    onError(err);
    return 403;
  }
}
