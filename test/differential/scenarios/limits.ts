// Size limits and large inputs.

import { GOT_IT, SELECT0, getStep, identity, type Scenario } from '../scenario.js';

const many = Array.from({ length: 30 }, (_, i) => ({ id: `u${i}`, name: `User ${i}`, email: `u${i}@idp.example` }));

export const scenarios: Scenario[] = [
  { name: 'limits: 30 accounts, select the last', idps: [{ accounts: many }], steps: [getStep(identity({ clientId: 'new' }), [{ select: 29 }])] },
  { name: 'limits: a 2,000-character name', idps: [{ accounts: [{ id: 'long', name: 'N'.repeat(2000), email: 'long@idp.example' }] }], steps: [getStep(identity(), [SELECT0])] },
  { name: 'limits: accounts body over 1 MiB', idps: [{ overrides: { accounts: { json: { accounts: [{ id: 'x', name: 'X', email: 'x@idp.example' }], pad: 'p'.repeat(1_100_000) } } } }], steps: [getStep(identity(), [SELECT0])] },
  { name: 'limits: accounts body just under 1 MiB', idps: [{ overrides: { accounts: { json: { accounts: [{ id: 'x', name: 'X', email: 'x@idp.example' }], pad: 'p'.repeat(1_000_000) } } } }], steps: [getStep(identity(), [SELECT0])] },
  { name: 'limits: token of 100 kB', idps: [{ token: { json: { token: 't'.repeat(100_000) }, cors: true } }], steps: [getStep(identity(), [SELECT0])] },
  { name: 'limits: token body over 1 MiB', idps: [{ token: { json: { token: 't'.repeat(1_100_000) }, cors: true } }], steps: [getStep(identity(), [SELECT0, GOT_IT])] },
  { name: 'limits: config nested 201 deep', idps: [{ overrides: { config: { body: `{"accounts_endpoint":"/fedcm/accounts","id_assertion_endpoint":"/fedcm/token","login_url":"/login","x":${'['.repeat(200)}${']'.repeat(200)}}`, headers: { 'content-type': 'application/json' } } } }], steps: [getStep(identity(), [SELECT0])] },
  { name: 'limits: config nested 199 deep', idps: [{ overrides: { config: { body: `{"accounts_endpoint":"/fedcm/accounts","id_assertion_endpoint":"/fedcm/token","login_url":"/login","x":${'['.repeat(198)}${']'.repeat(198)}}`, headers: { 'content-type': 'application/json' } } } }], steps: [getStep(identity(), [SELECT0])] },
  { name: 'limits: config nested 200 deep', idps: [{ overrides: { config: { body: `{"accounts_endpoint":"/fedcm/accounts","id_assertion_endpoint":"/fedcm/token","login_url":"/login","x":${'['.repeat(199)}${']'.repeat(199)}}`, headers: { 'content-type': 'application/json' } } } }], steps: [getStep(identity(), [SELECT0])] },
];
