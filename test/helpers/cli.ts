// Runs the built `fedkit` command as a user would, bounded in time: a command that hangs fails
// its test with what it printed, instead of holding the runner until its time-out.

import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const MAIN = join(process.cwd(), 'dist/src/cli/main.js');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's standard input, which is then closed. */
  stdin?: string;
  /** Added to the environment. */
  env?: Record<string, string>;
  /** Default 15 s. */
  timeoutMs?: number;
}

export function runFedkit(args: string[], options: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fedkit ${args.join(' ')} did not finish in time\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
