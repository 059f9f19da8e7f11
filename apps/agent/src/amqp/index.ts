/** The agent's RabbitMQ side: what the composition root needs. */
export { createFirehoseSource, TRACE_EXCHANGE } from './firehose-source.js';
export { CAPTURE_QUEUE_OPTIONS } from './capture-queue.js';
export { createTapSource, TAP_BLIND_SPOTS } from './tap-source.js';
export type { AmqpSourceOptions, TapSourceOptions } from './source-options.js';
export type { Logger, LogFn, LogLevel } from './logger.js';
export { createManagementClient, ManagementError } from './management-client.js';
export type { ManagementClient, ManagementClientOptions } from './management-client.js';
