// Every scenario group; a group is one golden file (goldens/<group>.json).
import type { ScenarioGroup } from '../scenario.js';
import { scenarios as dialogs } from './dialogs.js';

export const groups: ScenarioGroup[] = [
  { group: 'dialogs', scenarios: dialogs },
];
