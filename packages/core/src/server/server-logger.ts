import { invalidOption } from '../base/errors';
import { LEVEL_RANK, type LogFields, type Logger, type LogLevelName } from '../base/logger';
import type { ServerRef } from '../base/refs';

/**
 * A pino-compatible logger (pino, bunyan-style, or anything with these four methods): the server calls
 * `logger.info({ method, path, status, … }, msg)` with the structured fields first, as pino expects.
 */
export interface StructuredLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** MicroWebSrv2's callback form: (server, msg, type). */
export type LogCallback<S> = (server: S, msg: string, type: LogLevelName) => void;

const METHOD: Record<LogLevelName, keyof StructuredLogger> = { DEBUG: 'debug', INFO: 'info', WARNING: 'warn', ERROR: 'error' };

/** Checks a `logger` setting: a pino-compatible object or null. */
export function checkStructuredLogger(v: unknown): StructuredLogger | null {
  if (v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof v !== 'object' || typeof o.debug !== 'function' || typeof o.info !== 'function' || typeof o.warn !== 'function' || typeof o.error !== 'function') {
    throw invalidOption('logger', 'a pino-compatible object with debug/info/warn/error methods (e.g. pino()), or null', v);
  }
  return v as StructuredLogger;
}

/**
 * The server's logger: the level filter, then `onLogging` (MicroWebSrv2), else a structured `logger`,
 * else the console. A logger that throws never takes the server down.
 */
export class ServerLogger<S = ServerRef> implements Logger {
  rank = LEVEL_RANK.INFO;
  callback: LogCallback<S> | null = null;
  structured: StructuredLogger | null = null;
  private readonly _server: S;
  private readonly _console: LogCallback<S>;

  constructor(server: S, consoleLogger: LogCallback<S>) {
    this._server = server;
    this._console = consoleLogger;
  }

  log(type: LogLevelName, msg: string, fields?: LogFields): void {
    if (LEVEL_RANK[type] < this.rank) return;
    try {
      if (this.callback !== null) this.callback(this._server, msg, type);
      else if (this.structured !== null) this.structured[METHOD[type]](fields ?? {}, msg);
      else this._console(this._server, msg, type);
    } catch {
      /* a logger that throws must not take the server down */
    }
  }
}
