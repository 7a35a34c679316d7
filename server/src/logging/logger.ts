import pino, { type Level, type Logger as PinoLogger } from 'pino';

export type LogLevel = Level | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export interface ServerLoggerOptions {
  level: LogLevel;
  /** File descriptor to write JSON lines to; stderr by default, because stdout carries debug output. */
  fd?: number;
}

/**
 * The process logger: pino JSON lines on stderr. Stdout is reserved for the
 * debug node's "to system console" lines so that `loopedge start | jq` sees
 * only data. Writes are synchronous so a fatal line is on disk before exit.
 */
export function createServerLogger(options: ServerLoggerOptions): PinoLogger {
  return pino(
    {
      name: 'loopedge',
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    pino.destination({ fd: options.fd ?? 2, sync: true }),
  );
}
