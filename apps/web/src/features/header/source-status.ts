/** A source's state in words, for the header. */
import { isCaptureBehind, type SourceHealth } from '@osloscope/shared';
import type { Tone } from '../../components/Badge';
import { formatCount } from '../../components/format';

export interface SourceStatus {
  text: string;
  tone: Tone;
  /** Hint line (e.g. the command that switches tracing on). */
  hint: string | null;
  /** Why the source shows as behind (its tooltip), or null. */
  behind: string | null;
}

const BEHIND =
  'The agent is not keeping up with the traffic: these events wait in its capture queue on the broker, so the live view and counts lag behind what is happening now. Nothing is lost while the broker holds them; they show up as the agent catches up.';

export function describeSource(s: SourceHealth): SourceStatus {
  const off = s.tracing.filter((t) => !t.tracing).map((t) => t.node);
  const vhost = s.vhost ?? '/';
  if (s.mode === 'firehose' && s.state === 'connected' && off.length > 0) {
    return {
      text: `tracing off on ${off.join(', ')}`,
      tone: 'error',
      hint: s.warnings[0] ?? `rabbitmqctl trace_on -p ${vhost}`,
      behind: null,
    };
  }
  const tone: Tone = s.state === 'connected' || s.state === 'demo' || s.state === 'imported' ? 'ok' : s.state === 'stopped' ? 'error' : 'warn';
  if (s.state === 'connected' && s.backlog !== null && isCaptureBehind(s)) {
    // The live view shows what the agent has read, and this much is still waiting for it.
    return { text: `behind: ${formatCount(s.backlog)} events queued`, tone: 'warn', hint: s.warnings[0] ?? null, behind: BEHIND };
  }
  const text = s.state === 'reconnecting' && s.lastError ? `reconnecting (${s.lastError})` : s.state;
  return { text, tone, hint: s.warnings[0] ?? null, behind: null };
}
