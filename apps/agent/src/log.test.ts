import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ level, write: (l) => lines.push(l), now: () => Date.UTC(2026, 10, 29, 12, 0, 0) });
  return { logger, lines };
}

describe('logger', () => {
  it('writes one structured line per event, dropping levels below the threshold', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden');
    logger.child({ source: 'mq1' }).warn('broker lost', { attempt: 2, reason: 'connection reset' });
    expect(lines).toEqual(['2026-11-29T12:00:00.000Z WARN  broker lost source=mq1 attempt=2 reason="connection reset"']);
  });

  it('never prints passwords or tokens', () => {
    const { logger, lines } = capture('debug');
    logger.error('cannot connect to rabbit://nova:hunter2@mq1:5672/ (refused)', {
      url: 'rabbit://nova:hunter2@mq1:5672,nova:hunter3@mq2/',
      password: 'hunter4',
      context: { auth_token: 'gAAAAABtoken', user: 'demo' },
      error: new Error('login failed for amqp://a:hunter5@h'),
    });
    const line = lines.join('\n');
    for (const secret of ['hunter2', 'hunter3', 'hunter4', 'hunter5', 'gAAAAABtoken']) expect(line).not.toContain(secret);
    expect(line).toContain('rabbit://nova:***@mq1:5672');
    expect(line).toContain('"user":"demo"');
  });
});
