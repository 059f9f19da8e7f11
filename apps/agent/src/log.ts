/**
 * A small structured logger for the agent: one line per event on stderr
 * (`<iso time> <LEVEL> <message> key=value ...`), so stdout stays free for the one line
 * tests and scripts parse (`osloscope listening on ...`).
 *
 * It never prints secrets: field names that look secret (password, token, key, secret,
 * authorization) are masked, and any `scheme://user:pass@` inside a string is masked
 * wherever it appears (messages included), so a transport URL cannot leak by accident.
 */

import { maskUrlCredentials } from '@osloscope/shared';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ source: 'demo' }`). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** @default 'info' */
  level?: LogLevel;
  /** Where lines go. @default process.stderr */
  write?: (line: string) => void;
  /** @default Date.now */
  now?: () => number;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|^key$|api[-_]?key|credential/i;

function maskValue(key: string, value: unknown, depth: number): unknown {
  if (SECRET_KEY.test(key) && value !== null && value !== undefined && value !== '') return '***';
  if (typeof value === 'string') return maskUrlCredentials(value);
  if (value instanceof Error) return maskUrlCredentials(value.message);
  if (Array.isArray(value)) return depth > 3 ? '[…]' : value.map((v) => maskValue('', v, depth + 1));
  if (value !== null && typeof value === 'object') {
    if (depth > 3) return '{…}';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = maskValue(k, v, depth + 1);
    return out;
  }
  return value;
}

/** Fields with secrets masked (exported for tests and for code that prints fields itself). */
export function maskFields(fields: LogFields): LogFields {
  return maskValue('', fields, 0) as LogFields;
}

function formatField(key: string, value: unknown): string {
  // Strings with spaces or quotes are quoted so a line splits unambiguously into key=value
  // pairs; other values print as compact JSON.
  if (typeof value === 'string') return `${key}=${/[\s"]/.test(value) ? JSON.stringify(value) : value}`;
  return `${key}=${JSON.stringify(value) ?? String(value)}`;
}

/** Create a logger; lines below `level` are dropped. */
export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const masked = maskFields({ ...bound, ...fields });
    const parts = [new Date(now()).toISOString(), level.toUpperCase().padEnd(5), maskUrlCredentials(msg)];
    for (const [k, v] of Object.entries(masked)) if (v !== undefined) parts.push(formatField(k, v));
    write(parts.join(' '));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
