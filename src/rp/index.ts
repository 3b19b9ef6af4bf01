// fedkit/rp: the relying party's side of FedCM.

export {
  ASYMMETRIC_ALGORITHMS,
  IdentityTokenVerifier,
  TokenVerificationError,
  verifyIdentityToken,
  type FetchLike,
  type TokenErrorCode,
  type VerifiedIdentity,
  type VerifierOptions,
} from './verify.js';
