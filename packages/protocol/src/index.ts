export { canonicalJson } from './canonical-json.js';
export type { Clock } from './clock.js';
export { sleep, systemClock } from './clock.js';
export type { ErrorName } from './errors.js';
export { ERRORS, ErrorCode, failure, httpStatusOf, SwitchyardError, wireError } from './errors.js';
export type {
  JsonObject,
  JsonRpcErrorObject,
  JsonRpcFailure,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
} from './jsonrpc.js';
export {
  copyKeys,
  isFailure,
  isJsonObject,
  isNotification,
  isRequest,
  isResponse,
} from './jsonrpc.js';
export type { ListMethod } from './methods.js';
export { isListMethod, LIST_METHODS, Method } from './methods.js';
export type { ModernEnvelope, ModernRefusal } from './modern.js';
export {
  CACHE_HINTS,
  CACHEABLE_METHODS,
  checkEnvelope,
  checkRoutingHeaders,
  discoverResult,
  hasModernEnvelope,
  INPUT_KEY_META,
  INPUT_REQUEST_CAPABILITY,
  inputKeyOf,
  inputRequestOf,
  inputResponseOf,
  isRefusal,
  logLevelAdmits,
  MetaKey,
  MODERN_CLIENT_REQUESTS,
  MODERN_RELAYED_CAPABILITIES,
  MODERN_REVISION,
  modernCapabilities,
  modernError,
  modernResult,
  readEnvelope,
  relayedCapabilities,
  requestedLogLevel,
  SUPPORTED_VERSIONS,
  stripEnvelope,
  urlElicitationsOf,
} from './modern.js';
export type {
  BackendEra,
  Discovery,
  HeaderDeclarations,
  InputRequest,
  ModernRequestEnvelope,
} from './modern-backend.js';
export {
  ANSWERED_LOCALLY,
  DISCOVER_METHOD,
  eraOfProbeAnswer,
  headerDeclarations,
  INPUT_REQUEST_METHODS,
  inputRequestsOf,
  isInputRequired,
  isModernParams,
  LEGACY_ERROR_CODES,
  legacyError,
  legacyNotification,
  legacyResult,
  legacyServerCapabilities,
  MAX_INPUT_ROUNDS,
  MODERN_ERA_ERRORS,
  MODERN_ONLY_RESULT_KEYS,
  MODERN_ONLY_RESULT_META,
  MRTR_METHODS,
  modernClientCapabilities,
  modernRoutingHeaders,
  NOT_SENT_TO_MODERN,
  readDiscovery,
  retryParams,
  SUBSCRIPTION_METHODS,
  withModernEnvelope,
} from './modern-backend.js';
export type { ParamHeader, ParamHeaders } from './modern-headers.js';
export {
  checkParamHeaders,
  decodeParamHeader,
  encodeParamHeader,
  hasValidParamHeaders,
  PARAM_HEADER_KEYWORD,
  PARAM_HEADER_PREFIX,
  readParamHeaders,
} from './modern-headers.js';
export type { ListenFilter } from './modern-listen.js';
export {
  ACKNOWLEDGED_METHOD,
  acknowledgement,
  honouredFilter,
  LISTEN_METHOD,
  listenFilter,
  listenNotification,
  listenResult,
} from './modern-listen.js';
export type { MessageCheck } from './parse.js';
export { parseFrame, parseValue } from './parse.js';
export { serializeMessage } from './raw-result.js';
export type {
  RequestStateExpectation,
  RequestStatePayload,
  RequestStateRefusal,
} from './request-state.js';
export {
  decodeRequestState,
  encodeRequestState,
  newRequestStateKey,
  requestDigest,
} from './request-state.js';
export type { LegacyRevision, Revision } from './revisions.js';
export {
  acceptsLegacyRevision,
  compareRevisions,
  featuresOf,
  LATEST_LEGACY_REVISION,
  LEGACY_REVISIONS,
  negotiateLegacyRevision,
  REVISIONS,
  resolveRevision,
} from './revisions.js';
export type { Hop, TranslationEvent } from './translate/index.js';
export {
  completeListItem,
  completeToolResult,
  translateNotification,
  translateRequest,
  translateResult,
} from './translate/index.js';
export type {
  BackendState,
  MessageTransport,
  SessionInfo,
  SessionSink,
} from './transport.js';
export { BACKEND_STATES } from './transport.js';
