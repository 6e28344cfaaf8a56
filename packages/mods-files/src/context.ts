/**
 * What the operations (read, write, delete) share of their module: the checked options, the real base,
 * the quota, the ACL as a decision, a log. The module is one; the operations never import it.
 */
import type { HttpRequest, LogLevelName } from '@microwebsrv/core';
import type { Decision } from './acl';
import type { Access, ResolvedOptions } from './options';
import type { Quota } from './quota';

export interface FilesContext {
  readonly opts: ResolvedOptions;
  /** realpath of the base folder. */
  readonly realBase: string;
  readonly quota: Quota;
  /** The ACL's decision about `aclPath` (0: allowed, else the status). */
  allow(aclPath: string, access: Access, request: HttpRequest): Promise<Decision>;
  log(msg: string, type: LogLevelName): void;
  /** The media type a file of this name is served as (the server's MIME table; unknown: application/octet-stream). */
  typeOf(name: string): string;
}

/**
 * What an operation answers: a status with JSON (`json`), a status alone, or `done` when it answered
 * itself (a file through core's static machinery). `reason` goes to the log with refusals.
 */
export interface Outcome {
  status: number;
  json?: unknown;
  html?: string;
  headers?: Record<string, string>;
  reason?: string;
  done?: boolean;
}

export const answered: Outcome = { status: 0, done: true };

/** A refusal as an outcome (the reason goes to the log and, for client errors, into the JSON body). */
export function refused(status: number, reason: string): Outcome {
  return { status, reason };
}
