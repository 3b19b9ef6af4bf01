// `fedkit rp serve`: the reference relying party alone, in front of any FedCM IdP.

import { readFileSync } from 'node:fs';
import { serve } from '../common/node-server.js';
import { createRpApp } from '../rp/app/app.js';
import { optionString, requireString, UsageError, type OptionSpecs } from './args.js';
import { leaf, type Group, type Leaf } from './command.js';

const OPTIONS: OptionSpecs = {
  'config-url': { type: 'string', valueName: '<url>', description: "the IdP's FedCM config URL (required)" },
  'client-id': { type: 'string', valueName: '<id>', description: 'this RP\'s client id at the IdP (required)' },
  origin: { type: 'string', valueName: '<url>', description: 'the RP\'s public origin (default https://localhost:<port>, or http:// without --cert)' },
  port: { type: 'string', valueName: '<port>', description: 'port to listen on (default 8443; 0 picks a free one)' },
  host: { type: 'string', valueName: '<address>', description: 'address to listen on (default 127.0.0.1)' },
  database: { type: 'string', valueName: '<file>', description: 'SQLite file for users and sessions (default ./fedkit-rp.db)' },
  'idp-name': { type: 'string', valueName: '<name>', description: 'the IdP name on the button (default: its host)' },
  cert: { type: 'string', valueName: '<pem file>', description: 'TLS certificate: serve HTTPS' },
  key: { type: 'string', valueName: '<pem file>', description: 'TLS private key' },
};
const USAGE = 'fedkit rp serve --config-url <url> --client-id <id> [--origin <url>] [--port 8443] [--database ./fedkit-rp.db] [--cert <pem> --key <pem>]';
const SUMMARY = 'Serve the reference relying party (sign-in page, token verification, sessions).';

const serveCommand: Leaf = leaf(SUMMARY, USAGE, OPTIONS, async (p, io) => {
    const configURL = requireString(p, 'config-url');
    if (!URL.canParse(configURL)) throw new UsageError(`--config-url is not a URL: ${configURL}`);
    const clientId = requireString(p, 'client-id');
    const portText = optionString(p, 'port');
    const port = portText === undefined ? 8443 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${portText}`);
    const certFile = optionString(p, 'cert');
    const keyFile = optionString(p, 'key');
    if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--cert and --key go together');
    const tls = certFile && keyFile ? { cert: readFileSync(certFile), key: readFileSync(keyFile) } : undefined;
    let origin = optionString(p, 'origin');
    const idpName = optionString(p, 'idp-name');
    let app: ReturnType<typeof createRpApp> | undefined;
    const server = await serve((request) => (app ? app.fetch(request) : Promise.resolve(new Response('starting', { status: 503 }))), {
      port,
      host: optionString(p, 'host') ?? '127.0.0.1',
      ...(tls ? { tls } : {}),
    });
    origin ??= `${tls ? 'https' : 'http'}://localhost:${server.port}`;
    app = createRpApp({
      origin,
      idp: { configURL, clientId, ...(idpName === undefined ? {} : { name: idpName }) },
      database: optionString(p, 'database') ?? './fedkit-rp.db',
    });
    io.stdout(`fedkit rp: ${origin}/ (listening on ${server.url}) signing in with ${configURL} as client ${clientId}\n`);
    await io.stopped;
    await server.close();
    app.close();
    return 0;
});

export const rpCommand: Group = {
  summary: 'Run the reference relying party.',
  commands: { serve: serveCommand },
};
