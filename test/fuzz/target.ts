// The IdP under fuzz: fedkit's IdP kit on a fresh test store (SQLite in memory, or a PostgreSQL
// schema of its own), served over HTTPS on loopback by the node:http adapter exactly as
// `fedkit idp serve` serves it, with a CA made for the run. Every unexpected error the kit or the
// adapter reports is recorded with the fuzz case it belongs to (the `x-fuzz-id` header).
// Also here: what the fuzzer needs to make valid requests (a session, a CSRF pair, a consent
// ticket), kept fresh between batches, and the health check a run ends with: a whole FedCM
// sign-in, the token verified against the JWKS.

import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import pg from 'pg';
import { createCertificateAuthority, issueServerCertificate } from '../../src/common/certificates.js';
import { serve, type RunningServer } from '../../src/common/node-server.js';
import { addClient, addUser, createIdp, IDP_ROUTES, openStore, PostgresStore, type Idp, type IdpRoute, type Store } from '../../src/idp/index.js';
import { encodeRequest, formEncode, type RawRequest } from './request.js';
import { header, sendRaw, type Endpoint, type WireResponse } from './wire.js';

export const IDP_HOST = 'idp.example';
export const IDP_ORIGIN = `https://${IDP_HOST}`;
export const RP_ORIGIN = 'https://rp.example';
export const CLIENT_ID = 'test-rp';
/** A second client with two origins, neither of them the first client's. */
export const OTHER_CLIENT = { id: 'other-rp', origins: ['https://other-rp.example', 'https://rp2.example'] } as const;
export const FUZZ_ID_HEADER = 'x-fuzz-id';

/** The user whose session the fuzzer sends; the fuzzer never types this user's email. */
export const SESSION_USER = { id: 'jane', email: 'jane@idp.example', name: 'Jane Doe', givenName: 'Jane', picture: '/pictures/jane.png', username: 'jane.doe', password: 'correct horse battery staple' } as const;
/** The user the fuzzer signs in as (and fails to, with wrong passwords, until it is rate limited). */
export const LOGIN_USER = { id: 'fuzz', email: 'fuzz@idp.example', name: 'Fuzz User', password: 'fuzz password' } as const;

const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
const POSTGRES_URL = process.env.FEDKIT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export type StoreKind = 'sqlite' | 'postgres';

/** An error the server reported instead of answering normally. */
export interface ServerError {
  source: 'idp' | 'adapter' | 'process';
  /** The fuzz case it belongs to, when its request carried one. */
  caseIndex: number | undefined;
  requestId: string | undefined;
  error: unknown;
  /** For an error no request names (a process-level one): the cases in flight when it happened. */
  during?: number[];
}

/** What valid requests need; refreshed between batches (a fuzz case may log the session out). */
export interface FuzzState {
  /** The session cookie value of SESSION_USER. */
  session: string;
  /** A session of LOGIN_USER, which the login and logout cases send (and end). */
  spareSession: string;
  /** The CSRF cookie value, which is also the form field's. */
  csrf: string;
  /** A consent ticket of SESSION_USER for CLIENT_ID (from a `continue_on`). */
  ticket: string;
}

export interface FuzzTarget {
  readonly endpoint: Endpoint;
  readonly idp: Idp;
  readonly store: Store;
  readonly storeKind: StoreKind;
  readonly routes: readonly IdpRoute[];
  /** The route served at a path (as the server sees the path), if any. */
  routeAt(pathname: string): IdpRoute | undefined;
  /** Errors reported so far (the list grows; the runner reads it between batches). */
  readonly errors: ServerError[];
  state: FuzzState;
  /** Makes sure `state` holds a live session, a CSRF pair and a ticket. */
  refresh(): Promise<void>;
  /** A whole sign-in as a browser does it; the problems found (none when healthy). */
  health(): Promise<string[]>;
  /** Waits until the server is handling no request (at most `timeoutMs`); how many it still handles. */
  settle(timeoutMs: number): Promise<number>;
  /** One request from the setup or the health check (not a fuzz case). */
  exchange(request: RawRequest): Promise<WireResponse>;
  close(): Promise<void>;
}

