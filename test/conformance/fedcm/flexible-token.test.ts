// WPT fedcm/fedcm-flexible-token/: the token is any JSON value, from the ID assertion endpoint
// (flexible_tokens.py) or from IdentityProvider.resolve() (resolve_flexible_tokens.html, run as
// real script in a jsdom popup).

import assert from 'node:assert/strict';
import { IdentityCredential, jsdomPopups } from '../../../src/agent/index.js';
import { continueOnFlexibleTokens, flexibleTokens, getAndSelectFirstAccount, installResolveFlexibleTokensPage } from '../support/extra-fedcm.js';
import { fedcmTest, type WptWorld } from '../support/world.js';
import { subtest, wptFile } from '../wpt.js';

async function inWorld(fn: (w: WptWorld) => Promise<void>): Promise<void> {
  const w = await fedcmTest({ agent: { popupHost: jsdomPopups() } });
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/**
 * fedcm_get_flexible_tokens_credential(t, type): manifest_flexible_tokens.json (the token comes
 * from flexible_tokens.py), params {token_type}, mediation required; selects the first account.
 */
async function flexibleTokenCredential(w: WptWorld, type: string): Promise<IdentityCredential> {
  w.idp.setToken(flexibleTokens);
  return getAndSelectFirstAccount(w, {
    identity: { providers: [{ configURL: w.idp.configURL, clientId: '1', nonce: '2', params: { token_type: type } }] },
    mediation: 'required',
  });
}

/** A token as the page sees it (tokens are any JSON value, typed unknown here). */
type Token = unknown;
const tokenOf = (c: IdentityCredential): Token => c.token as Token;

wptFile('fedcm/fedcm-flexible-token/basic.https.html', () => {
  const cases: [string, string, (token: Token) => void, boolean][] = [
    ['FedCM should accept string tokens', 'string', (t) => (assert.equal(typeof t, 'string'), assert.equal(t, 'simple_string_token')), true],
    ['FedCM should accept number tokens', 'positive-number', (t) => (assert.equal(typeof t, 'number'), assert.equal(t, 12345)), true],
    ['FedCM should accept negative number tokens', 'negative-number', (t) => (assert.equal(typeof t, 'number'), assert.equal(t, -42)), true],
    ['FedCM should accept boolean tokens (true)', 'boolean-true', (t) => (assert.equal(typeof t, 'boolean'), assert.equal(t, true)), true],
    ['FedCM should accept boolean tokens (false)', 'boolean-false', (t) => (assert.equal(typeof t, 'boolean'), assert.equal(t, false)), false],
    ['FedCM should accept null tokens', 'null', (t) => assert.equal(t, null), true],
    ['FedCM should accept zero as token value', 'zero', (t) => (assert.equal(typeof t, 'number'), assert.equal(t, 0)), true],
    [
      'FedCM should accept floating point number tokens',
      'float',
      (t) => (assert.equal(typeof t, 'number'), assert.ok(Math.abs((t as number) - 3.14159) <= 0.00001, `${String(t)} ≈ 3.14159`)),
      true,
    ],
  ];
  for (const [name, type, check, checksInstance] of cases) {
    subtest(name, () =>
      inWorld(async (w) => {
        const credential = await flexibleTokenCredential(w, type);
        if (checksInstance) assert.ok(credential instanceof IdentityCredential);
        check(tokenOf(credential));
      }),
    );
  }
});

wptFile('fedcm/fedcm-flexible-token/complex.https.html', () => {
  const cases: [string, string, (token: Token) => void][] = [
    ['FedCM should accept array tokens', 'array', (t) => (assert.ok(Array.isArray(t)), assert.deepEqual(t, ['token1', 'token2', 'token3']))],
    ['FedCM should accept empty array tokens', 'empty-array', (t) => (assert.ok(Array.isArray(t)), assert.equal(t.length, 0))],
    [
      'FedCM should accept mixed-type array tokens',
      'mixed-array',
      (t) => {
        assert.ok(Array.isArray(t));
        assert.equal(t.length, 5);
        assert.equal(t[0], 'string');
        assert.equal(t[1], 123);
        assert.equal(t[2], true);
        assert.equal(t[3], null);
        assert.equal(typeof t[4], 'object');
      },
    ],
    [
      'FedCM should accept object tokens',
      'object',
      (t) => {
        assert.equal(typeof t, 'object');
        assert.notEqual(t, null);
        const o = t as Record<string, unknown>;
        assert.equal(o['access_token'], 'abc123');
        assert.equal(o['token_type'], 'Bearer');
        assert.equal(o['expires_in'], 3600);
      },
    ],
    [
      'FedCM should accept empty object tokens',
      'empty-object',
      (t) => (assert.equal(typeof t, 'object'), assert.notEqual(t, null), assert.deepEqual(Object.keys(t as object), [])),
    ],
    [
      'FedCM should accept nested object tokens',
      'nested-object',
      (t) => {
        assert.equal(typeof t, 'object');
        const user = (t as { user: { id: string; profile: { name: string; preferences: { theme: string } } } }).user;
        assert.equal(user.id, '123');
        assert.equal(user.profile.name, 'Test User');
        assert.equal(user.profile.preferences.theme, 'dark');
      },
    ],
  ];
  for (const [name, type, check] of cases) {
    subtest(name, () =>
      inWorld(async (w) => {
        const credential = await flexibleTokenCredential(w, type);
        assert.ok(credential instanceof IdentityCredential);
        check(tokenOf(credential));
      }),
    );
  }
});

wptFile('fedcm/fedcm-flexible-token/resolve-flexible-tokens.https.html', () => {
  const cases: [string, string, unknown, (token: Token) => void][] = [
    ['IdentityProvider.resolve() with string token', 'string', 'account=jane_doe', (t) => assert.equal(t, 'account=jane_doe')],
    ['IdentityProvider.resolve() with positive number token', 'number', 42, (t) => assert.equal(t, 42)],
    ['IdentityProvider.resolve() with boolean(true) token', 'boolean', true, (t) => assert.equal(t, true)],
    ['IdentityProvider.resolve() with null token', 'null', null, (t) => assert.equal(t, null)],
    [
      'IdentityProvider.resolve() with object token',
      'object',
      { id: 42, name: 'test', active: true },
      (t) => {
        const o = t as Record<string, unknown>;
        assert.equal(o['id'], 42);
        assert.equal(o['name'], 'test');
        assert.equal(o['active'], true);
      },
    ],
    [
      'IdentityProvider.resolve() with array token',
      'array',
      [1, 'test', true, null, { key: 'value' }],
      (t) => {
        const a = t as unknown[];
        assert.equal(a.length, 5);
        assert.equal(a[0], 1);
        assert.equal(a[1], 'test');
        assert.equal(a[2], true);
        assert.equal(a[3], null);
        assert.equal((a[4] as { key: string }).key, 'value');
      },
    ],
  ];
  for (const [name, tokenType, tokenValue, check] of cases) {
    subtest(name, () =>
      inWorld(async (w) => {
        // manifest_continue_on_flexible_tokens.json: continue_on_flexible_tokens.py → resolve_flexible_tokens.html.
        w.idp.setToken(continueOnFlexibleTokens);
        installResolveFlexibleTokensPage(w);
        const cred = await getAndSelectFirstAccount(w, {
          identity: {
            providers: [{ configURL: w.idp.configURL, clientId: '1', nonce: '2', params: { accountId: 'jane_doe', tokenType, tokenValue } }],
          },
          mediation: 'required',
        });
        check(tokenOf(cred));
      }),
    );
  }
});
