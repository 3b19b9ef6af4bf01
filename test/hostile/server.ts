// The hostile IdP: a well-behaved IdP and RP on one HTTPS server (127.0.0.1, the test CA), in
// which a case replaces exactly one endpoint with a hostile behaviour. Beside it, the listeners a
// network failure needs: one that accepts TCP and never answers TLS, one with a certificate the
// agent does not trust, and a port nobody listens on.
//
// One server per case, so a case's own connections can be counted exactly (they must return to 0
// once the agent is closed) and cases can run side by side without seeing each other.

import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { testCertificates } from '../helpers/certs.js';
import { untrustedCertificate } from './tls.js';

/** The endpoints a case can make hostile (and the RP's page, which stays well-behaved). */
export type EndpointName =
  | 'well-known'
  | 'config'
  | 'accounts'
  | 'picture'
  | 'client-metadata'
  | 'assertion'
  | 'disconnect'
  | 'login'
  | 'continue';

/** What one endpoint does with a request. The request body has been read already. */
export type Behaviour = (req: IncomingMessage, res: ServerResponse, ctx: BehaviourContext) => void;

export interface BehaviourContext {
  /** The good answer this endpoint would give (for behaviours that spoil it). */
  good: Behaviour;
  /** Registers a timer the server clears when the response closes or the server stops. */
  timer(t: NodeJS.Timeout): void;
  /** The request body, as text. */
  body: string;
}

/** Where a host name connects to, for the agent's host rules. */
export type Target = 'server' | 'stall' | 'untrusted' | 'refused';

export interface HostileServerOptions {
  /** The config URL the well-known file lists and the page asks for. */
  configURL?: string;
  /** The hostile behaviour of one or more endpoints (the others answer well). */
  behaviours?: Partial<Record<EndpointName, Behaviour>>;
}

export interface HostileServer {
  readonly ca: string;
  readonly configURL: string;
  /** The agent's host rules: each host to the listener `targets` names (default: the good server). */
  hostRules(targets?: Record<string, Target>): Record<string, string>;
  /** TCP connections open now, on every listener of this server. */
  openConnections(): number;
  /** Requests received per endpoint. */
  hits(endpoint: EndpointName): number;
  /** The most requests of one endpoint that were in flight at once. */
  maxInFlight(endpoint: EndpointName): number;
  close(): Promise<void>;
}

/** The hosts the agent talks to; every case maps all of them. */
export const HOSTS = ['rp.example', 'idp.example', 'accounts.idp.example', 'other.example', 'wrongname.example'] as const;

export const DEFAULT_CONFIG_URL = 'https://idp.example/fedcm/config.json';

/** A 1×1 transparent PNG. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

function cors(req: IncomingMessage): Record<string, string> {
  return { 'access-control-allow-origin': req.headers.origin ?? 'null', 'access-control-allow-credentials': 'true' };
}

function sendJson(res: ServerResponse, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length), ...headers });
  res.end(body);
}

function sendHtml(res: ServerResponse, html: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(html);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length), ...headers });
  res.end(body);
}

/** The well-behaved IdP, endpoint by endpoint. */
function goodBehaviours(configURL: string): Record<EndpointName, Behaviour> {
  return {
    'well-known': (_req, res) => sendJson(res, { provider_urls: [configURL] }),
    config: (_req, res) =>
      sendJson(res, {
        accounts_endpoint: '/fedcm/accounts',
        client_metadata_endpoint: '/fedcm/client_metadata',
        id_assertion_endpoint: '/fedcm/assertion',
        disconnect_endpoint: '/fedcm/disconnect',
        login_url: '/login',
      }),
    accounts: (_req, res) =>
      sendJson(res, { accounts: [{ id: '1234', name: 'John Doe', email: 'john@idp.example', picture: 'https://idp.example/pic/1.png' }] }),
    picture: (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG.length) });
      res.end(PNG);
    },
    'client-metadata': (_req, res) =>
      sendJson(res, { privacy_policy_url: 'https://rp.example/privacy', terms_of_service_url: 'https://rp.example/tos' }),
    assertion: (req, res) => sendJson(res, { token: 'good-token' }, cors(req)),
    disconnect: (req, res) => sendJson(res, { account_id: '1234' }, cors(req)),
    // Signs the user in by loading, as a login page does after its form post.
    login: (_req, res) => sendHtml(res, '<p>signed in</p>', { 'set-login': 'logged-in' }),
    continue: (_req, res) => sendHtml(res, '<p>one more step</p>'),
  };
}

