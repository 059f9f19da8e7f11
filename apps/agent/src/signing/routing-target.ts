/**
 * The routing target a verifier compares `metadata.destination` with (message-signing.md §6),
 * read from the exchange and routing key of a publish trace event.
 */

const FANOUT_SUFFIX = '_fanout';

/**
 * `<topic>_fanout` exchange → topic; control exchange (`nova`, `openstack`, …) → routing key
 * (`topic`, `topic.server`, `topic.priority`); default exchange `''` → routing key (a reply queue).
 */
export function routingTargetOf(exchange: string, routingKey: string): string {
  if (exchange.length > FANOUT_SUFFIX.length && exchange.endsWith(FANOUT_SUFFIX)) {
    return exchange.slice(0, -FANOUT_SUFFIX.length);
  }
  return routingKey;
}
