// `fedkit idp …`: run the reference IdP; its administration (users, clients, keys) is idp-admin.ts.

import { readFileSync } from 'node:fs';
import { createIdp, openStore, serve, SqliteStore } from '../idp/index.js';
import { optionString, UsageError, type OptionSpecs } from './args.js';
import { leaf, type Group } from './command.js';
import { clientCommand, keysCommand, userCommand } from './idp-admin.js';

export const DEFAULT_DATABASE = './fedkit-idp.db';

const DATABASE: OptionSpecs = {
  database: { type: 'string', valueName: '<file|postgres://…>', description: `SQLite file or PostgreSQL URL (default ${DEFAULT_DATABASE})` },
};

function port(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be 0-65535, got ${value}`);
  return n;
}

const serveCommand = leaf(
  'Serve the reference FedCM identity provider.',
  'fedkit idp serve [--port 8080] [--host 127.0.0.1] [--database <file|postgres://…>] [--synchronous normal|full] [--issuer <url>] [--cert <pem> --key <pem>]',
  {
    port: { type: 'string', valueName: '<port>', description: 'port to listen on (default 8080; 0 picks a free one)' },
    host: { type: 'string', valueName: '<address>', description: 'address to listen on (default 127.0.0.1)' },
    ...DATABASE,
    synchronous: {
      type: 'string',
      valueName: 'normal|full',
      description: "SQLite: 'full' syncs every write to disk before answering, so none is lost to a power cut (slower); default normal (docs/idp.md)",
    },
    issuer: { type: 'string', valueName: '<url>', description: 'public base URL and token issuer (default http(s)://localhost:<port>)' },
    cert: { type: 'string', valueName: '<pem file>', description: 'TLS certificate: serve HTTPS' },
    key: { type: 'string', valueName: '<pem file>', description: 'TLS private key (with --cert)' },
  },
  async (p, io) => {
    const cert = optionString(p, 'cert');
    const key = optionString(p, 'key');
    if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
    const tls = cert === undefined || key === undefined ? undefined : { cert: readFileSync(cert), key: readFileSync(key) };
    const database = optionString(p, 'database') ?? DEFAULT_DATABASE;
    const synchronous = optionString(p, 'synchronous');
    if (synchronous !== undefined && synchronous !== 'normal' && synchronous !== 'full') throw new UsageError(`--synchronous must be normal or full, got ${synchronous}`);
    if (synchronous !== undefined && /^postgres(ql)?:/i.test(database)) {
      throw new UsageError("--synchronous is SQLite's: a PostgreSQL store's durability is the server's synchronous_commit (docs/idp.md)");
    }
    const store = await openStore(database, synchronous === undefined ? {} : { synchronous });
    try {
      const wanted = port(optionString(p, 'port'), 8080);
      // With --port 0 the issuer must name the port the OS picked, so listen before creating the IdP.
      let handler: ReturnType<typeof createIdp> | undefined;
      const server = await serve((request, info) => (handler === undefined ? new Response('starting', { status: 503 }) : handler(request, info)), {
        port: wanted,
        host: optionString(p, 'host') ?? '127.0.0.1',
        ...(tls === undefined ? {} : { tls }),
      });
      const issuer = optionString(p, 'issuer') ?? `${tls === undefined ? 'http' : 'https'}://localhost:${server.port}`;
      try {
        handler = createIdp({ issuer, store });
      } catch (e) {
        await server.close();
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      await handler.jwks(); // creates the signing key on first start, before the first request
      const purge = setInterval(() => void handler?.purgeExpired().catch(() => {}), 3600_000);
      purge.unref();
      io.stdout(`fedkit idp: listening on ${server.url}\n`);
      io.stdout(`fedkit idp: issuer ${issuer}\n`);
      io.stdout(`fedkit idp: config URL ${handler.configURL}\n`);
      const durability = store instanceof SqliteStore ? ` (synchronous=${store.synchronous})` : '';
      io.stdout(`fedkit idp: database ${/^postgres(ql)?:/i.test(database) ? database.replace(/\/\/[^@/]*@/, '//…@') : database}${durability}\n`);
      await io.stopped;
      clearInterval(purge);
      await server.close();
      io.stdout('fedkit idp: stopped\n');
      return 0;
    } finally {
      await store.close();
    }
  },
);

export const idpCommand: Group = {
  summary: 'the reference FedCM identity provider',
  commands: {
    serve: serveCommand,
    user: userCommand,
    client: clientCommand,
    keys: keysCommand,
  },
};
