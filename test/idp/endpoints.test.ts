// The IdP's endpoints over real HTTPS on realistic host names, one exact request at a time:
// what a browser sends (Chromium's encoding included), what the IdP answers, and what it stores.
// Bad input gets a clear 4xx JSON error and leaves storage as it was. On both stores.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { addUser } from '../../src/idp/index.js';
import { CLIENT_ID, cookieValue, FAST_SCRYPT, PASSWORD, rawRequest, RP_ORIGIN, snapshot, startIdpWorld, STORE_KINDS, type IdpWorld, type RawResponse } from './helpers.js';

const WEBID = { 'sec-fetch-dest': 'webidentity' };
const FORM = 'application/x-www-form-urlencoded';

function errorOf(res: RawResponse): { error: string; code: string; error_description: string } {
  const body = res.json as { error: { error: string; code: string; error_description: string } };
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(body.error.error, body.error.code, 'both keys carry the same code');
  assert.equal(typeof body.error.error_description, 'string');
  return body.error;
}

for (const kind of STORE_KINDS) {
  describe(`IdP endpoints over HTTPS (${kind})`, { timeout: 60_000 }, () => {
    let w: IdpWorld;
    let session: string;
    const cookie = () => `fedkit_session=${session}`;

    /** Signs in through the login form with raw requests; returns the session cookie value. */
    async function signIn(email = 'jane@idp.example', password = PASSWORD): Promise<RawResponse> {
      const page = await rawRequest(w, w.idp.urls.login, { headers: { accept: 'text/html' } });
      const csrfCookie = cookieValue(page.headers['set-cookie'], '__Host-fedkit_csrf')!;
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
      assert.equal(csrf, csrfCookie);
      return rawRequest(w, w.idp.urls.login, {
        method: 'POST',
        headers: { 'content-type': FORM, origin: 'https://idp.example', 'sec-fetch-site': 'same-origin', cookie: `__Host-fedkit_csrf=${csrfCookie}` },
        body: new URLSearchParams({ csrf, email, password }).toString(),
      });
    }

    function assertion(body: string, headers: Record<string, string> = {}) {
      return rawRequest(w, w.idp.urls.assertion, {
        method: 'POST',
        headers: { ...WEBID, 'content-type': FORM, origin: RP_ORIGIN, cookie: cookie(), 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'cross-site', ...headers },
        body,
      });
    }

    async function verifyToken(token: unknown) {
      const jwks = (await rawRequest(w, w.idp.urls.jwks)).json as JSONWebKeySet;
      return (await jwtVerify(token as string, createLocalJWKSet(jwks), { issuer: 'https://idp.example', audience: CLIENT_ID, currentDate: new Date(w.clock.now()) })).payload;
    }

    before(async () => {
      w = await startIdpWorld(kind, { loginRateLimits: { perAccount: { max: 3, windowSeconds: 60 }, perAddress: { max: 6, windowSeconds: 60 } } });
      const res = await signIn();
      assert.equal(res.status, 200);
      session = cookieValue(res.headers['set-cookie'], 'fedkit_session')!;
    });
    after(() => w?.close());
    beforeEach(async () => {
      await w.store.deleteGrant('u_jane', CLIENT_ID);
    });

    describe('well-known and config', () => {
      it('serves the well-known file in both forms, for a FedCM fetch only', async () => {
        const res = await rawRequest(w, 'https://idp.example/.well-known/web-identity', { headers: WEBID });
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/json');
        assert.deepEqual(res.json, {
          provider_urls: ['https://idp.example/fedcm/config.json'],
          accounts_endpoint: 'https://idp.example/fedcm/accounts',
          login_url: 'https://idp.example/fedcm/login',
        });
        const bare = await rawRequest(w, 'https://idp.example/.well-known/web-identity');
        assert.equal(bare.status, 400);
        assert.equal(errorOf(bare).error, 'invalid_request');
        assert.match(errorOf(bare).error_description, /Sec-Fetch-Dest: webidentity/);
      });

      it('serves the config with absolute same-origin endpoints and login_url', async () => {
        const res = await rawRequest(w, w.idp.configURL, { headers: WEBID });
        assert.equal(res.status, 200);
        assert.deepEqual(res.json, {
          accounts_endpoint: 'https://idp.example/fedcm/accounts',
          client_metadata_endpoint: 'https://idp.example/fedcm/client_metadata',
          id_assertion_endpoint: 'https://idp.example/fedcm/assertion',
          disconnect_endpoint: 'https://idp.example/fedcm/disconnect',
          login_url: 'https://idp.example/fedcm/login',
        });
        assert.equal((await rawRequest(w, w.idp.configURL, { headers: { 'sec-fetch-dest': 'empty' } })).status, 400);
        const post = await rawRequest(w, w.idp.configURL, { method: 'POST', headers: WEBID });
        assert.equal(post.status, 405);
        assert.equal(post.headers.allow, 'GET');
      });

      it('answers unknown paths with a JSON 404', async () => {
        const res = await rawRequest(w, 'https://idp.example/fedcm/nope');
        assert.equal(res.status, 404);
        assert.equal(errorOf(res).code, 'invalid_request');
      });
    });

    describe('accounts', () => {
      it('lists the signed-in account: absolute picture, hints, approved_clients from grants, never cached', async () => {
        const expected = {
          id: 'u_jane',
          name: 'Jane Doe',
          email: 'jane@idp.example',
          given_name: 'Jane',
          picture: 'https://idp.example/pictures/jane.png',
          approved_clients: [] as string[],
          login_hints: ['jane@idp.example'],
          domain_hints: ['idp.example'],
        };
        const res = await rawRequest(w, w.idp.urls.accounts, { headers: { ...WEBID, cookie: cookie() } });
        assert.equal(res.status, 200);
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.deepEqual(res.json, { accounts: [expected] });
        await w.store.upsertGrant('u_jane', CLIENT_ID, ['name'], w.clock.now());
        const again = await rawRequest(w, w.idp.urls.accounts, { headers: { ...WEBID, cookie: cookie() } });
        assert.deepEqual(again.json, { accounts: [{ ...expected, approved_clients: [CLIENT_ID] }] });
      });

      it('is empty when signed out, or with a forged or expired session', async () => {
        for (const c of [undefined, 'fedkit_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', "fedkit_session=' OR 1=1 --"]) {
          const res = await rawRequest(w, w.idp.urls.accounts, { headers: { ...WEBID, ...(c === undefined ? {} : { cookie: c }) } });
          assert.deepEqual(res.json, { accounts: [] });
        }
        assert.equal((await rawRequest(w, w.idp.urls.accounts, { headers: { cookie: cookie() } })).status, 400);
      });
    });

    describe('client metadata', () => {
      it('gives the registered policy URLs, and third-party status against the top frame', async () => {
        const url = `${w.idp.urls.clientMetadata}?client_id=${CLIENT_ID}`;
        const res = await rawRequest(w, url, { headers: { ...WEBID, origin: RP_ORIGIN } });
        assert.equal(res.status, 200);
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.deepEqual(res.json, { privacy_policy_url: 'https://rp.example/privacy', terms_of_service_url: 'https://rp.example/terms' });
        const embedded = await rawRequest(w, `${url}&top_frame_origin=${encodeURIComponent('https://other.example')}`, { headers: WEBID });
        assert.equal((embedded.json as Record<string, unknown>).client_is_third_party_to_top_frame_origin, true);
        const sameSite = await rawRequest(w, `${url}&top_level_origin=${encodeURIComponent('https://www.rp.example')}`, { headers: WEBID });
        assert.equal((sameSite.json as Record<string, unknown>).client_is_third_party_to_top_frame_origin, false);
      });

      it('refuses unknown clients and a missing client_id', async () => {
        const unknown = await rawRequest(w, `${w.idp.urls.clientMetadata}?client_id=${encodeURIComponent("x' OR '1'='1")}`, { headers: WEBID });
        assert.equal(unknown.status, 404);
        assert.equal(errorOf(unknown).code, 'unauthorized_client');
        assert.equal((await rawRequest(w, w.idp.urls.clientMetadata, { headers: WEBID })).status, 400);
      });
    });

    describe('ID assertion', () => {
      it("accepts Chromium's exact body (`,` and `:` unescaped) and answers CORS for exactly the RP", async () => {
        const body = `client_id=${CLIENT_ID}&account_id=u_jane&disclosure_text_shown=true&is_auto_selected=false&mode=passive&fields=name,email,picture&disclosure_shown_for=name,email,picture&params=%7B%22nonce%22:%22n-chromium%22,%22scope%22:%22openid%22%7D`;
        const res = await assertion(body);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers['access-control-allow-origin'], RP_ORIGIN);
        assert.equal(res.headers['access-control-allow-credentials'], 'true');
        assert.equal(res.headers.vary, 'Origin');
        assert.deepEqual(Object.keys(res.json as object), ['token']);
        const payload = await verifyToken((res.json as { token: string }).token);
        assert.deepEqual(
          { ...payload, iat: undefined, exp: undefined },
          {
            iss: 'https://idp.example',
            sub: 'u_jane',
            aud: CLIENT_ID,
            nonce: 'n-chromium',
            name: 'Jane Doe',
            given_name: 'Jane',
            email: 'jane@idp.example',
            picture: 'https://idp.example/pictures/jane.png',
            iat: undefined,
            exp: undefined,
          },
        );
        assert.equal(payload.iat, Math.floor(w.clock.now() / 1000));
        assert.equal(payload.exp, payload.iat! + 600);
        assert.deepEqual((await w.store.getGrant('u_jane', CLIENT_ID))?.fields, ['email', 'name', 'picture']);
      });

      it('accepts the same request fully form-encoded, and the legacy top-level nonce', async () => {
        const body = new URLSearchParams({ client_id: CLIENT_ID, account_id: 'u_jane', is_auto_selected: 'false', nonce: 'n-legacy', fields: 'name,email', disclosure_shown_for: 'name,email', disclosure_text_shown: 'false' });
        const res = await assertion(body.toString());
        assert.equal(res.status, 200, res.text);
        const payload = await verifyToken((res.json as { token: string }).token);
        assert.equal(payload.nonce, 'n-legacy');
        assert.equal(payload.picture, undefined, 'picture was not disclosed');
        assert.equal(payload.email, 'jane@idp.example');
      });

      it('discloses only what was asked and shown: fields=[] gives a token with no profile claims', async () => {
        const res = await assertion(`client_id=${CLIENT_ID}&account_id=u_jane&is_auto_selected=false&disclosure_text_shown=false&params=${encodeURIComponent('{"nonce":"n-empty"}')}`);
        const payload = await verifyToken((res.json as { token: string }).token);
        assert.deepEqual(Object.keys(payload).sort(), ['aud', 'exp', 'iat', 'iss', 'nonce', 'sub']);
        assert.deepEqual((await w.store.getGrant('u_jane', CLIENT_ID))?.fields, []);
      });

      it('sends the user to a consent page (continue_on) for fields not disclosed yet; nothing is stored until they agree', async () => {
        const before = await snapshot(w.testStore);
        const res = await assertion(`client_id=${CLIENT_ID}&account_id=u_jane&is_auto_selected=false&disclosure_text_shown=false&fields=name,email,picture&disclosure_shown_for=name&params=${encodeURIComponent('{"nonce":"n-consent"}')}`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers['access-control-allow-origin'], RP_ORIGIN);
        const continueOn = new URL((res.json as { continue_on: string }).continue_on);
        assert.equal(continueOn.origin + continueOn.pathname, w.idp.urls.continue);
        assert.deepEqual(await snapshot(w.testStore), before);

        const consent = await rawRequest(w, continueOn.href, { headers: { accept: 'text/html', cookie: cookie() } });
        assert.equal(consent.status, 200);
        assert.match(consent.text, /your email address/);
        assert.match(consent.text, /your profile picture/);
        assert.doesNotMatch(consent.text, /your name/);
        const csrf = cookieValue(consent.headers['set-cookie'], '__Host-fedkit_csrf')!;
        const ticket = continueOn.searchParams.get('ticket')!;
        const post = (decision: string, csrfField = csrf) =>
          rawRequest(w, w.idp.urls.continue, {
            method: 'POST',
            headers: { 'content-type': FORM, origin: 'https://idp.example', cookie: `${cookie()}; __Host-fedkit_csrf=${csrf}` },
            body: new URLSearchParams({ csrf: csrfField, ticket, decision }).toString(),
          });
        const forged = await post('allow', 'X'.repeat(43));
        assert.equal(forged.status, 403);
        assert.deepEqual(await snapshot(w.testStore), before);

        const allowed = await post('allow');
        assert.equal(allowed.status, 200);
        const token = /<output id="token" hidden>([^<]+)<\/output>/.exec(allowed.text)![1]!;
        assert.match(allowed.text, /IdentityProvider\.resolve\(/);
        const payload = await verifyToken(token);
        assert.equal(payload.nonce, 'n-consent');
        assert.equal(payload.email, 'jane@idp.example');
        assert.equal(payload.picture, 'https://idp.example/pictures/jane.png');
        assert.deepEqual((await w.store.getGrant('u_jane', CLIENT_ID))?.fields, ['email', 'name', 'picture']);
        // The ticket cannot mint a second token for the same nonce.
        assert.equal((await post('allow')).status, 400);
      });

      it('refuses a replayed (client, nonce) pair and changes nothing', async () => {
        const body = `client_id=${CLIENT_ID}&account_id=u_jane&is_auto_selected=false&disclosure_text_shown=true&params=${encodeURIComponent('{"nonce":"n-once"}')}`;
        assert.equal((await assertion(body)).status, 200);
        const before = await snapshot(w.testStore);
        w.clock.advance(1000);
        const replay = await assertion(body);
        assert.equal(replay.status, 400);
        assert.equal(errorOf(replay).code, 'invalid_request');
        assert.match(errorOf(replay).error_description, /nonce was already used/);
        assert.equal(replay.headers['access-control-allow-origin'], RP_ORIGIN, 'the RP can read the error code');
        assert.deepEqual(await snapshot(w.testStore), before);
      });

      const good = `client_id=${CLIENT_ID}&account_id=u_jane&is_auto_selected=false&disclosure_text_shown=true&params=${encodeURIComponent('{"nonce":"n-bad"}')}`;
      const cases: { name: string; status: number; code: string; /** The Access-Control-Allow-Origin expected: the requesting origin once Sec-Fetch-Dest is checked (refusalCors), or none. */
        cors: string | undefined; send: () => Promise<RawResponse> }[] = [
        { name: 'no Sec-Fetch-Dest', status: 400, code: 'invalid_request', cors: undefined, send: () => assertion(good, { 'sec-fetch-dest': 'empty' }) },
        { name: 'a JSON body', status: 415, code: 'invalid_request', cors: RP_ORIGIN, send: () => assertion(JSON.stringify({ client_id: CLIENT_ID }), { 'content-type': 'application/json' }) },
        { name: 'a huge body', status: 413, code: 'invalid_request', cors: RP_ORIGIN, send: () => assertion(`${good}&pad=${'x'.repeat(20_000)}`) },
        { name: 'a missing client_id', status: 400, code: 'invalid_request', cors: RP_ORIGIN, send: () => assertion('account_id=u_jane') },
        { name: 'client_id twice', status: 400, code: 'invalid_request', cors: RP_ORIGIN, send: () => assertion(`${good}&client_id=other`) },
        { name: 'an unknown client', status: 400, code: 'unauthorized_client', cors: RP_ORIGIN, send: () => assertion(good.replace(CLIENT_ID, 'nobody')) },
        { name: 'an SQL-looking client_id', status: 400, code: 'unauthorized_client', cors: RP_ORIGIN, send: () => assertion(good.replace(CLIENT_ID, encodeURIComponent("x' OR '1'='1' --"))) },
        { name: 'no Origin', status: 403, code: 'unauthorized_client', cors: undefined, send: () => assertion(good, { origin: '' }) },
        { name: 'another origin', status: 403, code: 'unauthorized_client', cors: undefined, send: () => assertion(good, { origin: 'https://rp2.example' }) },
        { name: 'params that are not JSON', status: 400, code: 'invalid_request', cors: RP_ORIGIN, send: () => assertion(`client_id=${CLIENT_ID}&account_id=u_jane&params=%7Bnonce`) },
        { name: 'params that are a JSON array', status: 400, code: 'invalid_request', cors: RP_ORIGIN, send: () => assertion(`client_id=${CLIENT_ID}&account_id=u_jane&params=%5B1%5D`) },
        { name: 'two different nonces', status: 400, code: 'invalid_request', cors: RP_ORIGIN, send: () => assertion(`${good}&nonce=other`) },
        { name: 'no session', status: 401, code: 'access_denied', cors: RP_ORIGIN, send: () => assertion(good, { cookie: '' }) },
        { name: 'another account_id', status: 403, code: 'access_denied', cors: RP_ORIGIN, send: () => assertion(good.replace('account_id=u_jane', 'account_id=u_other')) },
      ];
      for (const c of cases) {
        it(`refuses ${c.name}: ${c.status} ${c.code}, nothing stored`, async () => {
          const before = await snapshot(w.testStore);
          const res = await c.send();
          assert.equal(res.status, c.status, res.text);
          assert.equal(errorOf(res).code, c.code);
          assert.equal(res.headers['access-control-allow-origin'], c.cors);
          assert.notEqual(res.headers['access-control-allow-origin'], '*');
          assert.deepEqual(await snapshot(w.testStore), before);
        });
      }
    });

    describe('disconnect', () => {
      function disconnect(body: string, headers: Record<string, string> = {}) {
        return rawRequest(w, w.idp.urls.disconnect, {
          method: 'POST',
          headers: { ...WEBID, 'content-type': FORM, origin: RP_ORIGIN, cookie: cookie(), ...headers },
          body,
        });
      }

      it("forgets the grant for Chromium's raw body and for a percent-encoded one, answering {account_id} with CORS", async () => {
        for (const body of [`client_id=${CLIENT_ID}&account_hint=jane@idp.example`, `client_id=${CLIENT_ID}&account_hint=jane%40idp.example`, `client_id=${CLIENT_ID}&account_hint=u_jane`]) {
          await w.store.upsertGrant('u_jane', CLIENT_ID, ['name'], w.clock.now());
          const res = await disconnect(body);
          assert.equal(res.status, 200, res.text);
          assert.deepEqual(res.json, { account_id: 'u_jane' });
          assert.equal(res.headers['access-control-allow-origin'], RP_ORIGIN);
          assert.equal(res.headers['access-control-allow-credentials'], 'true');
          assert.equal(await w.store.getGrant('u_jane', CLIENT_ID), undefined);
        }
      });

      it("reads a raw '+' as itself (Chromium does not encode it)", async () => {
        await addUser(w.store, { id: 'u_plus', email: 'a+b@idp.example', name: 'Plus', password: PASSWORD, scrypt: FAST_SCRYPT });
        const res = await signIn('a+b@idp.example');
        const plus = cookieValue(res.headers['set-cookie'], 'fedkit_session')!;
        await w.store.upsertGrant('u_plus', CLIENT_ID, ['email'], w.clock.now());
        const out = await disconnect(`client_id=${CLIENT_ID}&account_hint=a+b@idp.example`, { cookie: `fedkit_session=${plus}` });
        assert.deepEqual(out.json, { account_id: 'u_plus' });
        assert.equal(await w.store.getGrant('u_plus', CLIENT_ID), undefined);
      });

      const cases: { name: string; status: number; code: string; send: () => Promise<RawResponse> }[] = [
        { name: 'no Sec-Fetch-Dest', status: 400, code: 'invalid_request', send: () => disconnect(`client_id=${CLIENT_ID}&account_hint=u_jane`, { 'sec-fetch-dest': 'empty' }) },
        { name: 'a GET', status: 405, code: 'invalid_request', send: () => rawRequest(w, w.idp.urls.disconnect, { headers: { ...WEBID, origin: RP_ORIGIN, cookie: cookie() } }) },
        { name: 'another origin', status: 403, code: 'unauthorized_client', send: () => disconnect(`client_id=${CLIENT_ID}&account_hint=u_jane`, { origin: 'https://other.example' }) },
        { name: 'an unknown client', status: 400, code: 'unauthorized_client', send: () => disconnect(`client_id=nobody&account_hint=u_jane`) },
        { name: 'a hint for another account', status: 400, code: 'invalid_request', send: () => disconnect(`client_id=${CLIENT_ID}&account_hint=john@idp.example`) },
        { name: 'no session', status: 401, code: 'access_denied', send: () => disconnect(`client_id=${CLIENT_ID}&account_hint=u_jane`, { cookie: '' }) },
        { name: 'a missing account_hint', status: 400, code: 'invalid_request', send: () => disconnect(`client_id=${CLIENT_ID}`) },
      ];
      for (const c of cases) {
        it(`refuses ${c.name}: ${c.status} ${c.code}, the grant stays`, async () => {
          await w.store.upsertGrant('u_jane', CLIENT_ID, ['name'], w.clock.now());
          const before = await snapshot(w.testStore);
          const res = await c.send();
          assert.equal(res.status, c.status, res.text);
          assert.equal(errorOf(res).code, c.code);
          assert.deepEqual(await snapshot(w.testStore), before);
        });
      }
    });

    describe('login and logout pages', () => {
      it('starts a session: SameSite=None; Secure; HttpOnly cookie, stored hashed, Set-Login, IdentityProvider.close()', async () => {
        const res = await signIn();
        assert.equal(res.status, 200);
        assert.equal(res.headers['set-login'], 'logged-in');
        const line = [res.headers['set-cookie']].flat().find((l) => l?.startsWith('fedkit_session='))!;
        const id = cookieValue(line, 'fedkit_session')!;
        assert.equal(line, `fedkit_session=${id}; Path=/; HttpOnly; SameSite=None; Secure; Max-Age=${14 * 24 * 3600}`);
        const hash = createHash('sha256').update(id).digest('base64url');
        const rows = await w.testStore.rows(`SELECT id_hash, user_id FROM sessions WHERE id_hash = '${hash}'`);
        assert.deepEqual(rows, [{ id_hash: hash, user_id: 'u_jane' }]);
        assert.equal((await w.testStore.rows(`SELECT id_hash FROM sessions WHERE id_hash = '${id}'`)).length, 0);
        assert.match(res.text, /IdentityProvider\.close\(\)/);
        assert.match(String(res.headers['content-security-policy']), /script-src 'nonce-/);
      });

      it('the login form carries a CSRF token bound to a __Host- SameSite=Strict cookie, and the login_hint', async () => {
        const page = await rawRequest(w, `${w.idp.urls.login}?login_hint=${encodeURIComponent('"><script>x</script>')}`, { headers: { accept: 'text/html' } });
        const line = [page.headers['set-cookie']].flat()[0]!;
        assert.match(line, /^__Host-fedkit_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
        assert.match(page.text, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
      });

      it('refuses a wrong or missing CSRF token, or a cross-site form: 403 JSON, nothing stored', async () => {
        const before = await snapshot(w.testStore);
        const csrf = 'A'.repeat(43);
        const attempts: Record<string, string>[] = [
          { 'content-type': FORM, cookie: `__Host-fedkit_csrf=${'B'.repeat(43)}` },
          { 'content-type': FORM },
          { 'content-type': FORM, cookie: `__Host-fedkit_csrf=${csrf}`, origin: 'https://rp.example', 'sec-fetch-site': 'cross-site' },
        ];
        for (const headers of attempts) {
          const res = await rawRequest(w, w.idp.urls.login, { method: 'POST', headers, body: new URLSearchParams({ csrf, email: 'jane@idp.example', password: PASSWORD }).toString() });
          assert.equal(res.status, 403, res.text);
          assert.equal(errorOf(res).code, 'invalid_request');
          assert.equal(res.headers['set-login'], undefined);
        }
        assert.deepEqual(await snapshot(w.testStore), before);
      });

      it('the account-wide ceiling bars an address that failed for the account until its window passes (injected clock)', async () => {
        await addUser(w.store, { id: 'u_rl', email: 'rl@idp.example', name: 'Rate Limited', password: PASSWORD, scrypt: FAST_SCRYPT });
        for (let i = 0; i < 3; i++) {
          const res = await signIn('rl@idp.example', 'wrong password');
          assert.equal(res.status, 401);
          assert.equal(errorOf(res).code, 'access_denied');
        }
        const blocked = await signIn('rl@idp.example');
        assert.equal(blocked.status, 429);
        assert.equal(errorOf(blocked).code, 'temporarily_unavailable');
        assert.equal(blocked.headers['retry-after'], '60');
        w.clock.advance(61_000);
        assert.equal((await signIn('rl@idp.example')).status, 200);
        // The success forgives this address's failures for the account; the account-wide count ages out.
        assert.deepEqual(await w.testStore.rows("SELECT key FROM login_failures WHERE key LIKE 'pair:%rl@idp.example%'"), []);
      });

      it('rate limits failures per address across accounts', async () => {
        w.clock.advance(61_000);
        for (let i = 0; i < 6; i++) assert.equal((await signIn(`nobody${i}@idp.example`, 'wrong password')).status, 401);
        const blocked = await signIn('jane@idp.example');
        assert.equal(blocked.status, 429);
        w.clock.advance(61_000);
      });

      it('logout ends the session (POST with CSRF), expires the cookie and sends Set-Login: logged-out', async () => {
        const res = await signIn();
        const id = cookieValue(res.headers['set-cookie'], 'fedkit_session')!;
        const page = await rawRequest(w, w.idp.urls.logout, { headers: { accept: 'text/html', cookie: `fedkit_session=${id}` } });
        const csrf = cookieValue(page.headers['set-cookie'], '__Host-fedkit_csrf')!;
        const out = await rawRequest(w, w.idp.urls.logout, {
          method: 'POST',
          headers: { 'content-type': FORM, origin: 'https://idp.example', cookie: `fedkit_session=${id}; __Host-fedkit_csrf=${csrf}` },
          body: `csrf=${csrf}`,
        });
        assert.equal(out.status, 200);
        assert.equal(out.headers['set-login'], 'logged-out');
        assert.deepEqual(out.headers['set-cookie'], ['fedkit_session=; Path=/; HttpOnly; SameSite=None; Secure; Max-Age=0']);
        const hash = createHash('sha256').update(id).digest('base64url');
        assert.deepEqual(await w.testStore.rows(`SELECT id_hash FROM sessions WHERE id_hash = '${hash}'`), []);
        const accounts = await rawRequest(w, w.idp.urls.accounts, { headers: { ...WEBID, cookie: `fedkit_session=${id}` } });
        assert.deepEqual(accounts.json, { accounts: [] });
      });
    });

    describe('keys', () => {
      it('rotation keeps the old public key until its tokens expire, then drops it', async () => {
        const body = (n: string) => `client_id=${CLIENT_ID}&account_id=u_jane&is_auto_selected=false&disclosure_text_shown=true&params=${encodeURIComponent(JSON.stringify({ nonce: n }))}`;
        const before = (await assertion(body('n-rot-1'))).json as { token: string };
        const oldKid = (JSON.parse(Buffer.from(before.token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
        const newKid = await w.idp.rotateKeys();
        assert.notEqual(newKid, oldKid);
        const jwks = (await rawRequest(w, w.idp.urls.jwks)).json as JSONWebKeySet;
        assert.deepEqual(jwks.keys.map((k) => k.kid), [newKid, oldKid]);
        assert.ok(jwks.keys.every((k) => k.d === undefined && k.alg === 'ES256' && k.use === 'sig'), 'public keys only');
        await verifyToken(before.token);
        const after = (await assertion(body('n-rot-2'))).json as { token: string };
        assert.equal((JSON.parse(Buffer.from(after.token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid, newKid);

        w.clock.advance((600 + 60) * 1000);
        const later = (await rawRequest(w, w.idp.urls.jwks)).json as JSONWebKeySet;
        assert.deepEqual(later.keys.map((k) => k.kid), [newKid]);
        assert.deepEqual((await w.store.listKeys()).map((k) => k.kid), [newKid]);
        assert.equal(decodeJwt(after.token).aud, CLIENT_ID);
      });
    });
  });
}