function endpointOf(req: IncomingMessage): EndpointName | 'rp' | null {
  const host = (req.headers.host ?? '').toLowerCase();
  const path = new URL(req.url ?? '/', 'https://x').pathname;
  if (host === 'rp.example') return 'rp';
  if (path === '/.well-known/web-identity') return 'well-known';
  if (path === '/fedcm/config.json') return 'config';
  if (path === '/fedcm/accounts') return 'accounts';
  if (path.startsWith('/pic/') || path === '/pic.png') return 'picture';
  if (path === '/fedcm/client_metadata') return 'client-metadata';
  if (path === '/fedcm/assertion') return 'assertion';
  if (path === '/fedcm/disconnect') return 'disconnect';
  if (path === '/login') return 'login';
  if (path === '/continue') return 'continue';
  return null;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** A port with no listener: bound, then released (the kernel does not hand it out again at once). */
async function refusedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function startHostileServer(options: HostileServerOptions = {}): Promise<HostileServer> {
  const configURL = options.configURL ?? DEFAULT_CONFIG_URL;
  const certs = testCertificates();
  const good = goodBehaviours(configURL);
  const behaviours = { ...good, ...options.behaviours };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const hits = new Map<EndpointName, number>();
  const inFlight = new Map<EndpointName, number>();
  const maxInFlight = new Map<EndpointName, number>();

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset or a client that gives up must not become an uncaught error of the test process.
    socket.on('error', () => {});
  };

  const main = https.createServer({ key: certs.keyPem, cert: certs.certPem, keepAliveTimeout: 60_000 });
  main.on('connection', track);
  main.on('tlsClientError', () => {});
  main.on('request', (req: IncomingMessage, res: ServerResponse) => {
    res.on('error', () => {});
    const endpoint = endpointOf(req);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', () => {
      if (endpoint === 'rp') {
        sendHtml(res, '<!doctype html><title>RP</title><p>relying party</p>');
        return;
      }
      if (endpoint === null) {
        res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '10' });
        res.end('not found\n');
        return;
      }
      hits.set(endpoint, (hits.get(endpoint) ?? 0) + 1);
      const now = (inFlight.get(endpoint) ?? 0) + 1;
      inFlight.set(endpoint, now);
      maxInFlight.set(endpoint, Math.max(maxInFlight.get(endpoint) ?? 0, now));
      const own = new Set<NodeJS.Timeout>();
      res.on('close', () => {
        inFlight.set(endpoint, (inFlight.get(endpoint) ?? 1) - 1);
        for (const t of own) {
          clearTimeout(t);
          timers.delete(t);
        }
      });
      const ctx: BehaviourContext = {
        good: good[endpoint],
        body: Buffer.concat(chunks).toString('utf8'),
        timer(t) {
          own.add(t);
          timers.add(t);
        },
      };
      behaviours[endpoint](req, res, ctx);
    });
  });

  // Accepts TCP and reads the ClientHello, but never answers: a TLS handshake that never completes.
  const stall = net.createServer((socket) => {
    track(socket);
    socket.resume();
  });
  // A certificate for the right names, signed by nobody the agent trusts.
  const untrustedCert = untrustedCertificate();
  const untrusted = https.createServer({ key: untrustedCert.keyPem, cert: untrustedCert.certPem });
  untrusted.on('connection', track);
  untrusted.on('tlsClientError', () => {});
  untrusted.on('request', (_req: IncomingMessage, res: ServerResponse) => sendJson(res, {}));

  const ports: Record<Target, number> = {
    server: await listen(main),
    stall: await listen(stall),
    untrusted: await listen(untrusted),
    refused: await refusedPort(),
  };

  return {
    ca: certs.caPem,
    configURL,
    hostRules(targets = {}) {
      const rules: Record<string, string> = {};
      for (const host of HOSTS) rules[`${host}:443`] = `127.0.0.1:${ports[targets[host] ?? 'server']}`;
      return rules;
    },
    openConnections: () => sockets.size,
    hits: (e) => hits.get(e) ?? 0,
    maxInFlight: (e) => maxInFlight.get(e) ?? 0,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closing = [main, stall, untrusted].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const s of sockets) s.destroy();
      await Promise.all(closing);
    },
  };
}
