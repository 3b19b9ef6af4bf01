// `fedkit idp …`: run the reference IdP and administer its users and clients.

import { addClient, addUser, openStore, StoreConflictError, type Store } from '../idp/index.js';
import { optionString, requireString, UsageError, type OptionSpecs } from './args.js';
import { leaf, type Group } from './command.js';
import { DEFAULT_DATABASE, idpServeCommand } from './idp-serve.js';

export { DEFAULT_DATABASE } from './idp-serve.js';

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
    serve: idpServeCommand(),
    user: { summary: 'manage users', commands: { add: userAdd } },
    client: { summary: 'manage relying parties', commands: { add: clientAdd } },
  },
};
