export type { Clock } from './clock.js';
export { sleep, systemClock } from './clock.js';
export type { ErrorCodeValue, ErrorName } from './errors.js';
export {
  ERRORS,
  ErrorCode,
  errorResponse,
  failure,
  httpStatusOf,
  SwitchyardError,
  toJsonRpcError,
  wireError,
} from './errors.js';
export type {
  JsonObject,
  JsonRpcErrorObject,
  JsonRpcFailure,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccess,
} from './jsonrpc.js';
export { isFailure, isJsonObject, isNotification, isRequest, isResponse } from './jsonrpc.js';
export type { ListMethod } from './methods.js';
export { isListMethod, LIST_METHODS, Method } from './methods.js';
export type { FrameParse, MessageCheck } from './parse.js';
export { checkMessage, parseFrame, parseValue } from './parse.js';
export { serializeMessage } from './raw-result.js';
export type { Era, LegacyRevision, Revision, RevisionFeatures } from './revisions.js';
export {
  acceptsLegacyRevision,
  compareRevisions,
  eraOf,
  featuresOf,
  LATEST_LEGACY_REVISION,
  LEGACY_REVISIONS,
  MODERN_REVISIONS,
  negotiateLegacyRevision,
  REVISIONS,
  resolveRevision,
} from './revisions.js';
export type { Hop, RequestTranslation, TranslationEvent } from './translate/index.js';
export {
  completeListItem,
  completeToolResult,
  translateClientCapabilities,
  translateNotification,
  translateRequest,
  translateResult,
} from './translate/index.js';
export type {
  BackendState,
  FrontKind,
  MessageTransport,
  SessionInfo,
  SessionSink,
} from './transport.js';
export { BACKEND_STATES } from './transport.js';
