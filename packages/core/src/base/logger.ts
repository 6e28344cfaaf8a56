/**
 * Log levels (MicroWebSrv2's names) and the narrow logging interface every lower layer receives instead of
 * the server: `log(type, msg, fields?)`. The server implements it (level filter, `onLogging`, a
 * pino-compatible `logger`, or the console).
 */
export const LogLevel = { DEBUG: 'DEBUG', INFO: 'INFO', WARNING: 'WARNING', ERROR: 'ERROR' } as const;
export type LogLevelName = keyof typeof LogLevel;

export const LEVEL_RANK: Record<LogLevelName, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };

export function isLogLevel(v: unknown): v is LogLevelName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(LEVEL_RANK, v);
}

/** Structured fields that travel with a log line (the access line's method, path, status, …). */
export type LogFields = Record<string, string | number | boolean | null>;

/** What a connection, a stage or a static site may log through: never the whole server. */
export interface Logger {
  /** Writes `msg` when `type` is at or above the server's level; `fields` reach a structured logger. */
  log(type: LogLevelName, msg: string, fields?: LogFields): void;
}

/** Text of an error for a log line: the stack when there is one. */
export function errText(err: unknown): string {
  return err instanceof Error ? err.stack ?? err.message : String(err);
}
