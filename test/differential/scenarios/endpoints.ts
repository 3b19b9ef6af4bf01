// Every endpoint failure: the well-known file, the config, the accounts list, client metadata,
// pictures and the ID assertion (statuses, invalid JSON, wrong content type, empty lists,
// redirects, CORS on the assertion).

import { DISMISS, GOT_IT, SELECT0, getStep, identity, type IdpSpec, type Scenario, type ResponseSpec } from '../scenario.js';

const TEXT = { 'content-type': 'text/plain' };
const JSONT = { 'content-type': 'application/json' };

function one(name: string, idp: IdpSpec, dialogs = [SELECT0]): Scenario {
  return { name, idps: [idp], steps: [getStep(identity(), dialogs)] };
}
const token = (t: ResponseSpec): IdpSpec => ({ token: t });

export const scenarios: Scenario[] = [
  // The well-known file.
  one('well-known: 404', { wellKnown: 'missing' }),
  one('well-known: 500', { overrides: { wellKnown: { status: 500, body: 'oops', headers: TEXT } } }),
  one('well-known: invalid JSON', { overrides: { wellKnown: { body: '{not json', headers: JSONT } } }),
  one('well-known: wrong content type', { overrides: { wellKnown: { body: '{"provider_urls":["https://idp.example/fedcm/config.json"]}', headers: TEXT } } }),
  one('well-known: empty provider_urls', { wellKnown: { provider_urls: [] } }),
  one('well-known: config URL not listed', { wellKnown: { provider_urls: ['https://idp.example/other.json'] } }),
  one('well-known: redirect', { overrides: { wellKnown: { redirect: '/fedcm/config.json' } } }),
  one('well-known: accounts_endpoint and login_url (direct)', { wellKnown: 'both' }),
  // The config.
  one('config: 404', { overrides: { config: { status: 404, body: 'nope', headers: TEXT } } }),
  one('config: 500', { overrides: { config: { status: 500, body: 'oops', headers: TEXT } } }),
  one('config: invalid JSON', { overrides: { config: { body: '{"accounts_endpoint":', headers: JSONT } } }),
  one('config: wrong content type', { overrides: { config: { body: '{"accounts_endpoint":"/fedcm/accounts","id_assertion_endpoint":"/fedcm/token","login_url":"/login"}', headers: { 'content-type': 'text/html' } } } }),
  one('config: no accounts_endpoint', { config: { accounts_endpoint: null } }),
  one('config: no id_assertion_endpoint', { config: { id_assertion_endpoint: null } }),
  one('config: no login_url', { config: { login_url: null } }),
  one('config: cross-origin accounts_endpoint', { config: { accounts_endpoint: 'https://other.example/accounts' } }),
  one('config: redirect', { overrides: { config: { redirect: '/fedcm/config2.json' } } }),
  // The accounts list.
  one('accounts: 404', { overrides: { accounts: { status: 404, body: 'nope', headers: TEXT } } }),
  one('accounts: 500', { overrides: { accounts: { status: 500, body: 'oops', headers: TEXT } } }),
  one('accounts: invalid JSON', { overrides: { accounts: { body: '{"accounts": [', headers: JSONT } } }),
  one('accounts: wrong content type', { overrides: { accounts: { body: '{"accounts":[{"id":"1","name":"A","email":"a@idp.example"}]}', headers: TEXT } } }),
  one('accounts: empty list', { accounts: [] }),
  one('accounts: no accounts member', { overrides: { accounts: { json: { users: [] } } } }),
  one('accounts: account without id', { accounts: [{ name: 'No Id', email: 'noid@idp.example' } as never] }),
  one('accounts: redirect', { overrides: { accounts: { redirect: '/fedcm/accounts2' } } }),
  one('accounts: name only, no email', { accounts: [{ id: 'n1', name: 'Name Only' }] }),
  // Client metadata and pictures.
  one('client metadata: 404 (new user)', { overrides: { clientMetadata: { status: 404, body: 'nope', headers: TEXT } } }),
  one('client metadata: invalid JSON (new user)', { overrides: { clientMetadata: { body: '{', headers: JSONT } } }),
  one('pictures: 404', { overrides: { picture: { status: 404, body: 'no picture', headers: TEXT } } }),
  // The ID assertion.
  one('token: 500', token({ status: 500, body: 'oops', headers: TEXT, cors: true }), [SELECT0, GOT_IT]),
  one('token: 404 with JSON', token({ status: 404, json: { token: 'x' }, cors: true }), [SELECT0, GOT_IT]),
  one('token: invalid JSON', token({ body: '{"token":', headers: JSONT, cors: true }), [SELECT0, GOT_IT]),
  one('token: text/plain body', token({ body: 'token', headers: TEXT, cors: true }), [SELECT0, GOT_IT]),
  one('token: no CORS headers', token({ json: { token: 'token' } }), [SELECT0, GOT_IT]),
  one('token: ACAO of another origin', token({ json: { token: 'token' }, headers: { 'access-control-allow-origin': 'https://other.example', 'access-control-allow-credentials': 'true' } }), [SELECT0, GOT_IT]),
  one('token: ACAO without ACAC', token({ json: { token: 'token' }, headers: { 'access-control-allow-origin': 'https://rp.example' } }), [SELECT0, GOT_IT]),
  one('token: redirect', token({ redirect: '/fedcm/token2', cors: true }), [SELECT0, GOT_IT]),
  one('token: empty object', token({ json: {}, cors: true }), [SELECT0, GOT_IT]),
  one('token: token is an object', token({ json: { token: { a: 1, b: [true] } }, cors: true }), [SELECT0, GOT_IT]),
  one('token: token is a number', token({ json: { token: 42 }, cors: true }), [SELECT0, GOT_IT]),
  one('token: error without url', token({ status: 400, json: { error: { code: 'invalid_request' } }, cors: true }), [SELECT0, GOT_IT]),
  one('token: error with cross-site url', token({ status: 400, json: { error: { code: 'invalid_request', url: 'https://other.example/err' } }, cors: true }), [SELECT0, GOT_IT]),
  one('token: error with 200 status', token({ json: { error: { code: 'temporarily_unavailable', url: 'https://idp.example/e' } }, cors: true }), [SELECT0, GOT_IT]),
  one('token: error with unknown code', token({ status: 401, json: { error: { code: 'weird_code' } }, cors: true }), [SELECT0, GOT_IT]),
  // Status against content type (the DevTools issue of each): JSON with a 5xx, a 503 that is not JSON, a 500 without CORS.
  one('token: 500 with JSON', token({ status: 500, json: { token: 'x' }, cors: true }), [SELECT0, GOT_IT]),
  one('token: 503 text/plain', token({ status: 503, body: 'busy', headers: TEXT, cors: true }), [SELECT0, GOT_IT]),
  one('token: 500 without CORS', token({ status: 500, json: { token: 'x' } }), [SELECT0, GOT_IT]),
  one('token: error dialog dismissed after 500', token({ status: 500, body: 'oops', headers: TEXT, cors: true }), [SELECT0, DISMISS]),
];
