/**
 * The replay dialog's form: prefilled from the captured message, edited as text, turned
 * into the API request. Pure, so the rules the user sees are unit-tested. The agent checks
 * everything again: this only gives earlier, field-level feedback.
 */
import { REDACTED, type EnvelopeDetail, type ReplayEditsWire, type ReplayRequestWire, type ReplayTargetWire } from '@osloscope/shared';

export interface ReplayForm {
  exchange: string;
  routingKey: string;
  /** '' = keep the routing key above; otherwise another server of the topic. */
  server: string;
  method: string;
  args: string;
  context: string;
  /** '' = send no version. */
  version: string;
  /** '' = default namespace. */
  namespace: string;
}

/** Whether osloscope can replay this message at all (calls and casts only). */
export function isReplayable(d: Pick<EnvelopeDetail, 'kind' | 'decodeError' | 'rawMissing'>): boolean {
  // A replay sends the captured bytes: without them (a damaged capture) there is nothing to send.
  return (d.kind === 'call' || d.kind === 'cast') && d.decodeError === null && d.rawMissing === undefined;
}

export function initialForm(d: EnvelopeDetail): ReplayForm {
  return {
    exchange: d.exchange,
    routingKey: d.routingKey,
    server: '',
    method: d.method ?? '',
    args: JSON.stringify(d.args ?? {}, null, 2),
    context: JSON.stringify(d.context ?? {}, null, 2),
    version: d.target?.version ?? '',
    namespace: d.target?.namespace ?? '',
  };
}

function parseObject(text: string, field: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${field}: not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: `${field}: must be a JSON object` };
  return { ok: true, value: value as Record<string, unknown> };
}

/** Fields of the form that still hold the agent's redaction mask. */
export function maskedFieldsIn(form: ReplayForm): string[] {
  const out: string[] = [];
  const scan = (v: unknown, path: string) => {
    if (typeof v === 'string') {
      if (v.includes(REDACTED)) out.push(path);
    } else if (Array.isArray(v)) v.forEach((x, i) => scan(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) scan(x, `${path}.${k}`);
  };
  for (const field of ['args', 'context'] as const) {
    try {
      scan(JSON.parse(form[field]), field);
    } catch {
      // reported by toRequest
    }
  }
  return out;
}

/**
 * The request for preview/send: only what differs from the original is sent as an edit,
 * so an untouched replay sends the original's exact (unmasked) values.
 */
export function toRequest(d: EnvelopeDetail, form: ReplayForm, imported: boolean): { ok: true; value: ReplayRequestWire } | { ok: false; error: string } {
  const initial = initialForm(d);
  const edits: ReplayEditsWire = {};
  if (form.method.trim() === '') return { ok: false, error: 'method: must not be empty' };
  if (form.method !== initial.method) edits.method = form.method.trim();
  if (form.args !== initial.args) {
    const args = parseObject(form.args, 'args');
    if (!args.ok) return args;
    edits.args = args.value;
  }
  if (form.context !== initial.context) {
    const context = parseObject(form.context, 'context');
    if (!context.ok) return context;
    edits.context = context.value;
  }
  if (form.version !== initial.version) edits.version = form.version.trim() === '' ? null : form.version.trim();
  if (form.namespace !== initial.namespace) edits.namespace = form.namespace.trim() === '' ? null : form.namespace.trim();

  const target: ReplayTargetWire = {};
  if (form.server.trim() !== '') {
    target.server = form.server.trim();
    if (form.exchange !== initial.exchange || imported) target.exchange = form.exchange;
  } else {
    // From an imported capture, the target is always sent: it confirms where it goes.
    if (form.exchange !== initial.exchange || imported) target.exchange = form.exchange;
    if (form.routingKey !== initial.routingKey || imported) target.routingKey = form.routingKey;
  }
  const req: ReplayRequestWire = { id: d.id };
  if (Object.keys(edits).length > 0) req.edits = edits;
  if (Object.keys(target).length > 0) req.target = target;
  return { ok: true, value: req };
}
