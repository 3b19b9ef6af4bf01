// What the fedkit/playwright tests sign in against: the reference IdP (src/idp) and the
// reference RP app (src/rp/app, as `fedkit rp serve` runs it) behind one HTTPS listener on
// loopback, answering as https://idp.example and https://rp.example with the test certificates,
// plus a few pages of the tests' own: an embedder on rp2.example with an RP iframe, a bare RP
// page for direct calls (also under a Content-Security-Policy of the test's), an IdP endpoint that
// answers the Set-Login header it is asked for, and the user's picture (to check the browser never fetches it).

import { createDispatcher } from '../../../src/common/dispatcher.js';
import { addClient, addUser, createIdp, serve, SqliteStore, type Idp, type RunningServer } from '../../../src/idp/index.js';
import { createRpApp, type RpApp } from '../../../src/rp/app/app.js';
import type { FetchLike } from '../../../src/rp/verify.js';
import { fetch as undiciFetch } from 'undici';
import { testCertificates } from '../../helpers/certs.js';

export const RP = 'https://rp.example';
export const CLIENT_ID = 'playwright-rp';
export const USER = { id: 'dee', email: 'dee@idp.example', name: 'Dee Demo', givenName: 'Dee', tel: '+15550100', password: 'playwright password 1' } as const;
export const PICTURE_PATH = '/pictures/dee.png';

/** A 1×1 PNG (the user's picture). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

export interface World {
  port: number;
  /** `MAP *.example:443 127.0.0.1:<port>`, for Chromium and the agent alike. */
  hostRules: string;
  ca: string;
  idp: Idp;
  store: SqliteStore;
  rp: RpApp;
  configURL: string;
  /** Every request the IdP answered: method, path, Cookie header and (for POSTs) body. */
  idpRequests: { method: string; path: string; cookie: string | null; userAgent: string; body: string }[];
  close(): Promise<void>;
}

/** A bare RP page: the tests call the APIs in it with page.evaluate. */
function directPage(configURL: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Direct</title>
<button id="signin" style="width:200px;height:48px">Sign in</button>
<script>
window.provider = { configURL: ${JSON.stringify(configURL)}, clientId: ${JSON.stringify(CLIENT_ID)} };
document.getElementById('signin').addEventListener('click', () => {
  window.activeResult = navigator.credentials.get({ identity: { mode: 'active', providers: [{ ...window.provider, params: { nonce: 'active-' + Date.now() } }] } })
    .then((c) => ({ token: typeof c.token, identity: c instanceof IdentityCredential }), (e) => ({ name: e.name, message: e.message }));
});
</script>`;
}

/** directPage under the Content-Security-Policy the test names (`?policy=`). */
function cspPage(configURL: string, policy: string): Response {
  return new Response(directPage(configURL), { headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': policy } });
}

/** The RP's widget, framed by rp2.example: it signs in when the test asks. */
function widgetPage(configURL: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Widget</title><p>RP widget</p>
<script>
window.signIn = () => navigator.credentials.get({ identity: { providers: [{ configURL: ${JSON.stringify(configURL)}, clientId: ${JSON.stringify(CLIENT_ID)}, params: { nonce: 'widget-' + Date.now() } }] } })
  .then((c) => ({ identity: c instanceof IdentityCredential, token: typeof c.token }), (e) => ({ name: e.name, message: e.message, domException: e instanceof DOMException }));
</script>`;
}

function embedderPage(allow: boolean): string {
  return `<!doctype html><meta charset="utf-8"><title>Embedder</title><h1>rp2.example</h1>
<iframe id="widget" src="${RP}/widget" ${allow ? 'allow="identity-credentials-get"' : ''} style="width:400px;height:200px"></iframe>`;
}

export async function startWorld(dir: string): Promise<World> {
  const certs = testCertificates();
  const store = new SqliteStore({ filename: `${dir}/idp.db` });
  await store.migrate();
  const idp = createIdp({ issuer: 'https://idp.example', store, displayName: 'Demo IdP' });
  await addClient(store, { id: CLIENT_ID, origins: [RP], privacyPolicyUrl: `${RP}/privacy`, termsOfServiceUrl: `${RP}/terms` });
  await addUser(store, { ...USER, picture: `https://idp.example${PICTURE_PATH}`, scrypt: { N: 2 ** 10, r: 8, p: 1 } });

  let routed: ReturnType<typeof createDispatcher> | undefined;
  const rpFetch: FetchLike = (url, init) => {
    if (!routed) return Promise.reject(new Error('not listening yet'));
    return undiciFetch(url, { ...(init as object), dispatcher: routed }) as unknown as Promise<Response>;
  };
  const rp = createRpApp({ origin: RP, idp: { configURL: idp.configURL, clientId: CLIENT_ID, name: 'Demo IdP' }, fetch: rpFetch });
  const idpRequests: World['idpRequests'] = [];
  const html = (body: string): Response => new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
  const server: RunningServer = await serve(
    async (request, info) => {
      const url = new URL(request.url);
      if (url.hostname === 'rp2.example') return html(embedderPage(url.searchParams.get('allow') === 'yes'));
      if (url.hostname === 'rp.example') {
        if (url.pathname === '/widget') return html(widgetPage(idp.configURL));
        if (url.pathname === '/direct') return html(directPage(idp.configURL));
        if (url.pathname === '/csp') return cspPage(idp.configURL, url.searchParams.get('policy') ?? '');
        return rp.fetch(request);
      }
      idpRequests.push({ method: request.method, path: url.pathname, cookie: request.headers.get('cookie'), userAgent: request.headers.get('user-agent') ?? '', body: request.method === 'POST' ? await request.clone().text() : '' });
      if (url.pathname === PICTURE_PATH) return new Response(PNG, { headers: { 'content-type': 'image/png' } });
      if (url.pathname === '/status') {
        const set = url.searchParams.get('set');
        return new Response('ok', { headers: { 'content-type': 'text/plain', ...(set === null ? {} : { 'set-login': set }) } });
      }
      return idp(request, info);
    },
    { tls: { cert: certs.certPem, key: certs.keyPem } },
  );
  const port = server.port;
  const hostRules = `MAP *.example:443 127.0.0.1:${port}`;
  routed = createDispatcher({ hostRules, ca: certs.caPem });
  return {
    port,
    hostRules,
    ca: certs.caPem,
    idp,
    store,
    rp,
    configURL: idp.configURL,
    idpRequests,
    async close() {
      await server.close();
      await routed?.close();
      rp.close();
      await store.close();
    },
  };
}
