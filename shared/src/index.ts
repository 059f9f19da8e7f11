export * from './envelope.js';
export * from './signature.js';
export * from './record.js';
export * from './flows.js';
export * from './health.js';
export * from './filter-types.js';
export * from './protocol/events.js';
export * from './codec/python-json.js';
