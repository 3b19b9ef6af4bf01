// fedkit/testing: the IdP and the RP a test needs, on loopback under realistic HTTPS names with a
// generated CA. `startTestSystem()` starts both behind one listener; `startTestIdp()` and
// `startTestRp()` start one each. Every start returns what a client needs to reach them (host
// rules for fedkit's agent and for Chromium, the CA) and `close()` (which may be called twice).
// `createTestSystem()` builds the same two parties without any listener, as fetch handlers for
// the agent's in-process transport (`createAgent({ handlers: system.handlers })`).

import { fetch as undiciFetch } from 'undici';
import { createDispatcher } from '../common/dispatcher.js';
import { startLoopback, type Reachability } from './loopback.js';
import { createTestIdp, type TestIdpOptions, type TestIdpParts } from './test-idp.js';
import { createTestRp, type TestRpOptions, type TestRpParts } from './test-rp.js';

export { DEFAULT_TEST_CLIENT, DEFAULT_TEST_USERS, SIGN_IN_PATH, SIGN_OUT_PATH, type TestClient, type TestIdpOptions, type TestUser } from './test-idp.js';
export type { TestRpOptions } from './test-rp.js';
export type { Reachability } from './loopback.js';

/** `close()` of a running party: the first call closes, every later one waits for the same close. */
function closeOnce(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

/** A running test IdP. */
export interface TestIdp extends Omit<TestIdpParts, 'handler'>, Reachability {
  close(): Promise<void>;
}

/** A running test RP. */
export interface TestRp extends Omit<TestRpParts, 'handler'>, Reachability {
  close(): Promise<void>;
}

/** A test IdP and RP behind one listener. */
export interface TestSystem extends Reachability {
  readonly idp: Omit<TestIdpParts, 'handler'>;
  readonly rp: Omit<TestRpParts, 'handler'>;
  close(): Promise<void>;
}

export interface TestSystemOptions {
  idp?: TestIdpOptions;
  /** The RP's options; its IdP is the system's. */
  rp?: Omit<TestRpOptions, 'idp'>;
  /** The loopback port (default: a free one). */
  port?: number;
}

/** A fetch handler of the in-process test system (the agent's `handlers` take it as it is). */
export type TestHandler = (request: Request) => Promise<Response>;

/** A test IdP and RP without a listener, answering in-process. */
export interface InProcessTestSystem {
  readonly idp: Omit<TestIdpParts, 'handler'>;
  readonly rp: Omit<TestRpParts, 'handler'>;
  /**
   * `{ 'https://idp.example': …, 'https://rp.example': … }`: pass them as the agent's `handlers`
   * (`createAgent({ handlers })`, `installFedCM(window, { handlers })`).
   */
  readonly handlers: Readonly<Record<string, TestHandler>>;
  close(): Promise<void>;
}

/**
 * Builds the test IdP and RP without a listener, port, certificate or socket: their handlers are
 * for the agent's in-process transport. The RP's server reaches the IdP (discovery, JWKS) by
 * calling the IdP's handler, and any other URL with the global fetch.
 */
export async function createTestSystem(options: Omit<TestSystemOptions, 'port'> = {}): Promise<InProcessTestSystem> {
  const idp = await createTestIdp(options.idp);
  const idpFetch = ((input: Parameters<typeof globalThis.fetch>[0], init?: Parameters<typeof globalThis.fetch>[1]) => {
    const request = new Request(input, init);
    return new URL(request.url).origin === idp.origin ? idp.handler(request) : globalThis.fetch(request);
  }) as typeof globalThis.fetch;
  const rp = createTestRp({ ...options.rp, idp: { configURL: idp.configURL, clientId: idp.clientId } }, idpFetch);
  if (rp.host === idp.host) {
    rp.app.close();
    await idp.store.close();
    throw new TypeError(`fedkit/testing: the IdP and the RP need different host names (both are ${idp.host}).`);
  }
  const { handler: idpHandler, ...idpView } = idp;
  const { handler: rpHandler, ...rpView } = rp;
  return {
    idp: idpView,
    rp: rpView,
    handlers: Object.freeze({ [idp.origin]: idpHandler, [rp.origin]: rpHandler }),
    close: closeOnce(async () => {
      rp.app.close();
      await idp.store.close();
    }),
  };
}

/** Starts the test IdP on its own listener. */
export async function startTestIdp(options: TestIdpOptions & { port?: number } = {}): Promise<TestIdp> {
  const { port, ...idpOptions } = options;
  const parts = await createTestIdp(idpOptions);
  let loopback;
  try {
    loopback = await startLoopback([parts.host], parts.handler, port === undefined ? {} : { port });
  } catch (e) {
    await parts.store.close();
    throw e;
  }
  const { handler: _handler, ...idp } = parts;
  const { fetch: _fetch, close, ...reach } = loopback;
  return {
    ...idp,
    ...reach,
    close: closeOnce(async () => {
      await close();
      await parts.store.close();
    }),
  };
}

/**
 * Starts the test RP on its own listener. Its server reaches the IdP like any server would; for
 * a test IdP on another listener, pass that IdP's `hostRules` and `ca` as `reach`.
 */
export async function startTestRp(options: TestRpOptions & { port?: number; reach?: Pick<Reachability, 'hostRules' | 'ca'> }): Promise<TestRp> {
  const { port, reach, ...rpOptions } = options;
  const dispatcher = reach === undefined ? undefined : createDispatcher({ hostRules: reach.hostRules, ca: reach.ca });
  const idpFetch = (dispatcher === undefined
    ? globalThis.fetch
    : (input: Parameters<typeof globalThis.fetch>[0], init?: Parameters<typeof globalThis.fetch>[1]) =>
        undiciFetch(input as never, { ...(init as object), dispatcher } as never) as unknown as Promise<Response>) as typeof globalThis.fetch;
  const parts = createTestRp(rpOptions, idpFetch);
  let loopback;
  try {
    loopback = await startLoopback([parts.host], parts.handler, port === undefined ? {} : { port });
  } catch (e) {
    parts.app.close();
    await dispatcher?.close();
    throw e;
  }
  const { handler: _handler, ...rp } = parts;
  const { fetch: _fetch, close, ...reachable } = loopback;
  return {
    ...rp,
    ...reachable,
    close: closeOnce(async () => {
      await close();
      await dispatcher?.close();
      parts.app.close();
    }),
  };
}

/** Starts the test IdP and RP behind one listener (one port, one CA, one set of host rules). */
export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const idp = await createTestIdp(options.idp);
  let fetchThrough: typeof globalThis.fetch = () => Promise.reject(new Error('fedkit/testing: the system is not listening yet'));
  const rp = createTestRp({ ...options.rp, idp: { configURL: idp.configURL, clientId: idp.clientId } }, (input, init) => fetchThrough(input, init));
  if (rp.host === idp.host) {
    rp.app.close();
    await idp.store.close();
    throw new TypeError(`fedkit/testing: the IdP and the RP need different host names (both are ${idp.host}).`);
  }
  let loopback;
  try {
    loopback = await startLoopback([idp.host, rp.host], (request) => (new URL(request.url).hostname === rp.host ? rp.handler(request) : idp.handler(request)), options.port === undefined ? {} : { port: options.port });
  } catch (e) {
    rp.app.close();
    await idp.store.close();
    throw e;
  }
  fetchThrough = loopback.fetch;
  const { handler: _idpHandler, ...idpView } = idp;
  const { handler: _rpHandler, ...rpView } = rp;
  const { fetch: _fetch, close, ...reach } = loopback;
  return {
    ...reach,
    idp: idpView,
    rp: rpView,
    close: closeOnce(async () => {
      await close();
      rp.app.close();
      await idp.store.close();
    }),
  };
}
