import { constants as osConstants } from 'node:os';
import { invalidOption } from '../base/errors';

/** Anything with a graceful `stop()`: a `MicroWebSrv`, an `XAsyncSocketsPool`, your own service. */
export interface Stoppable {
  stop(): Promise<unknown> | unknown;
}

/** Options of {@link stopOnSignals}. */
export interface StopOnSignalsOptions {
  /** The signals that stop the servers. Default `['SIGINT', 'SIGTERM']`: Ctrl-C, and what `kill`, systemd, Docker and `npx` send. */
  signals?: NodeJS.Signals[];
  /**
   * A deadline, in seconds, for the whole stop (the servers' stops and `onStopped`): past it the
   * process exits with code 1 even if a stop is still pending. Default: none (each `MicroWebSrv` already
   * bounds its drain with `stopTimeoutSec`).
   */
  timeoutSec?: number;
  /**
   * Called once every server's stop has settled (fulfilled or rejected), before the exit: stop what the
   * servers share here (a pool given to `startInPool`), print a last line. May return a promise, which is
   * awaited; a throw or a rejection makes the exit code 1.
   */
  onStopped?: (signal: NodeJS.Signals) => unknown;
  /**
   * Exit the process when the stop is done (default `true`): `process.exit(0)`, or `1` if a stop failed.
   * With `false` the exit code is only set (`process.exitCode`), the handlers are removed, and Node exits
   * by itself once nothing else keeps it alive.
   */
  exit?: boolean;
}

const DEFAULT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
// A process cannot catch these (POSIX signal(7)): listening for them would silently do nothing.
const UNCATCHABLE = new Set(['SIGKILL', 'SIGSTOP']);

/**
 * Stops `servers` gracefully when the process receives one of `signals`, then exits.
 *
 * On the first signal every server's `stop()` runs (in parallel: each stops listening and lets its
 * in-flight responses finish), then `onStopped`, then the process exits with code 0, or 1 if a stop or
 * `onStopped` failed (the error is printed to stderr) or `timeoutSec` passed. A second signal while
 * stopping exits with code 1 at once (Ctrl-C twice: "really stop now").
 *
 * Without it, SIGTERM — what `kill`, systemd, Docker and `npx` send — ends a Node process at once with
 * exit code 143 and no drain: in-flight responses are cut.
 *
 * ```js
 * const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');
 * const srv = new MicroWebSrv();
 * await srv.startManaged();
 * stopOnSignals(srv);   // Ctrl-C or `kill`: drain, then exit 0
 * ```
 *
 * Misuse (no server, an object without `stop()`, an unknown or uncatchable signal, a bad option)
 * throws `ERR_MWS_INVALID_OPTION` naming the option.
 *
 * @returns a function that removes the signal handlers (before a signal: the servers then run on
 *   untouched; calling it again does nothing).
 */
export function stopOnSignals(servers: Stoppable | readonly Stoppable[], options: StopOnSignalsOptions = {}): () => void {
  const list = checkServers(servers);
  if (options === null || typeof options !== 'object') throw invalidOption('stopOnSignals options', 'an object', options);
  const { signals = DEFAULT_SIGNALS, timeoutSec, onStopped, exit = true } = options;
  checkSignals(signals);
  if (timeoutSec !== undefined && (typeof timeoutSec !== 'number' || !Number.isFinite(timeoutSec) || timeoutSec <= 0)) {
    throw invalidOption('stopOnSignals timeoutSec', 'a number of seconds above 0, or undefined for no deadline', timeoutSec);
  }
  if (onStopped !== undefined && typeof onStopped !== 'function') throw invalidOption('stopOnSignals onStopped', 'a function', onStopped);
  if (typeof exit !== 'boolean') throw invalidOption('stopOnSignals exit', 'true or false', exit);

  let stopping = false;
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    for (const s of signals) process.off(s, onSignal);
  };
  const finish = (code: number): void => {
    if (exit) process.exit(code);
    process.exitCode = code;
    remove();
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (stopping) {
      console.error(`${signal} again while stopping: exiting now`);
      process.exit(1);
    }
    stopping = true;
    // Until the stop is done: should Node run out of work with a stop still pending (a promise nothing
    // can settle any more), it exits by itself, and must then not report success.
    process.exitCode = 1;
    let timer: NodeJS.Timeout | undefined;
    if (timeoutSec !== undefined) {
      timer = setTimeout(() => {
        console.error(`stop did not finish within ${timeoutSec} s: exiting`);
        process.exit(1);
      }, timeoutSec * 1000);
      // With exit false, a finished stop must not wait for this timer before Node exits.
      if (!exit) timer.unref();
    }
    void stopAll(list, signal, onStopped).then((ok) => {
      clearTimeout(timer);
      finish(ok ? 0 : 1);
    });
  }

  for (const s of signals) process.on(s, onSignal);
  return remove;
}

/** Stops every server in parallel, then runs `onStopped`; resolves with whether all succeeded (never rejects). */
async function stopAll(list: readonly Stoppable[], signal: NodeJS.Signals, onStopped: StopOnSignalsOptions['onStopped']): Promise<boolean> {
  let ok = true;
  const report = (what: string, err: unknown): void => {
    ok = false;
    console.error(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  };
  const results = await Promise.allSettled(list.map(async (s) => s.stop()));
  for (const r of results) if (r.status === 'rejected') report('stop', r.reason);
  if (onStopped) {
    try { await onStopped(signal); } catch (err) { report('onStopped', err); }
  }
  return ok;
}

function checkServers(servers: Stoppable | readonly Stoppable[]): readonly Stoppable[] {
  const list = Array.isArray(servers) ? servers as readonly Stoppable[] : [servers as Stoppable];
  const allowed = 'a server or a non-empty array of servers (objects with a stop() method)';
  if (list.length === 0) throw invalidOption('stopOnSignals servers', allowed, servers);
  for (const s of list) {
    if (s === null || typeof s !== 'object' || typeof (s as Partial<Stoppable>).stop !== 'function') {
      throw invalidOption('stopOnSignals servers', allowed, s !== null && typeof s === 'object' ? 'an object without stop()' : s);
    }
  }
  return list;
}

function checkSignals(signals: unknown): void {
  const allowed = 'a non-empty array of catchable signal names such as "SIGINT", "SIGTERM", "SIGHUP"';
  if (!Array.isArray(signals) || signals.length === 0) throw invalidOption('stopOnSignals signals', allowed, signals);
  for (const s of signals) {
    if (typeof s !== 'string' || !(s in osConstants.signals) || UNCATCHABLE.has(s)) throw invalidOption('stopOnSignals signals', allowed, s);
  }
}
