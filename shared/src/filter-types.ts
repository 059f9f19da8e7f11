/** The filter both the agent (SQL/API) and the web (URL, stores) apply: one meaning on both sides. */
import type { EnvelopeKind } from './envelope.js';
import type { OutcomeStatus } from './record.js';
import type { SignatureStatus } from './signature.js';

/**
 * Every field is optional; set fields are ANDed. String fields match exactly
 * (`namespace: ''` matches the default namespace); `text` is a case-insensitive
 * substring search over method, routing key, target, server, ids, failure and args.
 */
export interface EnvelopeFilter {
  exchange?: string;
  topic?: string;
  server?: string;
  namespace?: string;
  method?: string;
  version?: string;
  kind?: EnvelopeKind;
  outcome?: OutcomeStatus;
  signature?: SignatureStatus;
  text?: string;
}

export const FILTER_FIELDS = [
  'exchange',
  'topic',
  'server',
  'namespace',
  'method',
  'version',
  'kind',
  'outcome',
  'signature',
  'text',
] as const satisfies readonly (keyof EnvelopeFilter)[];
export type FilterField = (typeof FILTER_FIELDS)[number];
