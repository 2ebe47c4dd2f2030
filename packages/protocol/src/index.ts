export { ErrorCode, errorResponse, toJsonRpcError } from './errors.js';
export type { ErrorCodeValue } from './errors.js';
export { isFailure, isJsonObject, isNotification, isRequest, isResponse } from './jsonrpc.js';
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
export { LIST_METHODS, Method, isListMethod } from './methods.js';
export type { ListMethod } from './methods.js';
export { checkMessage, parseFrame, parseValue } from './parse.js';
export type { FrameParse, MessageCheck } from './parse.js';
export {
  LATEST_LEGACY_REVISION,
  LEGACY_REVISIONS,
  MODERN_REVISIONS,
  REVISIONS,
  acceptsLegacyRevision,
  compareRevisions,
  eraOf,
  featuresOf,
  negotiateLegacyRevision,
  resolveRevision,
} from './revisions.js';
export type { Era, LegacyRevision, Revision, RevisionFeatures } from './revisions.js';
