// `fedkit idp user add`'s password prompt on a real pseudo-terminal (util-linux `script`), so the
// prompt library runs as it does for a user: masking, refusals, the accepted password stored.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openStore, verifyPassword } from '../../src/idp/index.js';
import { MAIN } from '../helpers/cli.js';

/** `script` (util-linux) gives the CLI a real pseudo-terminal, so the prompt library runs as for a user. */
const SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('the password prompt on a terminal', { timeout: 60_000 }, () => {
  it('masks what is typed, refuses an empty and a short password at once, then takes a good one', { skip: SCRIPT ? false : 'util-linux script is not installed: no pseudo-terminal' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-pty-'));
    const db = join(dir, 'idp.db');
    try {
      const command = [process.execPath, MAIN, 'idp', 'user', 'add', '--database', db, '--email', 'tty@idp.example', '--name', 'Tty', '--id', 'u_tty'].map((a) => `'${a}'`).join(' ');
      const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let screen = '';
      const waiters: { pattern: RegExp; resolve: () => void }[] = [];
      child.stdout.on('data', (d: Buffer) => {
        screen += d.toString();
        for (const w of waiters.splice(0)) if (w.pattern.test(screen)) w.resolve();
        else waiters.push(w);
      });
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      const waitFor = (pattern: RegExp): Promise<void> =>
        pattern.test(screen)
          ? Promise.resolve()
          : Promise.race([
              new Promise<void>((resolve) => waiters.push({ pattern, resolve })),
              new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`no ${pattern} on the terminal:\n${screen}`)), 15_000).unref()),
            ]);
      try {
        await waitFor(/Password/);
        child.stdin.write('\r');
        await waitFor(/must not be empty/);
        child.stdin.write('short\r');
        await waitFor(/at least 8 characters/);
        child.stdin.write('\x15a good password\r'); // Ctrl-U clears the refused value first
        await waitFor(/added user u_tty <tty@idp\.example>/);
      } finally {
        child.stdin.end();
      }
      assert.equal(await closed, 0, screen);
      assert.doesNotMatch(screen, /a good password|short/, 'what is typed is masked');
      const store = await openStore(db);
      try {
        assert.equal(await verifyPassword('a good password', (await store.getUser('u_tty'))!.passwordHash), true);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
