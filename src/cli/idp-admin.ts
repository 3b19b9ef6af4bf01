// `fedkit idp user|client|keys …`: administering the reference IdP's store from the shell.
//
// Every command checks its input before it opens the database, so a usage error (exit 2) never
// creates a database file or changes one; only `add` may create the file (the first user or
// client of a new IdP), the others refuse a file that does not exist. `list` and `show` take
// --json for scripts (times there are ISO 8601 strings).

import { existsSync } from 'node:fs';
import {
  addClient,
  addUser,
  checkClientUpdate,
  checkNewClient,
  checkNewUser,
  checkPassword,
  findUser,
  KeyAdminError,
  listKeys,
  openStore,
  removeClient,
  removeUser,
  retireKey,
  rotateKeys,
  setPassword,
  StoreConflictError,
  updateClient,
  type AddUserInput,
  type Client,
  type ClientUpdate,
  type KeyInfo,
  type SigningAlgorithm,
  type Store,
  type User,
} from '../idp/index.js';
import { optionString, requireString, UsageError, type OptionSpecs, type Parsed } from './args.js';
import { leaf, type Group, type Io } from './command.js';
import { DEFAULT_DATABASE } from './idp-serve.js';

const DATABASE: OptionSpecs = {
  database: {
    type: 'string',
    valueName: '<file|postgres://…>',
    description: `SQLite file or PostgreSQL URL (default $FEDKIT_DATABASE_URL, else ${DEFAULT_DATABASE}, as for idp serve)`,
  },
};
const JSON_OPTION: OptionSpecs = { json: { type: 'boolean', description: 'print JSON' } };

