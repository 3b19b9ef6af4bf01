// Contexts (titles), fields, params, new vs. returning client ids: the dialog titles and the
// assertion request body.

import { SELECT0, getStep, identity, type Scenario } from '../scenario.js';

const NEW = { clientId: 'new-client' };

export const scenarios: Scenario[] = [
  ...(['signin', 'signup', 'use', 'continue'] as const).map((context): Scenario => ({
    name: `context: ${context}`,
    steps: [getStep(identity(NEW, { context }), [SELECT0])],
  })),
  { name: 'fields: new user, default fields (disclosure shown)', steps: [getStep(identity(NEW), [SELECT0])] },
  { name: 'fields: empty list', steps: [getStep(identity({ ...NEW, fields: [] }), [SELECT0])] },
  { name: 'fields: name only', steps: [getStep(identity({ ...NEW, fields: ['name'] }), [SELECT0])] },
  { name: 'fields: email and an unknown field', steps: [getStep(identity({ ...NEW, fields: ['email', 'tel'] }), [SELECT0])] },
  { name: 'params: nested object', steps: [getStep(identity({ ...NEW, params: { nonce: 'n-1', scope: 'openid profile', extra: { a: [1, 2] } } }), [SELECT0])] },
  { name: 'params: nonce member (deprecated)', steps: [getStep(identity({ ...NEW, nonce: 'legacy-nonce' }), [SELECT0])] },
  { name: 'client metadata: third party to the top frame', idps: [{ clientMetadata: { privacy_policy_url: 'https://rp.example/pp', terms_of_service_url: 'https://rp.example/tos', client_is_third_party_to_top_frame_origin: true } }], steps: [getStep(identity(NEW), [SELECT0])] },
  { name: 'client metadata: no policy URLs', idps: [{ clientMetadata: {} }], steps: [getStep(identity(NEW), [SELECT0])] },
  { name: 'returning client (approved_clients): no client metadata', steps: [getStep(identity({ clientId: '456' }), [SELECT0])] },
  { name: 'account label filter', idps: [{ config: { account_label: 'work' }, accounts: [{ id: 'w', name: 'Worker', email: 'w@idp.example', label_hints: ['work'] }, { id: 'h', name: 'Home', email: 'h@idp.example' }] }], steps: [getStep(identity(NEW), [SELECT0])] },
];
