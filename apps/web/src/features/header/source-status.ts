/** A source's state in words, for the header. */
import type { SourceHealth } from '@osloscope/shared';
import type { Tone } from '../../components/Badge';

export interface SourceStatus {
  text: string;
  tone: Tone;
  /** Hint line (e.g. the command that switches tracing on). */
  hint: string | null;
}

export function describeSource(s: SourceHealth): SourceStatus {
  const off = s.tracing.filter((t) => !t.tracing).map((t) => t.node);
  const vhost = s.vhost ?? '/';
  if (s.mode === 'firehose' && s.state === 'connected' && off.length > 0) {
    return {
      text: `tracing off on ${off.join(', ')}`,
      tone: 'error',
      hint: s.warnings[0] ?? `rabbitmqctl trace_on -p ${vhost}`,
    };
  }
  const tone: Tone =
    s.state === 'connected' || s.state === 'demo' || s.state === 'imported'
      ? 'ok'
      : s.state === 'stopped'
        ? 'error'
        : 'warn';
  const text = s.state === 'reconnecting' && s.lastError ? `reconnecting (${s.lastError})` : s.state;
  return { text, tone, hint: s.warnings[0] ?? null };
}