async function openFuzzStore(kind: StoreKind): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const store = await openStore(':memory:');
    return { store, cleanup: () => store.close() };
  }
  const schema = `fedkit_fuzz_${process.pid}_${randomBytes(4).toString('hex')}`;
  const store = new PostgresStore({ connectionString: POSTGRES_URL, schema, max: 8 });
  await store.migrate();
  return {
    store,
    async cleanup() {
      await store.close();
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** The case a request belongs to: the last `x-fuzz-id` (a case may add one of its own before it). */
function caseIndexOf(value: string | string[] | null | undefined): number | undefined {
  const v = (Array.isArray(value) ? value.join(', ') : (value ?? '')).split(',').at(-1)!.trim();
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

export async function startFuzzTarget(options: { store?: StoreKind; timeoutMs?: number } = {}): Promise<FuzzTarget> {
  const storeKind = options.store ?? 'sqlite';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { store, cleanup } = await openFuzzStore(storeKind);
  const errors: ServerError[] = [];
  let inflight = 0;
  let server: RunningServer;
  let idp: Idp;
  let endpoint: Endpoint;
  try {
    await addClient(store, { id: CLIENT_ID, origins: [RP_ORIGIN], privacyPolicyUrl: `${RP_ORIGIN}/privacy`, termsOfServiceUrl: `${RP_ORIGIN}/terms` });
    await addClient(store, { id: OTHER_CLIENT.id, origins: [...OTHER_CLIENT.origins] });
    await addUser(store, { ...SESSION_USER, scrypt: FAST_SCRYPT });
    await addUser(store, { ...LOGIN_USER, scrypt: FAST_SCRYPT });
    idp = createIdp({
      issuer: IDP_ORIGIN,
      store,
      // Every failed sign-in from 127.0.0.1 counts against one address, and LOGIN_USER's failures
      // against one account: with the defaults (20 and 5 in 15 minutes) the login form would
      // answer nothing but 429 after the first few dozen cases, and the code behind the limit
      // would go unfuzzed. With these the limit is met now and then, and lifts within a minute.
      loginRateLimits: { perAddress: { max: 1_000_000_000, windowSeconds: 60 }, perAccount: { max: 50, windowSeconds: 60 } },
      onError: (error, request, requestId) => errors.push({ source: 'idp', caseIndex: caseIndexOf(request.headers.get(FUZZ_ID_HEADER)), requestId, error }),
    });
    const ca = createCertificateAuthority({ name: 'fedkit fuzz CA' });
    const leaf = issueServerCertificate(ca, [IDP_HOST]);
    server = await serve(async (request, info) => {
      inflight++;
      try {
        return await idp(request, info);
      } finally {
        inflight--;
      }
    }, {
      tls: { cert: leaf.cert, key: leaf.key },
      onError: (error, req, requestId) => errors.push({ source: 'adapter', caseIndex: caseIndexOf(req.headers[FUZZ_ID_HEADER]), requestId, error }),
    });
    endpoint = { port: server.port, ca: ca.cert, servername: IDP_HOST };
  } catch (e) {
    await cleanup();
    throw e;
  }
  const byPath = new Map(IDP_ROUTES.map((r) => [new URL(idp.urls[r.name]).pathname, r]));

  async function exchange(request: RawRequest): Promise<WireResponse> {
    const result = await sendRaw(endpoint, encodeRequest(request), { timeoutMs, head: request.method === 'HEAD' });
    if (result.kind !== 'response') throw new Error(`${request.method} ${request.target}: no answer (${result.kind}${'message' in result ? `: ${result.message}` : ''})`);
    return result.response;
  }

  const get = (path: string, headers: [string, string][] = []): Promise<WireResponse> =>
    exchange({ method: 'GET', target: path, version: 'HTTP/1.1', headers: [['Host', IDP_HOST], ...headers], body: Buffer.alloc(0) });
  const post = (path: string, headers: [string, string][], form: [string, string][]): Promise<WireResponse> => {
    const body = Buffer.from(formEncode(form));
    return exchange({
      method: 'POST',
      target: path,
      version: 'HTTP/1.1',
      headers: [['Host', IDP_HOST], ...headers, ['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', String(body.length)]],
      body,
    });
  };
  const path = (name: IdpRoute['name']) => new URL(idp.urls[name]).pathname;
  const cookieFrom = (res: WireResponse, name: string) =>
    res.headers.filter(([n, v]) => n === 'set-cookie' && v.startsWith(`${name}=`)).map(([, v]) => v.slice(name.length + 1).split(';', 1)[0]!)[0];
  const json = (res: WireResponse): Record<string, unknown> => {
    try {
      return JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };

  /** The login form, then its POST: a CSRF pair and a session, as a browser gets them. */
  async function signIn(user: { email: string; password: string }): Promise<{ session: string; csrf: string }> {
    const form = await get(path('login'), [['Accept', 'text/html']]);
    const csrf = cookieFrom(form, '__Host-fedkit_csrf');
    if (form.status !== 200 || csrf === undefined) throw new Error(`the login form answered ${form.status} without a CSRF cookie`);
    const done = await post(path('login'), [['Origin', IDP_ORIGIN], ['Sec-Fetch-Site', 'same-origin'], ['Accept', 'application/json'], ['Cookie', `__Host-fedkit_csrf=${csrf}`]], [['csrf', csrf], ['email', user.email], ['password', user.password]]);
    const session = cookieFrom(done, 'fedkit_session');
    if (done.status !== 200 || session === undefined) throw new Error(`signing in as ${user.email} answered ${done.status}: ${done.body.toString('utf8').slice(0, 300)}`);
    return { session, csrf };
  }

  const fedcm = (cookie?: string): [string, string][] => [['Sec-Fetch-Dest', 'webidentity'], ...(cookie === undefined ? [] : ([['Cookie', `fedkit_session=${cookie}`]] as [string, string][]))];
  const assertion = (session: string, form: [string, string][]) =>
    post(path('assertion'), [...fedcm(session), ['Origin', RP_ORIGIN], ['Sec-Fetch-Mode', 'cors'], ['Sec-Fetch-Site', 'cross-site']], form);

  async function newTicket(session: string): Promise<string> {
    // Only a field never granted needs consent: forget the grant, ask without disclosure.
    await store.deleteGrant(SESSION_USER.id, CLIENT_ID);
    const res = await assertion(session, [['client_id', CLIENT_ID], ['account_id', SESSION_USER.id], ['fields', 'name,email,picture']]);
    const continueOn = json(res).continue_on;
    if (res.status !== 200 || typeof continueOn !== 'string') throw new Error(`the assertion answered ${res.status} without continue_on: ${res.body.toString('utf8').slice(0, 300)}`);
    return new URL(continueOn).searchParams.get('ticket') ?? '';
  }

  const first = await signIn(SESSION_USER);
  const spare = await signIn(LOGIN_USER);
  const state: FuzzState = { ...first, spareSession: spare.session, ticket: await newTicket(first.session) };
  let ticketMadeAt = Date.now();
  const alive = async (session: string) => {
    const accounts = json(await get(path('accounts'), fedcm(session))).accounts;
    return Array.isArray(accounts) && accounts.length === 1;
  };

  const target: FuzzTarget = {
    endpoint,
    idp,
    store,
    storeKind,
    routes: IDP_ROUTES,
    routeAt: (pathname) => byPath.get(pathname),
    errors,
    state,
    exchange,
    async settle(ms) {
      const until = Date.now() + ms;
      while (inflight > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      return inflight;
    },
    async refresh() {
      if (!(await alive(target.state.session))) target.state = { ...target.state, ...(await signIn(SESSION_USER)) };
      // LOGIN_USER may be rate limited by the cases' wrong passwords; then the spare session stays dead.
      if (!(await alive(target.state.spareSession))) target.state = { ...target.state, spareSession: (await signIn(LOGIN_USER).catch(() => ({ session: target.state.spareSession }))).session };
      // Tickets live ten minutes.
      if (Date.now() - ticketMadeAt > 5 * 60_000) {
        target.state = { ...target.state, ticket: await newTicket(target.state.session) };
        ticketMadeAt = Date.now();
      }
    },
    async health() {
      const problems: string[] = [];
      const expect = (ok: boolean, what: string, res?: WireResponse) => {
        if (!ok) problems.push(`${what}${res === undefined ? '' : ` (${res.status}: ${res.body.toString('utf8').slice(0, 300)})`}`);
        return ok;
      };
      try {
        const wk = await get('/.well-known/web-identity', fedcm());
        expect(wk.status === 200 && JSON.stringify(json(wk).provider_urls) === JSON.stringify([idp.configURL]), 'the well-known file lists the config', wk);
        const config = await get(path('config'), fedcm());
        expect(config.status === 200 && json(config).id_assertion_endpoint === idp.urls.assertion, 'the config names the assertion endpoint', config);
        const { session } = await signIn(SESSION_USER);
        const accounts = await get(path('accounts'), fedcm(session));
        const list = json(accounts).accounts as { id?: string }[] | undefined;
        expect(accounts.status === 200 && list?.length === 1 && list[0]?.id === SESSION_USER.id, 'the accounts endpoint lists the signed-in user', accounts);
        const metadata = await get(`${path('clientMetadata')}?client_id=${CLIENT_ID}`, [...fedcm(), ['Origin', RP_ORIGIN]]);
        expect(metadata.status === 200 && json(metadata).privacy_policy_url === `${RP_ORIGIN}/privacy`, 'the client metadata has the privacy policy', metadata);
        const nonce = randomBytes(12).toString('base64url');
        const answer = await assertion(session, [
          ['client_id', CLIENT_ID],
          ['account_id', SESSION_USER.id],
          ['params', JSON.stringify({ nonce })],
          ['fields', 'name,email,picture'],
          ['disclosure_shown_for', 'name,email,picture'],
        ]);
        const token = json(answer).token;
        if (expect(answer.status === 200 && typeof token === 'string' && header(answer, 'access-control-allow-origin') === RP_ORIGIN, 'the assertion endpoint issues a token with CORS for the RP', answer)) {
          const jwks = json(await get(path('jwks'))) as unknown as JSONWebKeySet;
          try {
            const { payload } = await jwtVerify(token as string, createLocalJWKSet(jwks), { issuer: IDP_ORIGIN, audience: CLIENT_ID });
            expect(payload.sub === SESSION_USER.id && payload.nonce === nonce && payload.email === SESSION_USER.email, `the token's claims are the user's and the nonce (${JSON.stringify(payload)})`);
          } catch (e) {
            problems.push(`the token does not verify against the JWKS: ${(e as Error).message}`);
          }
        }
        const bye = await post(path('disconnect'), [...fedcm(session), ['Origin', RP_ORIGIN]], [['client_id', CLIENT_ID], ['account_hint', SESSION_USER.email]]);
        expect(bye.status === 200 && json(bye).account_id === SESSION_USER.id, 'disconnect forgets the grant', bye);
      } catch (e) {
        problems.push(`the sign-in could not be completed: ${(e as Error).message}`);
      }
      return problems;
    },
    async close() {
      await server.close();
      await cleanup();
    },
  };
  return target;
}

