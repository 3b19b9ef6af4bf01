// fedkit/idp: a FedCM identity provider kit.

export { createIdp, type Idp, type IdpOptions } from './idp.js';
export { SILENT_LOGGER, type Logger } from '../common/logger.js';
export { IDP_ROUTES, WELL_KNOWN_PATH, type IdpRoute } from './routes.js';
export type { Branding, ConnectionInfo, IdpUrls } from './context.js';
export {
  addClient,
  addUser,
  checkClientUpdate,
  checkNewClient,
  checkNewUser,
  checkPassword,
  findUser,
  normalizeOrigin,
  removeClient,
  removeUser,
  setPassword,
  updateClient,
  type AddClientInput,
  type AddUserInput,
  type ClientUpdate,
} from './admin.js';
export { KeyAdminError, listKeys, retireKey, rotateKeys, type KeyInfo, type KeyState, type RotateOptions } from './key-admin.js';
export { errorBody, type ErrorBody, type ErrorCode } from './http.js';
export { DEFAULT_SCRYPT, hashPassword, verifyPassword, type ScryptParams } from './passwords.js';
export { DEFAULT_LOGIN_RATE_LIMITS, type BackOff, type LoginRateLimits, type RateLimit } from './rate-limit.js';
export { RECOGNIZED_FIELDS, type Field, type SigningAlgorithm } from './tokens.js';
export { connectionInfo, serve, toNodeListener, toRequest, writeResponse, type FetchHandler, type NodeListenerOptions, type RunningServer, type ServeOptions } from './node.js';
export {
  openStore,
  PostgresStore,
  SqliteStore,
  StoreConflictError,
  type Client,
  type ClientChanges,
  type AccountsView,
  type AssertionStepInput,
  type AssertionStepResult,
  type Grant,
  type KeyRecord,
  type NewClient,
  type NewUser,
  type OpenStoreOptions,
  type PostgresStoreOptions,
  type Session,
  type SqliteStoreOptions,
  type Store,
  type User,
  type UserChanges,
} from './store/index.js';
