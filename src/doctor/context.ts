// One doctor run's state: the options, the two agents it probes with (one signed in at the IdP,
// one without any cookie: a logged-out user), the raw client, and where findings and requests go.

import { createAgent, type Agent, type Diagnostic, type FetchRecord, type IdpProbe } from '../agent/index.js';
import type { HostRulesInput } from '../common/host-rules.js';
import { findingFrom } from './fixes.js';
import type { DoctorRequest, Finding, FindingLevel } from './finding.js';
import { rawClient, type RawClient } from './http.js';

/** How the doctor gets a signed-in user at the IdP, for the probes that need one. */
export type DoctorSession =
  /** Cookies of the IdP origin, `name=value` (sent as a browser with a session would send them). */
  | { cookies: readonly string[] }
  /** A fedkit profile file (from `fedkit signin --profile`): its cookies and login status. */
  | { profile: string }
  /** Sign in through the IdP's own login form (its login_url, or `loginUrl`). */
  | { login: { user: string; password: string; loginUrl?: string } };

export interface DoctorOptions {
  /** Host mapping like Chromium's --host-resolver-rules (`{ '*.example:443': '127.0.0.1:8443' }` or the MAP string). */
  hostRules?: HostRulesInput;
  /** Extra trusted root certificates (PEM). */
  ca?: string | string[];
  /** Accept any TLS certificate (tests only). */
  insecureTLS?: boolean;
  /** The RP's client id: enables the client metadata, ID assertion, token and protection probes. */
  clientId?: string;
  /**
   * The RP origin the requests are made for (default `https://rp.doctor.invalid`, cross-site with
   * any IdP, so the well-known file is checked as for any RP). Must be registered for `clientId`.
   */
  rpOrigin?: string;
  /** A signed-in user, for the accounts, assertion and protection probes. */
  session?: DoctorSession;
  /** The IdP's sign-out URL: its response should send `Set-Login: logged-out`. */
  logoutUrl?: string;
  /** Also send the ID assertion probes (they use nonces and may record a grant; default true). */
  assertion?: boolean;
  /** Per-request timeout, ms (default 10000). */
  timeoutMs?: number;
  /** Warnings count as failures too (for CI). */
  strict?: boolean;
  /** Called as each probe starts, for a progress line. */
  onProgress?: (step: string) => void;
}

export const DEFAULT_RP_ORIGIN = 'https://rp.doctor.invalid';

/** The state every probe shares. */
export class DoctorContext {
  readonly configURL: URL;
  readonly idpOrigin: string;
  readonly rpOrigin: string;
  readonly options: DoctorOptions;
  readonly findings: Finding[] = [];
  readonly requests: DoctorRequest[] = [];
  /** The agent with the session (or without one, until a probe signs in). */
  readonly agent: Agent;
  /** An agent without any cookie: what a logged-out user's browser sends. */
  readonly anonymous: Agent;
  readonly raw: RawClient;
  #step = 'start';

  constructor(configURL: URL, options: DoctorOptions) {
    this.configURL = configURL;
    this.idpOrigin = configURL.origin;
    this.rpOrigin = new URL(options.rpOrigin ?? DEFAULT_RP_ORIGIN).origin;
    this.options = options;
    const agentOptions = {
      ...(options.hostRules === undefined ? {} : { hostRules: options.hostRules as Record<string, string> | string }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.insecureTLS === undefined ? {} : { insecureTLS: options.insecureTLS }),
      timeoutMs: options.timeoutMs ?? 10_000,
    };
    const profile = options.session !== undefined && 'profile' in options.session ? options.session.profile : undefined;
    this.agent = createAgent({ ...agentOptions, ...(profile === undefined ? {} : { profile }) });
    this.anonymous = createAgent(agentOptions);
    const record = (r: FetchRecord): void => this.#record(r);
    this.agent.on('fetch', record);
    this.anonymous.on('fetch', record);
    this.raw = rawClient({ ...agentOptions, timeoutMs: agentOptions.timeoutMs }, (r) => this.requests.push(r.requestHeaders === undefined ? r : { ...r, requestHeaders: redact(r.requestHeaders) }));
  }

  /** The probe running now (named in the requests it makes and on the progress line). */
  step(name: string): void {
    this.#step = name;
    this.options.onProgress?.(name);
  }

  get currentStep(): string {
    return this.#step;
  }

  add(finding: Finding): void {
    this.findings.push(finding);
  }

  /** An agent diagnostic as a finding (at `level`, or its own; with `fix`, or the catalogue's). */
  addDiagnostic(d: Diagnostic, level?: FindingLevel, fix?: string): void {
    this.findings.push(findingFrom(d, level, fix));
  }

  /** A probe for the RP origin, with the session's agent or the anonymous one. */
  probe(signedIn: boolean): Promise<IdpProbe> {
    return (signedIn ? this.agent : this.anonymous).probe(`${this.rpOrigin}/`);
  }

  #record(r: FetchRecord): void {
    this.requests.push({
      probe: this.#step,
      method: r.method,
      url: r.url,
      ...(r.status === undefined ? {} : { status: r.status }),
      ...(r.error === undefined ? {} : { error: r.error }),
      durationMs: r.durationMs,
      ...(r.requestHeaders === undefined ? {} : { requestHeaders: redact(r.requestHeaders) }),
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.agent.close(), this.anonymous.close(), this.raw.close()]);
  }
}

/** Request headers as reported: cookie values never leave the doctor. */
export function redact(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = name.toLowerCase() === 'cookie' ? value.split(/;\s*/).map((c) => `${c.split('=')[0]}=…`).join('; ') : value;
  }
  return out;
}
