/** Checks what a cluster's `setup` returned: the servers to start. */
import { invalidOption } from '../base/errors';
import { MicroWebSrv } from '../server/micro-web-srv';
import type { SetupResult } from './context';

const ALLOWED = 'a function returning a MicroWebSrv or a non-empty array of them (or a promise of it)';

/** The servers of `result`, or ERR_MWS_INVALID_OPTION naming `startCluster setup`. */
export function serversOf(result: SetupResult | unknown): MicroWebSrv[] {
  const list = Array.isArray(result) ? [...result as unknown[]] : [result];
  if (list.length === 0 || list.some((s) => !(s instanceof MicroWebSrv))) {
    throw invalidOption('startCluster setup', ALLOWED, list.length === 0 ? result : 'a value that is not a MicroWebSrv');
  }
  return list as MicroWebSrv[];
}

export function checkSetup(setup: unknown): void {
  if (typeof setup !== 'function') throw invalidOption('startCluster setup', ALLOWED, setup);
}
