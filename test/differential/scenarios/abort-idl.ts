// AbortSignal, a concurrent call, and the TypeErrors of IDL conversion.

import { CONFIG, DISMISS, getStep, identity, provider, type Scenario } from '../scenario.js';

const typeError = (name: string, options: Record<string, unknown>): Scenario => ({ name: `idl: ${name}`, steps: [getStep(options, [])] });

export const scenarios: Scenario[] = [
  { name: 'abort: before the call, no reason', steps: [getStep(identity(), [], { signal: true, abortBefore: {} })] },
  { name: 'abort: before the call, with a reason', steps: [getStep(identity(), [], { signal: true, abortBefore: { reason: 'changed my mind' } })] },
  { name: 'abort: while the chooser is shown, no reason', steps: [getStep(identity(), [{ abort: 0 }], { signal: true })] },
  { name: 'abort: while the chooser is shown, with a reason', steps: [getStep(identity(), [{ abort: 0, reason: 'page gave up' }], { signal: true })] },
  { name: 'concurrent: a second get while the chooser is shown', steps: [{ actions: [{ kind: 'get', options: identity() }, { kind: 'get', options: identity() }], dialogs: [DISMISS] }] },
  { name: 'concurrent: second get with another provider', idps: [{}, { origin: 'https://idp2.example' }], steps: [{ actions: [{ kind: 'get', options: identity() }, { kind: 'get', options: { identity: { providers: [{ configURL: 'https://idp2.example/fedcm/config.json', clientId: '123' }] } } }], dialogs: [DISMISS] }] },
  typeError('provider without clientId', { identity: { providers: [{ configURL: CONFIG }] } }),
  typeError('provider without configURL', { identity: { providers: [{ clientId: '123' }] } }),
  typeError('identity without providers', { identity: {} }),
  typeError('empty providers', { identity: { providers: [] } }),
  typeError('identity is a string', { identity: 'x' }),
  typeError('providers is not a sequence', { identity: { providers: 5 } }),
  typeError('invalid mode', { identity: { providers: [provider()], mode: 'bogus' } }),
  typeError('invalid context', { identity: { providers: [provider()], context: 'bogus' } }),
  typeError('configURL is not a URL', { identity: { providers: [{ configURL: 'not a url', clientId: '123' }] } }),
  typeError('configURL over http', { identity: { providers: [{ configURL: 'http://idp.example/fedcm/config.json', clientId: '123' }] } }),
  typeError('no credential type', {}),
  typeError('params is not an object', { identity: { providers: [provider({ params: 'x' })] } }),
  typeError('fields is not a sequence', { identity: { providers: [provider({ fields: 'name' })] } }),
];
