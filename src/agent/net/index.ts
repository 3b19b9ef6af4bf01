// The agent's network layer: request shaping, cookies, CORS, JSON extraction, limits, host rules.
export { NetError } from './types.js';
export type {
  AgentRequest,
  AgentResponse,
  CookieDecision,
  CredentialsMode,
  NetErrorReason,
  RedirectMode,
  RequestDestination,
  RequestMode,
  ResponseHop,
} from './types.js';
export {
  Fetcher,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
} from './fetcher.js';
export type { FetcherOptions, FetcherResponse, SetCookieOutcome } from './fetcher.js';
export { InProcessDispatcher, InProcessHandlerError, IN_PROCESS_REMOTE_ADDRESS, parseHandlers } from './in-process.js';
export type { HttpOrigin, InProcessConnectionInfo, InProcessHandler, InProcessHandlers } from './in-process.js';
export {
  Cookies,
  isSameSiteRequest,
  sameSiteContextForRequest,
  sameSiteContextForResponse,
} from './cookies.js';
export type {
  CookieJarState,
  CookieRequestContext,
  CookiesOptions,
  SameSiteContext,
  StoredCookie,
  StoreResult,
} from './cookies.js';
export { HostRules, parseHostRules, resolveHostRule } from '../../common/host-rules.js';
export type { HostRule, HostRuleTarget, HostRulesInput } from '../../common/host-rules.js';
export { checkCors } from './cors.js';
export type { CorsResult } from './cors.js';
export { extractMimeEssence, isJsonMimeType, parseJsonResponse } from './json.js';
export type { JsonFailureKind, JsonResult, ParseJsonOptions } from './json.js';
