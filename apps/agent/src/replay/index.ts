/** Replay of captured messages (issue "Replay"): service, broker connection, HTTP routes. */
export {
  createReplayService,
  DISABLED_MESSAGE,
  READ_ONLY_MESSAGE,
  type ReplayService,
  type ReplayServiceOptions,
  type ReplayBrokerSpec,
  type ReplayIngest,
} from './replay-service.js';
export { registerReplayRoutes } from './replay-routes.js';
export { planReplay, type PlanInputs, type PlanResult } from './replay-plan.js';
export { createAuditLog, AUDIT_FILE, type ReplayAuditLog } from './audit-log.js';
export { replayBrokerSpecs } from './wiring.js';
