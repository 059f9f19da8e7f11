/** The oslo Target tuple recovered from where a message was published. */
import type { TargetTuple } from '../envelope.js';

const FANOUT_SUFFIX = '_fanout';

/** Name of the fanout exchange oslo declares for a topic. */
export function fanoutExchange(topic: string): string {
  return topic + FANOUT_SUFFIX;
}

/**
 * Target of an RPC request. `<topic>_fanout` exchange → fanout to `topic`. Otherwise the
 * routing key is `<topic>` or `<topic>.<server>`; it is split on the FIRST dot, because the
 * wire cannot tell a dotted topic from a server suffix and OpenStack topics (`compute`,
 * `conductor`, `scheduler`, ...) have no dots while server names (host names) often do.
 */
export function rpcTarget(exchange: string, routingKey: string, namespace: string | null, version: string | null): TargetTuple {
  if (exchange.length > FANOUT_SUFFIX.length && exchange.endsWith(FANOUT_SUFFIX)) {
    const topic = exchange.slice(0, -FANOUT_SUFFIX.length);
    return { exchange, topic, namespace, version, server: null, fanout: true };
  }
  const dot = routingKey.indexOf('.');
  if (dot < 0) return { exchange, topic: routingKey, namespace, version, server: null, fanout: false };
  return {
    exchange,
    topic: routingKey.slice(0, dot),
    namespace,
    version,
    server: routingKey.slice(dot + 1),
    fanout: false,
  };
}

/** Target of a notification: routing key `<topic>.<priority in lower case>`. */
export function notificationTarget(exchange: string, routingKey: string, priority: string | null): TargetTuple {
  let topic = routingKey;
  const suffix = priority !== null ? '.' + priority.toLowerCase() : null;
  if (suffix !== null && routingKey.length > suffix.length && routingKey.endsWith(suffix)) {
    topic = routingKey.slice(0, -suffix.length);
  } else {
    const dot = routingKey.lastIndexOf('.');
    if (dot > 0) topic = routingKey.slice(0, dot);
  }
  return { exchange, topic, namespace: null, version: null, server: null, fanout: false };
}

/** Routing key of a notification published to `topic` with `priority`. */
export function notificationRoutingKey(topic: string, priority: string): string {
  return topic + '.' + priority.toLowerCase();
}
