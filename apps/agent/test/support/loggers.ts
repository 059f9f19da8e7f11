/** Loggers for tests: the agent itself always logs through createLogger (src/log.ts). */
import { createLogger, type LogFields, type Logger, type LogLevel } from '../../src/log.js';

/** A logger that prints nothing. */
export const silentLogger: Logger = createLogger({ write: () => undefined });

/** A logger that hands each line's level, message and fields to `fn` unmasked (tests that check what was logged). */
export function loggerFrom(fn: (level: LogLevel, msg: string, fields?: LogFields) => void): Logger {
  const logger: Logger = {
    debug: (m, f) => fn('debug', m, f),
    info: (m, f) => fn('info', m, f),
    warn: (m, f) => fn('warn', m, f),
    error: (m, f) => fn('error', m, f),
    child: () => logger,
  };
  return logger;
}
