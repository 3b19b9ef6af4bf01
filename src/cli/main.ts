#!/usr/bin/env node
// The `fedkit` executable (package.json "bin").

import { createInterface } from 'node:readline';
import type { Io } from './command.js';
import { run } from './run.js';

let lines: AsyncIterator<string> | undefined;

/** One line from stdin: a hidden prompt on a terminal, the next line of a pipe otherwise. */
async function readSecret(prompt: string): Promise<string | undefined> {
  if (process.stdin.isTTY) {
    const output = process.stderr;
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    output.write(prompt);
    // Echo nothing while the password is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
    return new Promise((resolve) => {
      rl.once('line', (line) => {
        output.write('\n');
        rl.close();
        resolve(line);
      });
      rl.once('close', () => resolve(undefined));
    });
  }
  lines ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const next = await lines.next();
  return next.done === true ? undefined : next.value;
}

const stopped = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

const io: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readSecret,
  stopped,
  isTTY: process.stdout.isTTY === true,
};

process.exitCode = await run(process.argv.slice(2), io);
// stdin may still be open (a pipe nobody closed); nothing else is left to do.
process.stdin.destroy();
