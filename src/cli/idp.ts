// `fedkit idp …`: run the reference IdP and administer its users and clients.

import { readFileSync } from 'node:fs';
import { addClient, addUser, createIdp, openStore, serve, SqliteStore, StoreConflictError, type Store } from '../idp/index.js';
import { optionString, requireString, UsageError, type OptionSpecs } from './args.js';
import { leaf, type Group } from './command.js';

export const DEFAULT_DATABASE = './fedkit-idp.db';

const DATABASE: OptionSpecs = {
  database: { type: 'string', valueName: '<file|postgres://…>', description: `SQLite file or PostgreSQL URL (default ${DEFAULT_DATABASE})` },
};

async function withStore<T>(database: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(database);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

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

const userAdd = leaf(
  'Add a user (the password is read from --password, or prompted, or the first line of stdin).',
  'fedkit idp user add --email <email> --name <name> [--password <password>] [--database …]',
  {
    email: { type: 'string', valueName: '<email>', description: 'the sign-in email (unique)' },
    name: { type: 'string', valueName: '<name>', description: 'the display name' },
    'given-name': { type: 'string', valueName: '<name>', description: 'the given name' },
    picture: { type: 'string', valueName: '<url>', description: 'an absolute picture URL, or a path on the issuer' },
    username: { type: 'string', valueName: '<username>', description: 'a username' },
    id: { type: 'string', valueName: '<id>', description: 'the account id / token sub (default: random)' },
    password: { type: 'string', valueName: '<password>', description: 'the password (visible in the process list: prefer the prompt or stdin)' },
    ...DATABASE,
  },
  async (p, io) => {
    const email = requireString(p, 'email');
    const name = requireString(p, 'name');
    const password = optionString(p, 'password') ?? (await io.readSecret('Password: '));
    if (password === undefined || password === '') throw new UsageError('a password is required (--password, the prompt, or stdin)');
    const optional = (flag: string) => optionString(p, flag);
    return withStore(optionString(p, 'database') ?? DEFAULT_DATABASE, async (store) => {
      try {
        const user = await addUser(store, {
          email,
          name,
          password,
          ...(optional('given-name') === undefined ? {} : { givenName: optional('given-name')! }),
          ...(optional('picture') === undefined ? {} : { picture: optional('picture')! }),
          ...(optional('username') === undefined ? {} : { username: optional('username')! }),
          ...(optional('id') === undefined ? {} : { id: optional('id')! }),
        });
        io.stdout(`added user ${user.id} <${user.email}>\n`);
        return 0;
      } catch (e) {
        if (e instanceof TypeError) throw new UsageError(e.message);
        if (e instanceof StoreConflictError) {
          io.stderr(`fedkit: ${e.message}\n`);
          return 1;
        }
        throw e;
      }
    });
  },
);

const clientAdd = leaf(
  'Register a relying party (a client id and the origins allowed to use it).',
  'fedkit idp client add --id <client id> --origin <https://rp.example> [--origin …] [--privacy-policy-url <url>] [--terms-url <url>] [--database …]',
  {
    id: { type: 'string', valueName: '<client id>', description: 'the clientId the RP passes to navigator.credentials.get()' },
    origin: { type: 'string', multiple: true, valueName: '<origin>', description: 'an RP origin allowed to request tokens' },
    'privacy-policy-url': { type: 'string', valueName: '<url>', description: "the RP's privacy policy" },
    'terms-url': { type: 'string', valueName: '<url>', description: "the RP's terms of service" },
    ...DATABASE,
  },
  async (p, io) => {
    const id = requireString(p, 'id');
    const origins = p.strings.get('origin') ?? [];
    if (origins.length === 0) throw new UsageError('--origin is required (at least one)');
    const pp = optionString(p, 'privacy-policy-url');
    const tos = optionString(p, 'terms-url');
    return withStore(optionString(p, 'database') ?? DEFAULT_DATABASE, async (store) => {
      try {
        const client = await addClient(store, { id, origins, ...(pp === undefined ? {} : { privacyPolicyUrl: pp }), ...(tos === undefined ? {} : { termsOfServiceUrl: tos }) });
        io.stdout(`added client ${client.id} for ${client.origins.join(', ')}\n`);
        return 0;
      } catch (e) {
        if (e instanceof TypeError) throw new UsageError(e.message);
        if (e instanceof StoreConflictError) {
          io.stderr(`fedkit: ${e.message}\n`);
          return 1;
        }
        throw e;
      }
    });
  },
);

export const idpCommand: Group = {
  summary: 'the reference FedCM identity provider',
  commands: {
    serve: serveCommand,
    user: { summary: 'manage users', commands: { add: userAdd } },
    client: { summary: 'manage relying parties', commands: { add: clientAdd } },
  },
};
