/**
 * Logging as the sources use it: `(level, msg, fields)`. Callers may pass either such a
 * function or the agent's structured Logger (`src/log.ts`); `toLogFn` adapts. Fields
 * must never carry passwords (the sources only log redacted URLs and hosts).
 */
import type { Logger as AgentLogger } from '../log.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
/** What the source factories accept. */
export type Logger = LogFn | AgentLogger;

export function toLogFn(log: Logger): LogFn {
  if (typeof log === 'function') return log;
  return (level, msg, fields) => log[level](msg, fields);
}
