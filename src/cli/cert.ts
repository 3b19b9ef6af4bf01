// `fedkit cert <name[:port]>…`: a local CA and a server certificate for the names, made once and
// reused, with what to pass where: --cert/--key for `idp serve`/`rp serve`, --ca for the agent
// (`fedkit signin`, `fedkit doctor`) and NODE_EXTRA_CA_CERTS for other Node programs, and the
// Chrome flags that map the names to loopback and trust this certificate (no openssl, no root).

import { SUMMARIES } from './summaries.js';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { localCa, localServerCertificate, spkiFingerprint } from '../common/local-ca.js';
import { optionString, UsageError, type OptionSpecs } from './args.js';
import { leaf, type Leaf } from './command.js';

const OPTIONS: OptionSpecs = {
  dir: { type: 'string', valueName: '<dir>', description: 'where the CA and certificates are kept (default ~/.fedkit/certs)' },
  json: { type: 'boolean', description: 'print the files and flags as JSON' },
};

const USAGE = 'fedkit cert <name[:port]> [<name[:port]> …] [--dir <dir>] [--json]';
const SUMMARY = SUMMARIES.cert;
const MORE_HELP = `
A name with a port (idp.example:8443) is where that name's server listens on 127.0.0.1: the
printed Chrome flags map the name's port 443 there. Example, the IdP and the RP on two ports:

  fedkit cert idp.example:8443 rp.example:8444
`;

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

interface Name {
  host: string;
  port?: number;
}

function parseName(arg: string): Name {
  const m = /^(.*?)(?::(\d+))?$/.exec(arg)!;
  const host = m[1]!.toLowerCase();
  if (isIP(host) === 0 && !HOST.test(host)) throw new UsageError(`not a host name: ${arg}`);
  if (m[2] === undefined) return { host };
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`the port of ${arg} must be 1-65535`);
  return { host, port };
}

export const certCommand: Leaf = leaf(
  SUMMARY,
  USAGE,
  OPTIONS,
  async (p, io) => {
    if (p.positionals.length === 0) throw new UsageError('name at least one host, e.g. fedkit cert idp.example:8443 rp.example:8444');
    const names = p.positionals.map(parseName);
    const hosts = [...new Set(names.map((n) => n.host))];
    const dir = optionString(p, 'dir') ?? join(homedir(), '.fedkit', 'certs');
    const ca = localCa(dir, 'fedkit local CA');
    // One certificate for all the names: one pair of files for every server on this machine.
    const server = localServerCertificate(dir, ca, hosts, hosts[0]!);
    const spki = spkiFingerprint(server.cert);
    const mapped = names.filter((n): n is Required<Name> => n.port !== undefined);
    const rules = mapped.map((n) => `MAP ${n.host}:443 127.0.0.1:${n.port}`).join(', ');
    const chrome = [
      'chromium --user-data-dir=$(mktemp -d)',
      ...(rules === '' ? [] : [`--host-resolver-rules="${rules}"`]),
      `--ignore-certificate-errors-spki-list=${spki}`,
      `https://${hosts.at(-1)}/`,
    ].join(' ');
    if (p.booleans.has('json')) {
      io.stdout(
        `${JSON.stringify({ ca: ca.certFile, caCreated: ca.created, cert: server.certFile, key: server.keyFile, certCreated: server.created, hosts, hostResolverRules: rules, spki, chrome }, null, 2)}\n`,
      );
      return 0;
    }
    const state = (created: boolean): string => (created ? 'created' : 'reused');
    io.stdout(`CA           ${ca.certFile} (${state(ca.created)})\n`);
    io.stdout(`certificate  ${server.certFile} (${state(server.created)}, for ${hosts.join(', ')})\n`);
    io.stdout(`key          ${server.keyFile}\n\n`);
    io.stdout(`Serve HTTPS:  --cert ${server.certFile} --key ${server.keyFile}\n`);
    for (const n of mapped) io.stdout(`  ${n.host}: listen on --port ${n.port}, public URL https://${n.host}\n`);
    io.stdout(`Trust the CA: --ca ${ca.certFile} (fedkit signin, fedkit doctor); NODE_EXTRA_CA_CERTS=${ca.certFile} for other Node programs\n`);
    io.stdout(`Chrome:       ${chrome}\n`);
    return 0;
  },
  { positionals: true, moreHelp: MORE_HELP },
);
