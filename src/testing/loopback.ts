// One HTTPS listener on 127.0.0.1 that answers for several realistic host names, with a private
// CA made for it: how fedkit/testing puts an IdP and an RP "on the web" inside a test. Clients
// reach it through host rules (the agent's `hostRules`, Chromium's --host-resolver-rules) and
// trust it through the CA (the agent's `ca`) or the certificate's SPKI pin (Chromium's
// --ignore-certificate-errors-spki-list, which trusts exactly this certificate and nothing else).

import { createHash, X509Certificate } from 'node:crypto';
import { fetch as undiciFetch, type Agent as Dispatcher } from 'undici';
import { createCertificateAuthority, issueServerCertificate, type Certificate } from '../common/certificates.js';
import { createDispatcher } from '../common/dispatcher.js';
import { serve, type FetchHandler, type RunningServer } from '../common/node-server.js';

/** What a client needs to reach the listener's hosts and trust them. */
export interface Reachability {
  /** The loopback port the hosts are served on. */
  readonly port: number;
  /** For fedkit's agent (`createAgent({ hostRules, ca })`): `{ 'idp.example:443': '127.0.0.1:<port>', … }`. */
  readonly hostRules: Readonly<Record<string, string>>;
  /** The same rules as Chromium's flag value: `MAP idp.example:443 127.0.0.1:<port>, …`. */
  readonly chromiumHostRules: string;
  /**
   * Chromium command-line switches that reach these hosts and trust their certificate only:
   * `--host-resolver-rules=…` and `--ignore-certificate-errors-spki-list=…`.
   */
  readonly chromiumArgs: readonly string[];
  /** The local CA certificate (PEM): pass it as `ca` to the agent or add it to a trust store. */
  readonly ca: string;
}

export interface Loopback extends Reachability {
  /** fetch() through the host rules and the CA, for servers that call each other (the RP's JWKS fetch). */
  readonly fetch: typeof globalThis.fetch;
  close(): Promise<void>;
}

/** The SPKI SHA-256 pin of a certificate, base64 (Chromium's --ignore-certificate-errors-spki-list format). */
function spkiPin(certPem: string): string {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/** Serves `handler` over HTTPS on loopback for `hosts` (a port of 0 picks a free one). */
export async function startLoopback(hosts: readonly string[], handler: FetchHandler, options: { port?: number; ca?: Certificate } = {}): Promise<Loopback> {
  if (hosts.length === 0) throw new TypeError('fedkit/testing: at least one host name is needed.');
  const ca = options.ca ?? createCertificateAuthority({ name: 'fedkit testing CA' });
  const leaf = issueServerCertificate(ca, [...hosts, 'localhost', '127.0.0.1']);
  let server: RunningServer;
  try {
    server = await serve(handler, { port: options.port ?? 0, tls: { cert: leaf.cert, key: leaf.key } });
  } catch (e) {
    throw new Error(`fedkit/testing: could not listen on 127.0.0.1:${options.port ?? 0}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const port = server.port;
  const hostRules = Object.fromEntries(hosts.map((h) => [`${h}:443`, `127.0.0.1:${port}`]));
  const chromiumHostRules = hosts.map((h) => `MAP ${h}:443 127.0.0.1:${port}`).join(', ');
  const dispatcher: Dispatcher = createDispatcher({ hostRules, ca: ca.cert });
  const routedFetch = ((input: Parameters<typeof globalThis.fetch>[0], init?: Parameters<typeof globalThis.fetch>[1]) =>
    undiciFetch(input as never, { ...(init as object), dispatcher } as never) as unknown as Promise<Response>) as typeof globalThis.fetch;
  return {
    port,
    hostRules,
    chromiumHostRules,
    chromiumArgs: [`--host-resolver-rules=${chromiumHostRules}`, `--ignore-certificate-errors-spki-list=${spkiPin(leaf.cert)}`],
    ca: ca.cert,
    fetch: routedFetch,
    async close() {
      await server.close();
      await dispatcher.close();
    },
  };
}
