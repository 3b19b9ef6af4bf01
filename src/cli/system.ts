// The whole system on one machine: the reference IdP and the reference RP behind one HTTPS
// listener on loopback, answering as https://idp.example and https://rp.example, with a local
// CA generated on first run and kept. `fedkit demo` runs this; tests start it too.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fetch as undiciFetch, type Agent } from 'undici';
import type { Certificate } from '../common/certificates.js';
import { localCa, localServerCertificate } from '../common/local-ca.js';
import { createDispatcher } from '../common/dispatcher.js';
import { serve, type RunningServer } from '../common/node-server.js';
import { addClient, addUser, createIdp, openStore, StoreConflictError, type Idp, type Store } from '../idp/index.js';
import { createRpApp, type RpApp } from '../rp/app/app.js';
import type { FetchLike } from '../rp/verify.js';

export const IDP_ORIGIN = 'https://idp.example';
export const RP_ORIGIN = 'https://rp.example';
export const CLIENT_ID = 'demo-rp';
export const DEMO_USER = { id: 'demo', email: 'demo@idp.example', name: 'Dee Demo', givenName: 'Dee', password: 'fedkit-demo-password' } as const;
const HOSTS = ['idp.example', 'rp.example', 'accounts.idp.example', 'localhost', '127.0.0.1'];

export interface SystemOptions {
  /** Where the CA, certificates and databases are kept between runs. */
  dir: string;
  /** Loopback port (default 0: a free one). */
  port?: number;
  /**
   * Start from new state: the IdP's and the RP's databases are deleted first (users, sessions,
   * grants, the RP's accounts), so the demo user signs up again. The CA and certificates are kept,
   * so a browser that trusts them still does.
   */
  fresh?: boolean;
  /** Called for each sign-in the RP server accepted. */
  onSignIn?: (event: { userId: number; created: boolean; claims: Record<string, unknown> }) => void;
}

export interface System {
  port: number;
  /** Host rules that reach both parties: `{ '*.example:443': '127.0.0.1:<port>' }`. */
  hostRules: Record<string, string>;
  /** The local CA certificate (PEM) to trust. */
  ca: string;
  caFile: string;
  idp: Idp;
  rp: RpApp;
  configURL: string;
  /** True when this run created the state directory (first run). */
  firstRun: boolean;
  close(): Promise<void>;
}

export async function startSystem(options: SystemOptions): Promise<System> {
  const firstRun = !existsSync(options.dir);
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  if (options.fresh === true) {
    for (const db of ['idp.db', 'rp.db']) for (const suffix of ['', '-wal', '-shm']) rmSync(join(options.dir, db + suffix), { force: true });
  }
  const { ca, server: tls, caFile } = certificates(options.dir);

  const store: Store = await openStore(join(options.dir, 'idp.db'));
  const idp = createIdp({ issuer: IDP_ORIGIN, store, displayName: 'Demo IdP', branding: { background_color: '#1d2433', color: '#ffffff' } });
  await ignoreConflict(addClient(store, { id: CLIENT_ID, origins: [RP_ORIGIN], privacyPolicyUrl: `${RP_ORIGIN}/privacy`, termsOfServiceUrl: `${RP_ORIGIN}/terms` }));
  await ignoreConflict(addUser(store, { ...DEMO_USER }));

  let port = options.port ?? 0;
  const hostRules = (): Record<string, string> => ({ '*.example:443': `127.0.0.1:${port}`, 'example:443': `127.0.0.1:${port}` });
  // The RP server reaches the IdP (discovery, JWKS) like any server would, through the host
  // rules; they name the port, known once the listener is up (before any request arrives).
  let routed: Agent | undefined;
  const rpFetch: FetchLike = (url, init) => {
    if (!routed) return Promise.reject(new Error('the system is not listening yet'));
    return undiciFetch(url, { ...(init as object), dispatcher: routed }) as unknown as Promise<Response>;
  };
  const rp = createRpApp({
    origin: RP_ORIGIN,
    idp: { configURL: idp.configURL, clientId: CLIENT_ID, name: 'Demo IdP' },
    database: join(options.dir, 'rp.db'),
    fetch: rpFetch,
    ...(options.onSignIn === undefined ? {} : { onSignIn: options.onSignIn }),
  });
  let running: RunningServer;
  try {
    running = await serve((request, info) => {
      const url = new URL(request.url);
      // Browsers ask every origin for one; an icon beats a 404 in the console of each party.
      if (url.pathname === '/favicon.ico' && request.method === 'GET') return Promise.resolve(favicon());
      return url.hostname === 'rp.example' ? rp.fetch(request) : idp(request, info);
    }, {
      port,
      tls: { cert: tls.cert, key: tls.key },
    });
  } catch (e) {
    rp.close();
    await store.close();
    throw e;
  }
  port = running.port;
  const dispatcher = createDispatcher({ hostRules: hostRules(), ca: ca.cert });
  routed = dispatcher;
  return {
    port,
    hostRules: hostRules(),
    ca: ca.cert,
    caFile,
    idp,
    rp,
    configURL: idp.configURL,
    firstRun,
    async close() {
      await running.close();
      await dispatcher.close();
      rp.close();
      await store.close();
    },
  };
}

/** The demo's icon: an SVG (Chromium and Firefox take one at /favicon.ico), cached for a day. */
function favicon(): Response {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d2433"/><path d="M4 4h8v2H6v2h5v2H6v2H4z" fill="#fff"/></svg>';
  return new Response(svg, { headers: { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' } });
}

async function ignoreConflict(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof StoreConflictError)) throw e;
  }
}

/** The CA and server certificate in `dir`: made on first run, kept, renewed 30 days before expiry. */
function certificates(dir: string): { ca: Certificate; server: Certificate; caFile: string } {
  const ca = localCa(dir, 'fedkit demo CA');
  const server = localServerCertificate(dir, ca, HOSTS, 'server');
  return { ca, server, caFile: ca.certFile };
}
