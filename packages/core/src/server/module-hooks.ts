import type { Logger } from '../base/logger';
import type { ServerRef } from '../base/refs';
import { isThenable } from '../base/thenable';
import type { BodyReceiver, MwsModule } from '../modules/module';
import type { HttpRequest } from '../request/http-request';

/** Runs a hook on every loaded module in load order; one that throws is logged, not fatal. */
export async function runModuleHooks(server: ServerRef, modules: ReadonlyArray<{ name: string; instance: MwsModule }>, log: Logger, hook: 'onStart' | 'onStop'): Promise<void> {
  for (const m of modules) {
    const fn = m.instance[hook];
    if (typeof fn !== 'function') continue;
    try {
      const r = fn.call(m.instance, server);
      if (isThenable(r)) await r;
    } catch (err) {
      log.log('ERROR', `module ${m.name} ${hook} threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** The first `BodyReceiver` a module's `onRequestBody` returns for `req` (one that throws is logged, skipped), or null. */
export function bodyReceiverOf(server: ServerRef, mods: readonly MwsModule[], log: Logger, req: HttpRequest): BodyReceiver | null {
  for (let i = 0; i < mods.length; i++) {
    let r: BodyReceiver | null | undefined | void;
    try {
      r = mods[i].onRequestBody!(server, req);
    } catch (err) {
      log.log('ERROR', `module onRequestBody threw: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (r !== null && r !== undefined) return r;
  }
  return null;
}
