// The `fedkit` command line: walks the command tree, prints help, maps failures to exit codes
// (0 ok, 1 failure, 2 usage error).

import { VERSION } from '../version.js';
import { UsageError } from './args.js';
import { isDeferred, isGroup, type Command, type Deferred, type Group, type Io } from './command.js';
import { SUMMARIES } from './summaries.js';

/** Every top-level command, each loaded when it runs (Deferred). */
export const ROOT: Group = {
  summary: 'fedkit: the Credential Management API and FedCM as a whole system',
  commands: {
    cert: { summary: SUMMARIES.cert, load: async () => (await import('./cert.js')).certCommand },
    demo: { summary: SUMMARIES.demo, load: async () => (await import('./demo.js')).demoCommand },
    doctor: { summary: SUMMARIES.doctor, load: async () => (await import('./doctor/command.js')).doctorCommand },
    idp: { summary: SUMMARIES.idp, load: async () => (await import('./idp.js')).idpCommand },
    rp: { summary: SUMMARIES.rp, load: async () => (await import('./rp.js')).rpCommand },
    signin: { summary: SUMMARIES.signin, load: async () => (await import('./signin/command.js')).signinCommand },
  },
};

function groupHelp(path: string[], group: Group): string {
  const name = ['fedkit', ...path].join(' ');
  const width = Math.max(...Object.keys(group.commands).map((k) => k.length)) + 2;
  const rows = Object.entries(group.commands).map(([k, c]) => `  ${k.padEnd(width)}${c.summary}`);
  return `${group.summary}\n\nUsage: ${name} <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun "${name} <command> --help" for a command's options.${path.length === 0 ? ' "fedkit --version" prints the version.' : ''}\n`;
}

export async function run(argv: readonly string[], io: Io, root: Group = ROOT): Promise<number> {
  let command: Command = root;
  const path: string[] = [];
  let i = 0;
  try {
    while (isGroup(command)) {
      const word = argv[i];
      if (word === undefined || word === '--help' || word === '-h' || word === 'help') {
        const text = groupHelp(path, command);
        if (word === undefined) {
          io.stderr(text);
          return 2;
        }
        io.stdout(text);
        return 0;
      }
      if (word === '--version' && path.length === 0) {
        io.stdout(`${VERSION}\n`);
        return 0;
      }
      const next: Command | Deferred | undefined = command.commands[word];
      if (next === undefined) throw new UsageError(`unknown command "${[...path, word].join(' ')}"`);
      command = isDeferred(next) ? await next.load() : next;
      path.push(word);
      i++;
    }
    return await command.run(argv.slice(i), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`fedkit: ${e.message}\nRun "${['fedkit', ...path].join(' ')} --help" for usage.\n`);
      return 2;
    }
    io.stderr(`fedkit: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
