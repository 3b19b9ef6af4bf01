// A test world: the fixture server with an IdP and an RP on realistic host names, and an agent
// that reaches them through host rules and trusts the test CA.

import { createAgent, type Agent, type AgentOptions, type Frame, type IdentityProviderRequestOptions } from '../../src/agent/index.js';
import { installIdp, installRp, startFixtureServer, type FixtureServer, type IdpController, type IdpOptions, type RpController } from '../fixtures/index.js';

export interface World {
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

export async function startWorld(options: { agent?: AgentOptions; idp?: IdpOptions; rpOrigin?: string } = {}): Promise<World> {
  const server = await startFixtureServer();
  const idp = installIdp(server, options.idp);
  const rp = installRp(server, { origin: options.rpOrigin ?? 'https://rp.example' });
  const agent = createAgent({ hostRules: server.hostRules, ca: server.ca, ...options.agent });
  const page = await agent.open(rp.url('/'));
  return {
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
