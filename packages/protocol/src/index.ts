export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export type { ErrorCodeValue } from './errors.js';
export { ErrorCode, errorResponse, toJsonRpcError } from './errors.js';
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
