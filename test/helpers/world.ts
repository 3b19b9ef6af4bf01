// A test world: the fixture server with an IdP and an RP on realistic host names, and an agent
// that reaches them through host rules and trusts the test CA, or (transport 'handlers') through
// the agent's in-process transport, the fixture server's routes as fetch handlers. The default
// transport is 'tls', or the FEDKIT_TEST_TRANSPORT environment variable's.

import { createAgent, type Agent, type AgentOptions, type Frame, type IdentityProviderRequestOptions } from '../../src/agent/index.js';
import { installIdp, installRp, startFixtureServer, type FixtureServer, type IdpController, type IdpOptions, type RpController } from '../fixtures/index.js';

/** How the world's agent reaches the fixture server. */
export type WorldTransport = 'tls' | 'handlers';

export interface World {
  /** The agent's transport to the fixture origins. */
  transport: WorldTransport;
  server: FixtureServer;
  idp: IdpController;
  rp: RpController;
  agent: Agent;
  /** The RP's home page, opened in the agent. */
  page: Frame;
  /** Signs the user in at the IdP: a top-level visit to its /login page (cookie + Set-Login). */
  signInAtIdp(idp?: IdpController): Promise<void>;
  /** The `identity` options for the default provider. */
  provider(extra?: Partial<IdentityProviderRequestOptions>): IdentityProviderRequestOptions;
  close(): Promise<void>;
}

function defaultTransport(): WorldTransport {
  const env = process.env['FEDKIT_TEST_TRANSPORT'];
  if (env === undefined || env === '' || env === 'tls') return 'tls';
  if (env === 'handlers') return 'handlers';
  throw new Error(`FEDKIT_TEST_TRANSPORT must be "tls" or "handlers", got ${JSON.stringify(env)}`);
}

export async function startWorld(options: { agent?: AgentOptions; idp?: IdpOptions; rpOrigin?: string; transport?: WorldTransport } = {}): Promise<World> {
  const transport = options.transport ?? defaultTransport();
  const server = await startFixtureServer();
  const idp = installIdp(server, options.idp);
  const rp = installRp(server, { origin: options.rpOrigin ?? 'https://rp.example' });
  // With handlers, the host rules and CA stay: an origin outside server.handlers() still works, over HTTPS.
  const handlers = transport === 'handlers' ? { handlers: server.handlers() } : {};
  const agent = createAgent({ hostRules: server.hostRules, ca: server.ca, ...handlers, ...options.agent });
  const page = await agent.open(rp.url('/'));
  return {
    transport,
    server,
    idp,
    rp,
    agent,
    page,
    async signInAtIdp(which = idp) {
      const login = await agent.open(which.url('/login'));
      login.close();
    },
    provider(extra = {}) {
      return { configURL: idp.configURL, clientId: '123', ...extra };
    },
    async close() {
      await agent.close();
      await server.close();
    },
  };
}

/** Resolves with the rejection of `p` (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    const value = await p;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (e) {
    return e;
  }
}
