// One undici dispatcher for every party that makes requests from Node (the agent's fetcher, the
// RP's token verifier, the CLI): host rules like Chromium's --host-resolver-rules, extra CA
// trust or an explicit insecure switch, and timeouts.

import { isIP } from 'node:net';
import { checkServerIdentity, createSecureContext, rootCertificates } from 'node:tls';
import type { PeerCertificate, SecureContext } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { HostRules, type HostRulesInput } from './host-rules.js';

export interface DispatcherOptions {
  hostRules?: HostRulesInput;
  /** Extra trusted root certificates (PEM), added to Node's bundled roots. */
  ca?: string | string[];
  /** Accept any certificate (tests only). */
  insecureTLS?: boolean;
  /** Connect timeout, and (plus `backstopMs`) the headers and body timeouts. Default 30 s. */
  timeoutMs?: number;
  backstopMs?: number;
}

/**
 * TLS contexts by trusted roots. Building one parses every root certificate (tens of ms), which
 * tls.connect() would otherwise do again for each new connection of each dispatcher.
 */
const secureContexts = new Map<string, SecureContext>();

function tlsTrust(extraCa: string[]): { secureContext: SecureContext } | { ca: string[] } {
  const key = extraCa.join('\n');
  let context = secureContexts.get(key);
  if (context === undefined) {
    try {
      context = createSecureContext({ ca: [...rootCertificates, ...extraCa] });
    } catch {
      // A malformed CA: leave it to each connection, whose failure the caller reports as a TLS error.
      return { ca: [...rootCertificates, ...extraCa] };
    }
    secureContexts.set(key, context);
  }
  return { secureContext: context };
}

/** What an undici Agent or Client is built from: the connector (host rules, trust) and timeouts. */
export interface ConnectionOptions {
  connect: buildConnector.connector;
  allowH2: false;
  headersTimeout: number;
  bodyTimeout: number;
}

/**
 * The options every connection of a dispatcher shares. Exposed so that a caller can open one
 * connection of its own (an undici Client) that reaches hosts exactly as the pool does: the
 * agent's fetcher resends a request on a new connection this way (RFC 9112 §9.3.1).
 */
export function connectionOptions(options: DispatcherOptions = {}): ConnectionOptions {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const extraCa = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
  const tlsOptions = {
    ...tlsTrust(extraCa),
    rejectUnauthorized: options.insecureTLS !== true,
    timeout: timeoutMs,
  };
  return {
    connect: mappedConnector(HostRules.from(options.hostRules), tlsOptions),
    allowH2: false,
    headersTimeout: timeoutMs + (options.backstopMs ?? 0),
    bodyTimeout: timeoutMs + (options.backstopMs ?? 0),
  };
}

export function createDispatcher(options: DispatcherOptions = {}): Agent {
  return new Agent(connectionOptions(options));
}

/**
 * An undici connector that applies host rules like Chromium's MAP rules: the TCP connection
 * goes to the mapped address, while SNI and the certificate check use the original host name.
 */
function mappedConnector(
  rules: HostRules,
  tlsOptions: ({ secureContext: SecureContext } | { ca: string[] }) & { rejectUnauthorized: boolean; timeout: number },
): buildConnector.connector {
  const base = buildConnector(tlsOptions);
  // An original host that is itself an IP cannot travel as SNI (RFC 6066 §3); such mappings
  // get a connector whose identity check names the original IP instead of the mapped one.
  const byOriginalIp = new Map<string, buildConnector.connector>();
  return (opts, callback) => {
    const port = opts.port !== '' ? Number(opts.port) : opts.protocol === 'https:' ? 443 : 80;
    const original = opts.hostname; // undici strips IPv6 brackets here
    const isV6 = isIP(original) === 6;
    const target = rules.resolve(isV6 ? `[${original}]` : original, port);
    if (target === null) {
      base(opts, callback);
      return;
    }
    const targetHost = target.host.startsWith('[') ? target.host.slice(1, -1) : target.host;
    let connector = base;
    let servername: string | undefined = original;
    if (isIP(original) !== 0) {
      servername = undefined;
      connector = byOriginalIp.get(original) ?? buildConnector({
        ...tlsOptions,
        checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(original, cert),
      });
      byOriginalIp.set(original, connector);
    }
    connector(
      {
        ...opts,
        hostname: targetHost,
        port: String(target.port),
        ...(servername === undefined ? {} : { servername }),
      },
      callback,
    );
  };
}

