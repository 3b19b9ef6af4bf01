#!/usr/bin/env node
// The `fedkit` executable (package.json "bin").

import type { Io } from './command.js';
import { run } from './run.js';
import { secretReader } from './terminal/secret.js';

// A reader that stops early (`fedkit … | head`) closes the pipe: that ends the output, quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

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
