#!/usr/bin/env node
// The `fedkit` executable (package.json "bin").

import type { Io } from './command.js';
import { run } from './run.js';
import { secretReader } from './terminal/secret.js';

const stopped = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

const io: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readSecret: secretReader(process.stdin, process.stderr),
  stopped,
  isTTY: process.stdout.isTTY === true,
};

process.exitCode = await run(process.argv.slice(2), io);
// stdin may still be open (a pipe nobody closed); nothing else is left to do.
process.stdin.destroy();
