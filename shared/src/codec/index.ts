/** Public API of the oslo wire codec (python-json.ts is exported from the package index itself). */
export * from './types.js';
export { decodeMessage, emptyEnvelope, isSupportedEnvelopeVersion } from './decode.js';
export { decodeTraceEvent, readTraceHeaders, type TraceHeaderFacts } from './trace-event.js';
export { decodeInnerMessage, foldContext } from './inner-message.js';
export { parseRemoteFailure, serializeRemoteFailure, type RemoteFailureResult } from './failure.js';
export { rpcTarget, notificationTarget, notificationRoutingKey, fanoutExchange } from './target.js';
export * from './encode.js';
export { uuid4Hex, uuid4 } from './uuid.js';
export { decodeUtf8, encodeUtf8, type Utf8Result } from './utf8.js';
export { parseBoundedJson, findDepthOverflow, type BoundedJsonResult } from './bounded-json.js';
export * from './python-floats.js';
export { locateJsonError, type JsonSyntaxProblem } from './json-error.js';
export { readAmqpProperties, headerString } from './header-values.js';
