// The fixture of one scenario, the same for both runners: a fixture server holding every answer
// HOLD_MS, the scenario's IdPs and RP installed on it.

import { corsHeaders, installIdp, installRp, janeDoe, johnDoe, startFixtureServer, twoAccounts, type FixtureRequest, type FixtureResponse, type FixtureServer, type Handler, type IdpConfig, type IdpController, type IdpEndpoint } from '../fixtures/index.js';
import type { ResponseSpec, Scenario, SetupStep } from './scenario.js';

/**
 * Every response of the fixture is held this long (see waves() in trace.ts). Requests a client
 * issues together (the well-known file and the config, or the accounts and client metadata)
 * reach the server within a few ms of each other, far less than the hold, so they all arrive
 * before the first of them is answered; a request that depends on an answer arrives after that
 * answer ended. 120 ms leaves a wide margin on a loaded 2-core machine and costs ~0.1 s per wave.
 */
export const HOLD_MS = 120;

/**
 * The config answers this much later than the well-known file (unless the scenario sets its own
 * delay). Both are fetched together and, held the same time, would end within a millisecond of
 * each other; what Chromium asks next depends on which ends first, so that order is fixed here
 * (the well-known file first, as with a real, static well-known file) to keep recordings stable.
 */
export const CONFIG_EXTRA_MS = 50;

export interface ScenarioWorld {
  server: FixtureServer;
  idps: IdpController[];
  rpOrigin: string;
  /** The URL the page actions run in (top page) and, with a frame, the frame's URL. */
  topUrl: string;
  frameUrl: string | undefined;
  /** Setup visits as absolute URLs. */
  setupVisits: string[];
  close(): Promise<void>;
}

export function responseHandler(spec: ResponseSpec): Handler {
  return (req: FixtureRequest): FixtureResponse => {
    const headers: Record<string, string | string[]> = { ...(spec.cors ? corsHeaders(req) : {}), ...spec.headers };
    const r: FixtureResponse = { headers };
    if (spec.status !== undefined) r.status = spec.status;
    if (spec.json !== undefined) r.json = spec.json;
    if (spec.body !== undefined) r.body = spec.body;
    if (spec.redirect !== undefined) r.redirect = spec.redirect;
    return r;
  };
}

function configPatch(config: Record<string, unknown>): Partial<IdpConfig> {
  // null removes a member (fixtures' merge removes undefined ones).
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v === null ? undefined : v])) as Partial<IdpConfig>;
}

export function setupUrl(step: SetupStep): string {
  if ('visit' in step) return step.visit;
  if ('signIn' in step) return new URL('/login', step.signIn).href;
  return new URL('/logout', step.signOut).href;
}

export async function buildWorld(scenario: Scenario): Promise<ScenarioWorld> {
  const server = await startFixtureServer({ holdMs: HOLD_MS });
  const idps: IdpController[] = [];
  for (const spec of scenario.idps ?? [{}]) {
    const origin = spec.origin ?? 'https://idp.example';
    const idp = installIdp(server, {
      origin,
      accounts: spec.accounts === 'two' ? twoAccounts(origin) : (spec.accounts ?? [johnDoe(origin)]),
      ...(spec.wellKnown !== undefined ? { wellKnown: spec.wellKnown } : {}),
      ...(spec.clientMetadata !== undefined ? { clientMetadata: spec.clientMetadata } : {}),
      ...(spec.requireSession !== undefined ? { requireSession: spec.requireSession } : {}),
    });
    if (spec.config) idp.setConfig(configPatch(spec.config));
    if (spec.token) idp.setToken(responseHandler(spec.token));
    for (const [endpoint, r] of Object.entries(spec.overrides ?? {})) idp.override(endpoint as IdpEndpoint, responseHandler(r));
    idp.setDelay('config', CONFIG_EXTRA_MS);
    for (const [endpoint, ms] of Object.entries(spec.delays ?? {})) idp.setDelay(endpoint as IdpEndpoint, ms);
    for (const [path, page] of Object.entries(spec.pages ?? {})) {
      server.route(origin, 'GET', path, () => ({ headers: { 'content-type': 'text/html; charset=utf-8', ...page.headers }, body: page.html }));
    }
    idps.push(idp);
  }
  const rpOrigin = scenario.rp?.origin ?? 'https://rp.example';
  installRp(server, { origin: rpOrigin, headers: scenario.rp?.headers ?? {} });
  // A second RP origin for cross-origin frames (its pages carry no extra headers).
  for (const other of ['https://rp2.example', 'https://other.example']) if (other !== rpOrigin) installRp(server, { origin: other });
  const frameUrl = scenario.frame?.src;
  let topUrl = `${rpOrigin}/`;
  if (scenario.frame) {
    const q = new URLSearchParams({ src: scenario.frame.src });
    if (scenario.frame.allow !== undefined) q.set('allow', scenario.frame.allow);
    topUrl = `${rpOrigin}/embed?${q}`;
  }
  const setup = scenario.setup ?? [{ signIn: idps[0]!.origin }];
  return {
    server,
    idps,
    rpOrigin,
    topUrl,
    frameUrl,
    setupVisits: setup.map(setupUrl),
    close: () => server.close(),
  };
}

// Re-exported for scenarios that build account lists.
export { janeDoe, johnDoe };
