/** Log levels, MicroWebSrv2's names. A logger gets every line at or above the server's `logLevel`. */
export const LogLevel = { DEBUG: 'DEBUG', INFO: 'INFO', WARNING: 'WARNING', ERROR: 'ERROR' } as const;
export type LogLevelName = keyof typeof LogLevel;

export const LEVEL_RANK: Record<LogLevelName, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };

export function isLogLevel(v: unknown): v is LogLevelName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(LEVEL_RANK, v);
}

/** The default logger: one line per message on stdout (stderr for warnings and errors), with the time. */
export function defaultLogger(_server: unknown, msg: string, type: LogLevelName): void {
  const line = `${new Date().toISOString()} MWS ${type.padEnd(7)} ${msg}\n`;
  if (LEVEL_RANK[type] >= LEVEL_RANK.WARNING) process.stderr.write(line);
  else process.stdout.write(line);
}