function isPostgres(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/**
 * Opens the store for one command. Without `create`, a missing SQLite file is an error rather
 * than a new empty database (a mistyped --database would otherwise list nobody, and leave a file).
 */
async function withStore<T>(p: Parsed, fn: (store: Store) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  // The same database `fedkit idp serve` would use without --database: its variable, then its default.
  const database = optionString(p, 'database') ?? (process.env['FEDKIT_DATABASE_URL'] || DEFAULT_DATABASE);
  if (options.create !== true && !isPostgres(database) && database !== ':memory:' && !existsSync(database)) {
    throw new Error(`there is no database ${database} (pass --database; \`fedkit idp user add\` or \`client add\` creates one)`);
  }
  const store = await openStore(database);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The one positional a command takes. */
function argument(p: Parsed, what: string): string {
  if (p.positionals.length === 0) throw new UsageError(`${what} is required`);
  if (p.positionals.length > 1) throw new UsageError(`unexpected argument ${p.positionals[1]}`);
  return p.positionals[0]!;
}

/** A TypeError from the admin functions is bad input: exit 2 with its sentence. */
function asUsage(e: unknown): never {
  if (e instanceof TypeError) throw new UsageError(e.message);
  throw e;
}

function check(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    asUsage(e);
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join('').trimEnd()).join('\n') + '\n';
}

function json(io: Io, value: unknown): number {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

// ---- users -----------------------------------------------------------------------------

/** A user as printed: never the password hash. */
function publicUser(u: User): Record<string, unknown> {
  return { id: u.id, email: u.email, name: u.name, givenName: u.givenName, picture: u.picture, username: u.username, tel: u.tel, createdAt: iso(u.createdAt) };
}

async function readPassword(p: Parsed, io: Io, prompt: string): Promise<string> {
  const given = optionString(p, 'password');
  // On a terminal the prompt asks again until the password is acceptable; a pipe gets one try.
  const validate = (value: string): string | undefined => {
    try {
      checkPassword(value);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  const password = given ?? (await io.readSecret(prompt, validate));
  if (password === undefined || password === '') throw new UsageError('a password is required (--password, the prompt, or the first line of stdin)');
  check(() => checkPassword(password));
  return password;
}

const PASSWORD: OptionSpecs = {
  password: { type: 'string', valueName: '<password>', description: 'the password (visible in the process list: prefer the prompt or stdin)' },
};

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
    ...PASSWORD,
    ...DATABASE,
  },
  async (p, io) => {
    const optional = (flag: string, key: 'givenName' | 'picture' | 'username' | 'id'): Partial<AddUserInput> => {
      const v = optionString(p, flag);
      return v === undefined ? {} : { [key]: v };
    };
    const fields = {
      email: requireString(p, 'email'),
      name: requireString(p, 'name'),
      ...optional('given-name', 'givenName'),
      ...optional('picture', 'picture'),
      ...optional('username', 'username'),
      ...optional('id', 'id'),
    };
    // Everything but the password is checked before asking for it, the password before the
    // database is opened.
    check(() => checkNewUser(fields));
    const password = await readPassword(p, io, 'Password: ');
    return withStore(
      p,
      async (store) => {
        try {
          const user = await addUser(store, { ...fields, password });
          io.stdout(`added user ${user.id} <${user.email}>\n`);
          return 0;
        } catch (e) {
          if (e instanceof StoreConflictError) throw new Error(e.message, { cause: e });
          return asUsage(e);
        }
      },
      { create: true },
    );
  },
);

const userList = leaf('List the users.', 'fedkit idp user list [--json] [--database …]', { ...JSON_OPTION, ...DATABASE }, (p, io) =>
  withStore(p, async (store) => {
    const users = await store.listUsers();
    if (p.booleans.has('json')) return json(io, users.map(publicUser));
    if (users.length === 0) io.stdout('no users (add one with `fedkit idp user add`)\n');
    else io.stdout(table([['ID', 'EMAIL', 'NAME', 'CREATED'], ...users.map((u) => [u.id, u.email, u.name, iso(u.createdAt)!.slice(0, 10)])]));
    return 0;
  }),
);

async function requireUser(store: Store, idOrEmail: string): Promise<User> {
  const user = await findUser(store, idOrEmail);
  if (user === undefined) throw new Error(`there is no user ${idOrEmail} (\`fedkit idp user list\` shows them)`);
  return user;
}

const userShow = leaf(
  'Show one user and the clients they have granted.',
  'fedkit idp user show <id|email> [--json] [--database …]',
  { ...JSON_OPTION, ...DATABASE },
  async (p, io) => {
    const who = argument(p, 'the user (an id or an email)');
    return withStore(p, async (store) => {
      const user = await requireUser(store, who);
      const clients = await store.grantedClients(user.id);
      if (p.booleans.has('json')) return json(io, { ...publicUser(user), grantedClients: clients });
      const rows: [string, string | null][] = [
        ['id', user.id],
        ['email', user.email],
        ['name', user.name],
        ['given name', user.givenName],
        ['picture', user.picture],
        ['username', user.username],
        ['tel', user.tel],
        ['created', iso(user.createdAt)],
        ['granted clients', clients.length === 0 ? '(none)' : clients.join(', ')],
      ];
      io.stdout(table(rows.filter(([, v]) => v !== null).map(([k, v]) => [`${k}:`, v!])));
      return 0;
    });
  },
  { positionals: true },
);

const userRemove = leaf(
  'Remove a user, with their sessions and grants (their tokens stay valid until they expire).',
  'fedkit idp user remove <id|email> [--database …]',
  { ...DATABASE },
  async (p, io) => {
    const who = argument(p, 'the user (an id or an email)');
    return withStore(p, async (store) => {
      const user = await removeUser(store, who);
      if (user === undefined) throw new Error(`there is no user ${who} (\`fedkit idp user list\` shows them)`);
      io.stdout(`removed user ${user.id} <${user.email}>, with their sessions and grants\n`);
      return 0;
    });
  },
  { positionals: true },
);

const userSetPassword = leaf(
  'Set a user\'s password (from --password, or prompted, or the first line of stdin); their sessions end.',
  'fedkit idp user set-password <id|email> [--password <password>] [--database …]',
  { ...PASSWORD, ...DATABASE },
  async (p, io) => {
    const who = argument(p, 'the user (an id or an email)');
    // The user must exist before anyone is asked to type a password for them.
    await withStore(p, (store) => requireUser(store, who));
    const password = await readPassword(p, io, 'New password: ');
    return withStore(p, async (store) => {
      const result = await setPassword(store, who, password);
      if (result === undefined) throw new Error(`there is no user ${who} (\`fedkit idp user list\` shows them)`);
      const { user, sessionsEnded } = result;
      io.stdout(`set the password of ${user.id} <${user.email}>; ${sessionsEnded === 1 ? '1 session' : `${sessionsEnded} sessions`} ended\n`);
      return 0;
    });
  },
  { positionals: true },
);

// ---- clients ---------------------------------------------------------------------------

function publicClient(c: Client): Record<string, unknown> {
  return { id: c.id, origins: c.origins, privacyPolicyUrl: c.privacyPolicyUrl, termsOfServiceUrl: c.termsOfServiceUrl, createdAt: iso(c.createdAt) };
}

const URLS: OptionSpecs = {
  'privacy-policy-url': { type: 'string', valueName: '<url>', description: "the RP's privacy policy" },
  'terms-url': { type: 'string', valueName: '<url>', description: "the RP's terms of service" },
};

const clientAdd = leaf(
  'Register a relying party (a client id and the origins allowed to use it).',
  'fedkit idp client add --id <client id> --origin <https://rp.example> [--origin …] [--privacy-policy-url <url>] [--terms-url <url>] [--database …]',
  {
    id: { type: 'string', valueName: '<client id>', description: 'the clientId the RP passes to navigator.credentials.get()' },
    origin: { type: 'string', multiple: true, valueName: '<origin>', description: 'an RP origin allowed to request tokens' },
    ...URLS,
    ...DATABASE,
  },
  async (p, io) => {
    const id = requireString(p, 'id');
    const origins = p.strings.get('origin') ?? [];
    if (origins.length === 0) throw new UsageError('--origin is required (at least one)');
    const pp = optionString(p, 'privacy-policy-url');
    const tos = optionString(p, 'terms-url');
    const input = { id, origins, ...(pp === undefined ? {} : { privacyPolicyUrl: pp }), ...(tos === undefined ? {} : { termsOfServiceUrl: tos }) };
    check(() => checkNewClient(input));
    return withStore(
      p,
      async (store) => {
        try {
          const client = await addClient(store, input);
          io.stdout(`added client ${client.id} for ${client.origins.join(', ')}\n`);
          return 0;
        } catch (e) {
          if (e instanceof StoreConflictError) throw new Error(e.message, { cause: e });
          return asUsage(e);
        }
      },
      { create: true },
    );
  },
);

const clientList = leaf('List the registered relying parties.', 'fedkit idp client list [--json] [--database …]', { ...JSON_OPTION, ...DATABASE }, (p, io) =>
  withStore(p, async (store) => {
    const clients = await store.listClients();
    if (p.booleans.has('json')) return json(io, clients.map(publicClient));
    if (clients.length === 0) io.stdout('no clients (register one with `fedkit idp client add`)\n');
    else io.stdout(table([['ID', 'ORIGINS', 'CREATED'], ...clients.map((c) => [c.id, c.origins.join(', '), iso(c.createdAt)!.slice(0, 10)])]));
    return 0;
  }),
);

async function requireClient(store: Store, id: string): Promise<Client> {
  const client = await store.getClient(id);
  if (client === undefined) throw new Error(`there is no client ${id} (\`fedkit idp client list\` shows them)`);
  return client;
}

const clientShow = leaf(
  'Show one relying party.',
  'fedkit idp client show <client id> [--json] [--database …]',
  { ...JSON_OPTION, ...DATABASE },
  async (p, io) => {
    const id = argument(p, 'the client id');
    return withStore(p, async (store) => {
      const c = await requireClient(store, id);
      if (p.booleans.has('json')) return json(io, publicClient(c));
      io.stdout(
        table([
          ['id:', c.id],
          ['origins:', c.origins.join(', ')],
          ['privacy policy:', c.privacyPolicyUrl ?? '(none)'],
          ['terms of service:', c.termsOfServiceUrl ?? '(none)'],
          ['created:', iso(c.createdAt)!],
        ]),
      );
      return 0;
    });
  },
  { positionals: true },
);

const clientRemove = leaf(
  'Remove a relying party and the grants users gave it (it can no longer get tokens).',
  'fedkit idp client remove <client id> [--database …]',
  { ...DATABASE },
  async (p, io) => {
    const id = argument(p, 'the client id');
    return withStore(p, async (store) => {
      const c = await removeClient(store, id);
      if (c === undefined) throw new Error(`there is no client ${id} (\`fedkit idp client list\` shows them)`);
      io.stdout(`removed client ${c.id}, with the grants users gave it\n`);
      return 0;
    });
  },
  { positionals: true },
);

const clientUpdate = leaf(
  'Change a relying party: its origins and policy URLs.',
  'fedkit idp client update <client id> [--origin <origin> …] [--add-origin <origin>] [--remove-origin <origin>] [--privacy-policy-url <url> | --clear-privacy-policy-url] [--terms-url <url> | --clear-terms-url] [--database …]',
  {
    origin: { type: 'string', multiple: true, valueName: '<origin>', description: 'replaces every origin with those given' },
    'add-origin': { type: 'string', multiple: true, valueName: '<origin>', description: 'adds an origin' },
    'remove-origin': { type: 'string', multiple: true, valueName: '<origin>', description: 'removes an origin' },
    ...URLS,
    'clear-privacy-policy-url': { type: 'boolean', description: 'removes the privacy policy URL' },
    'clear-terms-url': { type: 'boolean', description: 'removes the terms of service URL' },
    ...DATABASE,
  },
  async (p, io) => {
    const id = argument(p, 'the client id');
    const update: ClientUpdate = {};
    const list = (name: string): string[] | undefined => p.strings.get(name);
    if (list('origin')) update.origins = list('origin')!;
    if (list('add-origin')) update.addOrigins = list('add-origin')!;
    if (list('remove-origin')) update.removeOrigins = list('remove-origin')!;
    for (const [flag, clear, key] of [['privacy-policy-url', 'clear-privacy-policy-url', 'privacyPolicyUrl'], ['terms-url', 'clear-terms-url', 'termsOfServiceUrl']] as const) {
      const value = optionString(p, flag);
      if (value !== undefined && p.booleans.has(clear)) throw new UsageError(`--${flag} and --${clear} contradict each other`);
      if (value !== undefined) update[key] = value;
      if (p.booleans.has(clear)) update[key] = null;
    }
    if (Object.keys(update).length === 0) throw new UsageError('nothing to change: pass --origin, --add-origin, --remove-origin or a URL option');
    check(() => checkClientUpdate(update));
    return withStore(p, async (store) => {
      await requireClient(store, id);
      let c: Client | undefined;
      try {
        c = await updateClient(store, id, update);
      } catch (e) {
        // Refused against what is stored (an origin it does not have, no origin left): exit 1.
        if (e instanceof TypeError) throw new Error(e.message, { cause: e });
        throw e;
      }
      if (c === undefined) throw new Error(`there is no client ${id}`);
      io.stdout(`updated client ${c.id}: ${c.origins.join(', ')}\n`);
      return 0;
    });
  },
  { positionals: true },
);

// ---- keys ------------------------------------------------------------------------------

function publicKey(k: KeyInfo): Record<string, unknown> {
  return { kid: k.kid, alg: k.alg, state: k.state, createdAt: iso(k.createdAt), retiredAt: iso(k.retiredAt), expiresAt: iso(k.expiresAt), publicJwk: k.publicJwk };
}

const keysList = leaf(
  'List the token-signing keys: the signing one, and retired ones still in the JWKS.',
  'fedkit idp keys list [--json] [--database …]',
  { ...JSON_OPTION, ...DATABASE },
  (p, io) =>
    withStore(p, async (store) => {
      const keys = await listKeys(store);
      if (p.booleans.has('json')) return json(io, keys.map(publicKey));
      if (keys.length === 0) io.stdout('no keys yet (the IdP makes one when it first starts, or run `fedkit idp keys rotate`)\n');
      else {
        const state = (k: KeyInfo): string => (k.state === 'retired' ? `retired, in the JWKS until ${iso(k.expiresAt)}` : k.state);
        io.stdout(table([['KID', 'ALG', 'CREATED', 'STATE'], ...keys.map((k) => [k.kid, k.alg, iso(k.createdAt)!, state(k)])]));
      }
      return 0;
    }),
);

const keysRotate = leaf(
  'Make a new signing key; the old one stays in the JWKS until the tokens it signed expire.',
  'fedkit idp keys rotate [--algorithm ES256|EdDSA] [--token-ttl <seconds>] [--database …]',
  {
    algorithm: { type: 'string', valueName: 'ES256|EdDSA', description: 'the new key\'s algorithm (default: the current key\'s, or ES256)' },
    'token-ttl': { type: 'string', valueName: '<seconds>', description: "the servers' token lifetime: how long the old key stays published, plus 60 s (default 600)" },
    ...DATABASE,
  },
  async (p, io) => {
    const algorithm = optionString(p, 'algorithm');
    if (algorithm !== undefined && algorithm !== 'ES256' && algorithm !== 'EdDSA') throw new UsageError(`--algorithm must be ES256 or EdDSA, got ${algorithm}`);
    const ttlText = optionString(p, 'token-ttl');
    const ttl = ttlText === undefined ? undefined : Number(ttlText);
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0)) throw new UsageError(`--token-ttl must be a positive number of seconds, got ${ttlText}`);
    return withStore(
      p,
      async (store) => {
        const { kid, retired } = await rotateKeys(store, { ...(algorithm === undefined ? {} : { algorithm: algorithm as SigningAlgorithm }), ...(ttl === undefined ? {} : { tokenTtlSeconds: ttl }) });
        io.stdout(`new signing key ${kid}${retired.length === 0 ? '' : `; retired ${retired.join(', ')} (still in the JWKS until its tokens expire)`}\n`);
        io.stdout('running servers sign with it within a minute\n');
        return 0;
      },
      { create: true },
    );
  },
);

