/**
 * Which application exchanges tap mode binds its queue to (oslo-wire-format §2):
 * control exchanges (topic, not `amq.*`, not internal) for calls, casts and
 * notifications, and `<topic>_fanout` exchanges for fanout casts.
 */
import type { ExchangeInfo } from './management-client.js';

export interface TapExchanges {
  /** Bound with `#`. */
  control: string[];
  /** `<topic>_fanout` (fanout type; the binding key is ignored). */
  fanout: string[];
}

/** `explicit` replaces the discovered control exchanges (users who know their control_exchange). */
export function selectTapExchanges(exchanges: readonly ExchangeInfo[], explicit?: readonly string[]): TapExchanges {
  const control = explicit
    ? [...new Set(explicit.filter((x) => x !== '' && !x.startsWith('amq.')))]
    : exchanges.filter((e) => e.type === 'topic' && e.name !== '' && !e.name.startsWith('amq.') && !e.internal).map((e) => e.name);
  const fanout = exchanges.filter((e) => e.type === 'fanout' && e.name.endsWith('_fanout') && !e.internal).map((e) => e.name);
  return { control: control.sort(), fanout: fanout.sort() };
}
