// Sign-in throttling against lockout (docs/idp.md "Sign-in attempts"): a flood of wrong passwords
// from one address slows that address, with exponential back-off, and never the real user at
// another; the account-wide ceiling bars only addresses that already failed. The handler is
// called with the client address the node adapter would pass (ConnectionInfo.remoteAddress), on
// both real stores, with an injected clock.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addUser, createIdp, DEFAULT_LOGIN_RATE_LIMITS, type Idp, type IdpOptions } from '../../src/idp/index.js';
import { FAST_SCRYPT, openTestStore, PASSWORD, STORE_KINDS, type TestStore } from './helpers.js';

const CSRF = 'c'.repeat(43);

for (const kind of STORE_KINDS) {
  describe(`sign-in throttling (${kind})`, { timeout: 60_000 }, () => {
    let t: TestStore;
    let now: number;
    const idps: Idp[] = [];
    before(async () => {
      t = await openTestStore(kind);
      now = 1_700_000_000_000;
    });
    after(() => t?.cleanup());

    function idp(options: Partial<IdpOptions> = {}): Idp {
      const made = createIdp({ issuer: 'https://idp.example', store: t.store, now: () => now, ...options });
      idps.push(made);
      return made;
    }

    async function signIn(handler: Idp, address: string, email: string, password: string): Promise<{ status: number; retryAfter: string | null }> {
      const res = await handler(
        new Request(handler.urls.login, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://idp.example', cookie: `__Host-fedkit_csrf=${CSRF}` },
          body: new URLSearchParams({ csrf: CSRF, email, password }).toString(),
        }),
        { remoteAddress: address },
      );
      await res.arrayBuffer();
      return { status: res.status, retryAfter: res.headers.get('retry-after') };
    }

    it('ten wrong passwords from one address do not lock the user out at another', async () => {
      const h = idp();
      await addUser(t.store, { id: 'u_victim', email: 'victim@idp.example', name: 'Victim', password: PASSWORD, scrypt: FAST_SCRYPT });
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        statuses.push((await signIn(h, '203.0.113.1', 'victim@idp.example', `wrong ${i}`)).status);
        now += 1000;
      }
      assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
      assert.ok(statuses.slice(5).includes(429), `the attacker is slowed: ${statuses.join(' ')}`);
      assert.equal((await signIn(h, '198.51.100.7', 'victim@idp.example', PASSWORD)).status, 200, 'the real user, elsewhere, signs in');
      assert.equal((await signIn(h, '203.0.113.1', 'victim@idp.example', PASSWORD)).status, 429, 'the attacking address is still waiting');
    });

    it('backs off per (account, address): 5 free failures, then 1 s, 2 s, 4 s … up to 15 minutes; a success forgives them', async () => {
      const h = idp();
      await addUser(t.store, { id: 'u_typo', email: 'typo@idp.example', name: 'Typo', password: PASSWORD, scrypt: FAST_SCRYPT });
      const address = '192.0.2.50';
      for (let i = 0; i < 5; i++) assert.equal((await signIn(h, address, 'typo@idp.example', 'wrong')).status, 401);
      const waits: number[] = [];
      for (let failures = 5; failures < 17; failures++) {
        const blocked = await signIn(h, address, 'typo@idp.example', PASSWORD);
        assert.equal(blocked.status, 429, 'even the right password waits its turn');
        const wait = Number(blocked.retryAfter);
        waits.push(wait);
        now += (wait - 1) * 1000;
        if (wait > 1) assert.equal((await signIn(h, address, 'typo@idp.example', 'wrong')).status, 429, 'not a moment early');
        now += 1000;
        assert.equal((await signIn(h, address, 'typo@idp.example', 'wrong')).status, 401, `after ${wait} s the next guess is judged`);
      }
      assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
      now += 900_000;
      assert.equal((await signIn(h, address, 'typo@idp.example', PASSWORD)).status, 200);
      assert.equal((await signIn(h, address, 'typo@idp.example', 'wrong')).status, 401, 'a success forgives the failures');
      assert.equal(await t.store.countLoginFailures(`pair:${JSON.stringify(['typo@idp.example', address])}`, 0), 1);
    });

    it('the account-wide ceiling bars the addresses that failed, not a first attempt from a new one', async () => {
      const h = idp({ loginRateLimits: { perAccount: { max: 8, windowSeconds: 3600 } } });
      await addUser(t.store, { id: 'u_popular', email: 'popular@idp.example', name: 'Popular', password: PASSWORD, scrypt: FAST_SCRYPT });
      for (let i = 0; i < 8; i++) assert.equal((await signIn(h, `10.0.0.${i}`, 'popular@idp.example', 'guess')).status, 401);
      const barred = await signIn(h, '10.0.0.3', 'popular@idp.example', PASSWORD);
      assert.deepEqual(barred, { status: 429, retryAfter: '3600' });
      assert.equal((await signIn(h, '10.0.0.99', 'popular@idp.example', 'guess')).status, 401, 'a new address is judged on its password');
      assert.equal((await signIn(h, '10.0.0.99', 'popular@idp.example', PASSWORD)).status, 429, '…once');
      assert.equal((await signIn(h, '10.0.1.1', 'popular@idp.example', PASSWORD)).status, 200, 'the real user, from a new address, signs in');
      now += 3600_000;
      assert.equal((await signIn(h, '10.0.0.3', 'popular@idp.example', PASSWORD)).status, 200, 'the ceiling lifts with its window');
    });

    it('one address trying many accounts is barred, that address only', async () => {
      const h = idp();
      for (let i = 0; i < DEFAULT_LOGIN_RATE_LIMITS.perAddress.max; i++) assert.equal((await signIn(h, '192.0.2.200', `nobody${i}@idp.example`, 'guess')).status, 401);
      assert.deepEqual(await signIn(h, '192.0.2.200', 'victim@idp.example', PASSWORD), { status: 429, retryAfter: String(DEFAULT_LOGIN_RATE_LIMITS.perAddress.windowSeconds) });
      assert.equal((await signIn(h, '192.0.2.201', 'victim@idp.example', PASSWORD)).status, 200);
    });
  });
}
