// fedkit/rp: the relying party's side of FedCM.

export {
  ASYMMETRIC_ALGORITHMS,
  DEFAULT_FAILURE_COOLDOWN_MS,
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  IdentityTokenVerifier,
  TokenVerificationError,
  verifyIdentityToken,
  type FetchFailure,
  type FetchLike,
  type TokenErrorCode,
  type VerifiedIdentity,
  type VerifierOptions,
} from './verify.js';
export { SILENT_LOGGER, type Logger } from '../common/logger.js';
