// Every scenario group; a group is one golden file (goldens/<group>.json).
import type { ScenarioGroup } from '../scenario.js';
import { scenarios as abortIdl } from './abort-idl.js';
import { scenarios as active } from './active.js';
import { scenarios as dialogs } from './dialogs.js';
import { scenarios as disconnect } from './disconnect.js';
import { scenarios as endpoints } from './endpoints.js';
import { scenarios as fields } from './fields.js';
import { scenarios as frames } from './frames.js';
import { scenarios as hints } from './hints.js';
import { scenarios as limits } from './limits.js';
import { scenarios as loginStatus } from './login-status.js';
import { scenarios as mediation } from './mediation.js';
import { scenarios as multiIdp } from './multi-idp.js';
import { scenarios as popups } from './popups.js';

export const groups: ScenarioGroup[] = [
  { group: 'dialogs', scenarios: dialogs },
  { group: 'endpoints', scenarios: endpoints },
  { group: 'hints', scenarios: hints },
  { group: 'fields', scenarios: fields },
  { group: 'mediation', scenarios: mediation },
  { group: 'active', scenarios: active },
  { group: 'abort-idl', scenarios: abortIdl },
  { group: 'frames', scenarios: frames },
  { group: 'multi-idp', scenarios: multiIdp },
  { group: 'popups', scenarios: popups },
  { group: 'disconnect', scenarios: disconnect },
  { group: 'login-status', scenarios: loginStatus },
  { group: 'limits', scenarios: limits },
];

// Scenario names are keys (goldens, known differences): they must be unique.
const names = new Set<string>();
for (const g of groups) {
  for (const s of g.scenarios) {
    if (names.has(s.name)) throw new Error(`duplicate scenario name: ${s.name}`);
    names.add(s.name);
  }
}
