// `fedkit idp …`: the reference IdP's commands. Serving it is idp-serve.ts; its administration
// (users, clients, keys) is idp-admin.ts.

import { SUMMARIES } from './summaries.js';
import type { Group } from './command.js';
import { clientCommand, keysCommand, userCommand } from './idp-admin.js';
import { idpServeCommand } from './idp-serve.js';

export { DEFAULT_DATABASE } from './idp-serve.js';

export const idpCommand: Group = {
  summary: SUMMARIES.idp,
  commands: {
    serve: idpServeCommand(),
    user: userCommand,
    client: clientCommand,
    keys: keysCommand,
  },
};
