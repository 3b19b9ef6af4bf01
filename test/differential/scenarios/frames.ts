// Iframes: same-origin and cross-origin, with and without the allow attribute, and the RP's
// Permissions-Policy and CSP headers.

import { SELECT0, getStep, identity, type Scenario } from '../scenario.js';

const ALLOW = 'identity-credentials-get';

export const scenarios: Scenario[] = [
  { name: 'iframe: same origin, no allow attribute', frame: { src: 'https://rp.example/iframe' }, steps: [getStep(identity(), [SELECT0])] },
  { name: 'iframe: cross origin, no allow attribute', frame: { src: 'https://rp2.example/iframe' }, steps: [getStep(identity(), [SELECT0])] },
  { name: 'iframe: cross origin, allow identity-credentials-get', frame: { src: 'https://rp2.example/iframe', allow: ALLOW }, steps: [getStep(identity(), [SELECT0])] },
  { name: 'iframe: cross origin, allow of another feature', frame: { src: 'https://rp2.example/iframe', allow: 'camera' }, steps: [getStep(identity(), [SELECT0])] },
  { name: 'iframe: same origin, top page forbids by Permissions-Policy', rp: { headers: { 'permissions-policy': 'identity-credentials-get=()' } }, frame: { src: 'https://rp.example/iframe' }, steps: [getStep(identity(), [SELECT0])] },
  { name: 'top page: Permissions-Policy forbids', rp: { headers: { 'permissions-policy': 'identity-credentials-get=()' } }, steps: [getStep(identity(), [SELECT0])] },
  { name: 'top page: CSP connect-src self', rp: { headers: { 'content-security-policy': "connect-src 'self'" } }, steps: [getStep(identity(), [SELECT0])] },
  { name: 'top page: CSP connect-src allows the IdP', rp: { headers: { 'content-security-policy': "connect-src 'self' https://idp.example" } }, steps: [getStep(identity(), [SELECT0])] },
  { name: 'iframe: cross origin with allow, new client (metadata)', frame: { src: 'https://rp2.example/iframe', allow: ALLOW }, steps: [getStep(identity({ clientId: 'new-client' }), [SELECT0])] },
];
