import { LEVEL_RANK, type LogLevelName } from '../base/logger';

export type { LogLevelName } from '../base/logger';

/** The default logger: one line per message on stdout (stderr for warnings and errors), with the time. */
export function defaultLogger(_server: unknown, msg: string, type: LogLevelName): void {
  const line = `${new Date().toISOString()} MWS ${type.padEnd(7)} ${msg}\n`;
  if (LEVEL_RANK[type] >= LEVEL_RANK.WARNING) process.stderr.write(line);
  else process.stdout.write(line);
}
