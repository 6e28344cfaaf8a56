import type { Logger } from '../base/logger';
import type { ServerRef } from '../base/refs';
import { isThenable } from '../base/thenable';
import type { MwsModule } from '../modules/module';

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
