// The FedCM steps one at a time, for tools that check an IdP the way Chromium will (fedkit
// doctor): each step makes exactly the requests a FedCM request makes at that point, for a given
// RP document, and says what it found, what it warned about, and what it sent. A step never
// throws for what the IdP answers: its failure is the diagnostic the page's request would have
// failed with.

import { AbortState } from '../base/abort-state.js';
import { diagnostic, type Diagnostic } from '../base/diagnostics.js';
import type { FetchRecord } from '../base/events.js';
import type { AgentCore } from '../core.js';
import { isSameSite } from '../../common/site.js';
import type { AgentDocument } from '../document/document.js';
import { fetchAccounts, fetchPictures, filterAccounts, type AccountFilter } from './accounts.js';
import { requestIdentityAssertion, type AssertionRequest, type AssertionResult } from './assertion.js';
import { fetchClientMetadata } from './client-metadata.js';
import { copyConfig, fetchConfigFile, fetchWellKnown, validateAgainstWellKnown, wellKnownCheckApplies } from './config.js';
import { FedCmFailure } from './failure.js';
import { createIdpNetwork, type IdpNetwork } from './idp-network.js';
import type { ClientMetadata, IdentityProviderAccount, IdpConfig, Picture, WellKnown } from './types.js';

/** What one step found: its result, or the failure the request would have ended with. */
export interface ProbeStep<T> {
  /** Undefined when the step failed. */
  result: T | undefined;
  /** The diagnostic the FedCM request would have failed with here. */
  failure: Diagnostic | undefined;
  /** What the step warned about without failing (config warnings, cookies withheld, …). */
  warnings: Diagnostic[];
  /** The requests the step made, with their request headers and status. */
  requests: FetchRecord[];
}

/** @internal Made by `agent.probe(rpUrl)`. */
export class IdpProbe {
  readonly #core: AgentCore;
  readonly #frame: AgentDocument;

  /** @internal */
  constructor(core: AgentCore, frame: AgentDocument) {
    this.#core = core;
    this.#frame = frame;
  }

  /** The RP document the requests are made for. */
  get rpOrigin(): string {
    return this.#frame.origin;
  }

  /** FedCM §3.2 step 5: whether browsers check the well-known file for this RP (not when same-site). */
  wellKnownApplies(configURL: URL): boolean {
    return wellKnownCheckApplies(this.#frame.origin, configURL);
  }

  /** FedCM §3.2 step 6: the well-known file, fetched and parsed (both forms). */
  wellKnown(configURL: URL): Promise<ProbeStep<WellKnown>> {
    return this.#step((net) => fetchWellKnown(net, configURL));
  }

  /** FedCM §3.2 step 7: the config file, fetched and validated on its own. */
  config(configURL: URL): Promise<ProbeStep<IdpConfig>> {
    return this.#step(async (net) => {
      const config = await fetchConfigFile(net, configURL);
      return config instanceof FedCmFailure ? config : copyConfig(config);
    });
  }

  /** FedCM §3.2 step 8: the config checked against the well-known file; the diagnostic, or undefined. */
  crossCheck(wellKnown: WellKnown, config: IdpConfig, options: { strictWellKnown?: boolean } = {}): Diagnostic | undefined {
    try {
      const d = validateAgainstWellKnown(wellKnown, config, options.strictWellKnown);
      return d && diagnostic(d);
    } catch (e) {
      if (e instanceof FedCmFailure) return diagnostic(e.diagnostic);
      throw e;
    }
  }

  /** FedCM §3.3: the accounts, with the agent's cookies for the IdP (none: a logged-out user). */
  accounts(config: IdpConfig): Promise<ProbeStep<IdentityProviderAccount[]>> {
    return this.#step(async (net) => {
      const r = await fetchAccounts(net, config);
      return r.ok ? r.accounts : r.failure;
    });
  }

  /** FedCM §3.3 "fetch accounts": the account pictures, as Chromium fetches them (failures are warnings). */
  pictures(config: IdpConfig, accounts: readonly IdentityProviderAccount[]): Promise<ProbeStep<Map<string, Picture>>> {
    return this.#step((net) => fetchPictures(net, [...accounts], config));
  }

  /** FedCM §3.3 "fetch accounts" filters (login and domain hints, the config's account label). */
  filter(accounts: readonly IdentityProviderAccount[], filter: AccountFilter): IdentityProviderAccount[] {
    return filterAccounts([...accounts], filter);
  }

  /** FedCM §3.4: client metadata for `clientId` (null when the config has no endpoint; failures are warnings). */
  clientMetadata(config: IdpConfig, clientId: string): Promise<ProbeStep<ClientMetadata | null>> {
    const crossSiteEmbedder = !isSameSite(this.#frame.origin, this.#frame.top.origin);
    return this.#step((net) => fetchClientMetadata(net, config, clientId, { crossSiteEmbedder }));
  }

  /** FedCM §3.5: the ID assertion request Chromium sends, and what the IdP answered. */
  assertion(config: IdpConfig, request: AssertionRequest): Promise<ProbeStep<AssertionResult>> {
    return this.#step((net) => requestIdentityAssertion(net, config, request));
  }

  async #step<T>(run: (net: IdpNetwork) => Promise<T | FedCmFailure>): Promise<ProbeStep<T>> {
    const warnings: Diagnostic[] = [];
    const requests: FetchRecord[] = [];
    const net: IdpNetwork = {
      ...createIdpNetwork(this.#core, this.#frame, new AbortState()),
      report: (d) => warnings.push(diagnostic(d)),
      recordFetch: (r) => {
        requests.push(r);
        this.#core.events.emit('fetch', r);
      },
    };
    try {
      const value = await run(net);
      if (value instanceof FedCmFailure) return { result: undefined, failure: diagnostic(value.diagnostic), warnings, requests };
      return { result: value, failure: undefined, warnings, requests };
    } catch (e) {
      if (e instanceof FedCmFailure) return { result: undefined, failure: diagnostic(e.diagnostic), warnings, requests };
      throw e;
    }
  }
}
