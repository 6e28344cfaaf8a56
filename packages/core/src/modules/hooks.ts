import type { MicroWebSrv } from '../server/micro-web-srv';
import { isThenable } from './module';

/** Runs a hook on every loaded module in load order; one that throws is logged, not fatal. */
export async function runModuleHooks(server: MicroWebSrv, hook: 'onStart' | 'onStop'): Promise<void> {
  for (const m of server._modules) {
    const fn = m.instance[hook];
    if (typeof fn !== 'function') continue;
    try {
      const r = fn.call(m.instance, server);
      if (isThenable(r)) await r;
    } catch (err) {
      server._log('ERROR', `module ${m.name} ${hook} threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