const keysRetire = leaf(
  'Take a retired key out of the JWKS now (tokens it signed stop verifying); the signing key cannot be retired before a rotation.',
  'fedkit idp keys retire <kid> [--force] [--database …]',
  {
    force: { type: 'boolean', description: 'retire a key even within a minute of its rotation (a server may still be signing with it)' },
    ...DATABASE,
  },
  async (p, io) => {
    const kid = argument(p, 'the key id (kid)');
    return withStore(p, async (store) => {
      try {
        const k = await retireKey(store, kid, { force: p.booleans.has('force') });
        io.stdout(`retired ${k.kid}: it is no longer in the JWKS, and tokens it signed no longer verify\n`);
        return 0;
      } catch (e) {
        if (e instanceof KeyAdminError) throw new Error(e.message, { cause: e });
        throw e;
      }
    });
  },
  { positionals: true },
);

export const userCommand: Group = {
  summary: 'manage users',
  commands: { add: userAdd, list: userList, show: userShow, remove: userRemove, 'set-password': userSetPassword },
};
export const clientCommand: Group = {
  summary: 'manage relying parties',
  commands: { add: clientAdd, list: clientList, show: clientShow, remove: clientRemove, update: clientUpdate },
};
export const keysCommand: Group = {
  summary: 'manage token-signing keys',
  commands: { list: keysList, rotate: keysRotate, retire: keysRetire },
};
