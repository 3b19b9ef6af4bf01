// Login and domain hints: which accounts are shown, and which pictures are fetched.

import { DISMISS, SELECT0, getStep, identity, type Scenario } from '../scenario.js';

const hinted = { accounts: 'two' as const };

export const scenarios: Scenario[] = [
  { name: 'loginHint: matches one of two accounts', idps: [hinted], steps: [getStep(identity({ clientId: 'xyz', loginHint: 'john_doe' }), [SELECT0])] },
  { name: 'loginHint: matches no account', idps: [hinted], steps: [getStep(identity({ clientId: 'xyz', loginHint: 'nobody' }), [DISMISS])] },
  { name: 'loginHint: matches the only account', steps: [getStep(identity({ clientId: 'new', loginHint: 'john_doe' }), [SELECT0])] },
  { name: 'domainHint: matches one of two accounts', idps: [hinted], steps: [getStep(identity({ clientId: 'xyz', domainHint: 'idp.example' }), [SELECT0])] },
  { name: 'domainHint: matches no account', idps: [hinted], steps: [getStep(identity({ clientId: 'xyz', domainHint: 'nowhere.example' }), [DISMISS])] },
  { name: 'domainHint: any, one account has domain hints', idps: [hinted], steps: [getStep(identity({ clientId: 'xyz', domainHint: 'any' }), [SELECT0])] },
  { name: 'loginHint and domainHint both match', idps: [hinted], steps: [getStep(identity({ clientId: 'xyz', loginHint: 'john_doe', domainHint: 'example' }), [SELECT0])] },
  { name: 'loginHint matches, domainHint does not', idps: [hinted], steps: [getStep(identity({ clientId: 'xyz', loginHint: 'john_doe', domainHint: 'other' }), [DISMISS])] },
  { name: 'loginHint: matches by email is not a hint', idps: [hinted], steps: [getStep(identity({ clientId: 'xyz', loginHint: 'jane_doe@idp.example' }), [DISMISS])] },
];
