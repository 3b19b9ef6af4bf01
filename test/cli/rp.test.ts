// `fedkit rp serve`: the reference RP alone, serving its page until asked to stop.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Io } from '../../src/cli/command.js';
import { run } from '../../src/cli/run.js';

describe('fedkit rp serve', () => {
  it('serves the sign-in page for the given IdP until stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-rp-cli-'));
    let stop!: () => void;
    let out = '';
    const io: Io = {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        out += t;
      },
      readSecret: () => Promise.resolve(undefined),
      stopped: new Promise<void>((r) => {
        stop = r;
      }),
    };
    const running = run(['rp', 'serve', '--config-url', 'https://idp.example/fedcm/config.json', '--client-id', 'c1', '--port', '0', '--database', join(dir, 'rp.db'), '--idp-name', 'Example'], io);
    try {
      let url: string | undefined;
      for (let i = 0; i < 100 && url === undefined; i++) {
        url = /listening on (http:\/\/[^ )]+)/.exec(out)?.[1];
        if (url === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(url, out);
      const res = await fetch(`${url}/`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Sign in with Example/);
    } finally {
      stop();
      assert.equal(await running, 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
