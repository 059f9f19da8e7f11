/**
 * Test support for agent integration tests and e2e (`@osloscope/agent/test-support`):
 * a vhost per run, real oslo.messaging scripts, a firehose capture and the agent process.
 */
export * from './paths.js';
export * from './management.js';
export * from './child-process.js';
export * from './oslo.js';
export * from './agent.js';
export * from './trace-capture.js';
export * from './wait.js';
/** Test traffic is published with the agent's own options (string headers only: py-amqp reads them). */
export { toPublishOptions } from '../../src/amqp/publish-options.js';
/** e2e signs the messages whose signatures the agent judges with the agent's own signer. */
export { createSigner } from '../../src/signing/index.js';
