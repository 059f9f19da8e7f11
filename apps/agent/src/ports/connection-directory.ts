/**
 * What the agent knows about broker connections: which oslo server and which OS process
 * sits behind a RabbitMQ connection name (`"ip:port -> ip:port"`). Filled from the
 * management API (`/api/consumers`, `/api/connections`) by the sources, and from what
 * the capture itself shows (a connection consuming `<topic>.<server>` is that server).
 */
export interface ConnectionDirectory {
  /** oslo server name for a consuming connection, e.g. `node-a`. */
  serverFor(source: string, connection: string): string | null;
  /** Client-provided `connection_name` (`program:pid:uuid`) for a connection. */
  processFor(source: string, connection: string): string | null;
  /** Learn from capture: `connection` consumes `queue` (a deliver event). */
  learnDelivery(source: string, connection: string, queue: string): void;
  /**
   * A counter that grows whenever the directory learns a server or process it did not know
   * for some connection. The capture re-checks records it could not attribute only when it
   * changed; without it (test doubles), they are re-checked on every sweep.
   */
  revision?(): number;
  /** Replace what the management API says for a source (the last known server/process per connection is kept). */
  updateFromManagement(
    source: string,
    facts: {
      /** connection name → client-provided connection_name */
      processes: Record<string, string>;
      /** connection name → queues it consumes */
      consumers: Record<string, string[]>;
    },
  ): void;
}
