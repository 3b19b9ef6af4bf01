// @ts-check
// The layers of fedkit (docs/architecture.md), as the lint rule `fedkit/layers` enforces them.
// A module may import its own layer and the layers its layer is allowed to use: for the agent,
// every rank before its own (never a sibling of the same rank); for the parties (idp, rp) only
// src/common; for the CLI the parties and the agent's public index. Type imports count.

/** A layer: a name and the paths (folders end with "/") it covers. */
/** @typedef {{ name: string, paths: string[] }} Layer */

/** The agent, from the ground up. Layers in one rank are siblings and may not import each other. */
export const agentRanks = [
  [{ name: 'agent/base', paths: ['src/agent/base/'] }],
  [
    { name: 'agent/net', paths: ['src/agent/net/'] },
    { name: 'agent/profile', paths: ['src/agent/profile/'] },
    { name: 'agent/sms', paths: ['src/agent/sms/'] },
  ],
  [{ name: 'agent/mediation', paths: ['src/agent/mediation/'] }],
  [{ name: 'agent/core', paths: ['src/agent/core.ts'] }],
  [{ name: 'agent/document', paths: ['src/agent/document/'] }],
  [{ name: 'agent/credentials/contract', paths: ['src/agent/credentials/contract/'] }],
  [
    { name: 'agent/login-status', paths: ['src/agent/login-status/'] },
    { name: 'agent/otp', paths: ['src/agent/otp/'] },
    { name: 'agent/webauthn', paths: ['src/agent/webauthn/'] },
    { name: 'agent/fedcm', paths: ['src/agent/fedcm/'] },
  ],
  [{ name: 'agent/credentials', paths: ['src/agent/credentials/'] }],
  [{ name: 'agent/window', paths: ['src/agent/window/'] }],
  [{ name: 'agent/agent', paths: ['src/agent/agent.ts'] }],
  [{ name: 'agent/index', paths: ['src/agent/index.ts'] }],
];

/** The other layers, with what each may import besides itself. */
export const otherLayers = [
  { name: 'common', paths: ['src/common/', 'src/version.ts'], allows: [] },
  { name: 'idp', paths: ['src/idp/'], allows: ['common'] },
  { name: 'rp', paths: ['src/rp/'], allows: ['common'] },
  // The integrations put the agent inside other tools, through its public index only.
  { name: 'integrations/playwright', paths: ['src/integrations/playwright/'], allows: ['common', 'agent/index'] },
  { name: 'integrations/jsdom', paths: ['src/integrations/jsdom/'], allows: ['common', 'agent/index'] },
  // fedkit doctor: probes a live IdP or RP page with the agent; checks tokens with the RP kit.
  { name: 'doctor', paths: ['src/doctor/'], allows: ['common', 'agent/index', 'rp'] },
  // fedkit/testing: the parties a test needs, on loopback.
  { name: 'testing', paths: ['src/testing/'], allows: ['common', 'idp', 'rp'] },
  { name: 'cli', paths: ['src/cli/'], allows: ['common', 'idp', 'rp', 'agent/index', 'testing', 'doctor'] },
];

/**
 * Layers inside a layer's folder, lowest first: a file may import only files of lower ranks.
 * A new file in such a folder must be placed here.
 */
export const innerRanks = {
  // FedCM: the results and the data model < the IdP network < the steps < what the dialogs show
  // and when FedCM holds back < the request (the orchestrator), the step-by-step probe < the
  // registry entry.
  'src/agent/fedcm/': [
    ['identity-credential.ts', 'rejection-delay.ts'],
    ['failure.ts', 'network-budget.ts', 'devtools-issue.ts'],
    ['types.ts', 'idp-network.ts'],
    ['request-options.ts', 'connection-status.ts', 'config.ts', 'accounts.ts', 'client-metadata.ts', 'assertion.ts', 'continuation.ts', 'login-popup.ts'],
    ['account-chooser.ts', 'embargo.ts', 'disconnect.ts', 'user-info.ts'],
    ['request.ts', 'identity-provider.ts', 'probe.ts'],
    ['identity-credential-type.ts'],
  ],
};

/** What each layer may import besides itself. */
export function allowedImports() {
  /** @type {Map<string, Set<string>>} */
  const allowed = new Map();
  const below = ['common'];
  for (const rank of agentRanks) {
    for (const layer of rank) allowed.set(layer.name, new Set(below));
    below.push(...rank.map((l) => l.name));
  }
  for (const layer of otherLayers) allowed.set(layer.name, new Set(layer.allows));
  return allowed;
}

/** Every layer with its paths. */
export function allLayers() {
  return [...agentRanks.flat(), ...otherLayers];
}
