// Returning users, auto re-authentication and its quiet period, preventSilentAccess(),
// mediation modes and cooldowns (embargo).

import { DISMISS, OBSERVE, SELECT0, SELECT1, getStep, identity, type Scenario, type Step } from '../scenario.js';

const first: Step = getStep(identity(), [SELECT0]);
const med = (mediation: string, dialogs = [OBSERVE]): Step => getStep(identity({}, {}, { mediation }), dialogs);

export const scenarios: Scenario[] = [
  { name: 'mediation: silent, new user', steps: [med('silent', [])] },
  { name: 'mediation: silent, returning user', steps: [first, med('silent')] },
  { name: 'mediation: optional, returning user (auto)', steps: [first, med('optional')] },
  { name: 'mediation: required, returning user', steps: [first, med('required', [SELECT0])] },
  { name: 'mediation: conditional', steps: [med('conditional', [DISMISS])] },
  { name: 'mediation: invalid value', steps: [med('sometimes', [])] },
  { name: 'quiet period: second auto re-authn shows the chooser', steps: [first, med('optional'), med('optional', [SELECT0])] },
  { name: 'quiet period: silent after an auto re-authn', steps: [first, med('optional'), med('silent', [])] },
  { name: 'preventSilentAccess, then optional shows the chooser', steps: [first, { actions: [{ kind: 'preventSilentAccess' }] }, med('optional', [SELECT0])] },
  { name: 'preventSilentAccess, then silent fails', steps: [first, { actions: [{ kind: 'preventSilentAccess' }] }, med('silent', [])] },
  { name: 'preventSilentAccess alone', steps: [{ actions: [{ kind: 'preventSilentAccess' }] }] },
  { name: 'returning user: two accounts, one connected (auto)', idps: [{ accounts: 'two' }], steps: [getStep(identity({ clientId: 'xyz' }), [SELECT1]), getStep(identity({ clientId: 'xyz' }), [OBSERVE])] },
  { name: 'returning user: approved_clients only, no browser connection', steps: [med('silent', [])] },
  // When Chromium fetches client metadata for sign-up accounts again (see "returning user: two accounts, one connected").
  { name: 'client metadata: two accounts, first request dismissed, second request', idps: [{ accounts: 'two' }], steps: [getStep(identity({ clientId: 'xyz' }), [DISMISS]), getStep(identity({ clientId: 'xyz' }), [SELECT0])] },
  { name: 'client metadata: one sign-up account connected, second request', steps: [getStep(identity({ clientId: 'xyz' }), [SELECT0]), getStep(identity({ clientId: 'xyz' }), [OBSERVE])] },
  { name: 'cooldown: dismissed with cooldown, then refused', steps: [getStep(identity(), [{ dismiss: true, cooldown: true }]), getStep(identity(), [])] },
  { name: 'cooldown: reset, then shown again', steps: [getStep(identity(), [{ dismiss: true, cooldown: true }]), { ...getStep(identity(), [SELECT0]), resetCooldown: true }] },
  { name: 'cooldown: dismissed without cooldown, shown again', steps: [getStep(identity(), [DISMISS]), getStep(identity(), [SELECT0])] },
  { name: 'cooldown: active mode is not embargoed', steps: [getStep(identity(), [{ dismiss: true, cooldown: true }]), getStep(identity({}, { mode: 'active' }), [SELECT0], { activation: true })] },
];
