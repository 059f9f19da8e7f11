/** How record fields read in the UI (stream, detail, graph). */
import { SIGNATURE_REASON_TEXT, type EnvelopeRecord, type SignatureVerdict } from '@osloscope/shared';
import type { Tone } from './Badge';

/** `call`, `cast`, `fanout`, `direct call`, `reply`, `heartbeat`, ... */
export function kindLabel(rec: EnvelopeRecord): string {
  if (rec.kind === 'cast' && rec.target?.fanout) return 'fanout';
  if (rec.kind === 'reply' && rec.reply?.heartbeat) return 'heartbeat';
  return rec.kind;
}

/** Outcome word for the stream: calls have a status; replies say whether they carry a failure. */
export function outcomeLabel(rec: EnvelopeRecord): string {
  if (rec.outcome) return rec.outcome.status;
  if (rec.kind === 'reply') return rec.reply?.failure ? 'error' : 'ok';
  if (rec.decodeError) return 'undecodable';
  return '';
}

export function outcomeTone(label: string): Tone {
  if (label === 'error' || label === 'undecodable') return 'error';
  if (label === 'timeout') return 'warn';
  if (label === 'pending') return 'info';
  if (label === 'ok') return 'ok';
  return 'muted';
}

/** Reason in words for a signature verdict (what operators read), or null. */
export function signatureText(v: SignatureVerdict): string | null {
  if (!v.reason) return v.detail ?? null;
  const words = SIGNATURE_REASON_TEXT[v.reason] ?? v.reason;
  return v.detail ? `${words} (${v.detail})` : words;
}

export function signatureTone(v: SignatureVerdict): Tone {
  if (v.status === 'failed') return 'error';
  if (v.status === 'valid') return 'ok';
  if (v.status === 'unverified') return 'warn';
  return 'muted';
}

/** Server shown in the stream: who handled it, the direct target, or fanout reach. */
export function serverLabel(rec: EnvelopeRecord): string {
  if (rec.server) return rec.server;
  if (rec.target?.server) return rec.target.server;
  if (rec.reached && rec.reached.length > 0) return `${rec.reached.length} servers`;
  return '';
}
