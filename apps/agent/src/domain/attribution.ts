import type { DeliveryWire, EnvelopeKind, TargetTuple } from '@osloscope/shared';

/** Resolves a consuming connection name to the oslo server behind it (ConnectionDirectory.serverFor bound to a source). */
export type ServerResolver = (connection: string) => string | null;

/** The parts of a record that server attribution reads and rewrites. */
export interface AttributionInput {
  kind: EnvelopeKind;
  target: TargetTuple | null;
  deliveries: DeliveryWire[];
}

export interface Attribution {
  deliveries: DeliveryWire[];
  server: string | null;
  reached: string[] | null;
}

/**
 * Who handled a published message (oslo-wire-format §4.8, §6.4).
 *
 * - direct call/cast (`<topic>.<server>`): the server is in the routing key, delivered or not;
 * - round-robin call/cast: the server behind the connection that took the last delivery
 *   (a requeued message is processed by whoever got it last);
 * - fanout: every server reached (the fanout queue name when the server is not known yet);
 * - notifications and replies: no server (listeners are not RPC servers).
 *
 * Unknown delivery servers are re-resolved on every call, so a server the directory
 * learns later fills in without re-ingesting.
 */
export function attribute(input: AttributionInput, resolve: ServerResolver): Attribution {
  const rpc = input.kind === 'call' || input.kind === 'cast';
  // Only requests go to the server in their target; a reply is delivered to its client.
  const direct = rpc ? (input.target?.server ?? null) : null;
  const deliveries = input.deliveries.map((d) => {
    if (d.server !== null) return d;
    const server = direct ?? (d.connection !== null ? resolve(d.connection) : null);
    return server === null ? d : { ...d, server };
  });
  if (!rpc) return { deliveries, server: null, reached: null };
  if (input.target?.fanout) {
    const reached = [...new Set(deliveries.map((d) => d.server ?? d.queue))];
    return { deliveries, server: null, reached };
  }
  let server = direct;
  if (server === null) {
    for (const d of deliveries) if (d.server !== null) server = d.server;
  }
  return { deliveries, server, reached: null };
}
