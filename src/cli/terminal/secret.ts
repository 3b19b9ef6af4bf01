// Reading a secret (a password) for the admin commands: a masked prompt when stdin is a terminal,
// through @inquirer/password (it puts the terminal in raw mode and restores it, handles editing
// keys, and asks again while `validate` refuses the value); the next line of stdin otherwise, so
// `echo "$PASSWORD" | fedkit idp user add …` works in scripts.

import { createInterface } from 'node:readline';
import password from '@inquirer/password';

export interface SecretReader {
  (prompt: string, validate?: (value: string) => string | undefined): Promise<string | undefined>;
}

/** Whether an error is the prompt's own "the user pressed Ctrl-C / the stream closed". */
function isPromptExit(e: unknown): boolean {
  return e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError');
}

export function secretReader(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): SecretReader {
  let lines: AsyncIterator<string> | undefined;
  return async (prompt, validate) => {
    if (input.isTTY === true) {
      try {
        return await password(
          {
            message: prompt.replace(/:\s*$/, ''),
            mask: '•',
            // An empty password is refused at once, whatever else the caller checks.
            validate: (value) => (value === '' ? 'The password must not be empty.' : (validate?.(value) ?? true)),
          },
          { input, output },
        );
      } catch (e) {
        if (isPromptExit(e)) return undefined;
        throw e;
      }
    }
    lines ??= createInterface({ input })[Symbol.asyncIterator]();
    const next = await lines.next();
    return next.done === true ? undefined : next.value;
  };
}
